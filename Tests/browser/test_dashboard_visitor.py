"""The dashboard's visitor panel (right column of /app/o/{org}/c/{conversation}): identity and the
site's verification, custom attributes from identify, the page the visitor is on (live from presence
frames), browser hints, past conversations, notes and CSAT (live on `conversation.rated`); and every
visitor- or member-supplied string rendered as text.

The visitor side is driven over the widget API and a visitor WebSocket (deterministic, and it sets
the User-Agent, locale and timezone hints); the dashboard is a real browser."""

import contextlib
import hashlib
import hmac
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request

from selenium.webdriver.common.by import By
from websockets.sync.client import connect

from parley_api import TIMEOUT
from test_dashboard_settings import CONSOLE_ALLOW, Dash

CHROME_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/131.0.0.0 Safari/537.36")
XSS = "<img src=x onerror=window.__xss=1>"


class Visitor:
    """A website visitor over the widget API (/api/v1/widget/{site_key}/…) on the site's origin."""

    def __init__(self, base, site, origin):
        self.base, self.site, self.origin = base, site, origin
        self.token = None
        self.visitor_id = None

    def call(self, method, path, body=None, *statuses, user_agent=None):
        headers = {"Accept": "application/json", "Origin": self.origin, "Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if user_agent:
            headers["User-Agent"] = user_agent
        url = f"{self.base}/api/v1/widget/{self.site['site_key']}/{path}"
        request = urllib.request.Request(url, data=json.dumps(body or {}).encode(), method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:
                status, text = reply.status, reply.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        assert status in statuses, f"server: visitor {method} {path}: expected {statuses}, got {status}: {text[:300]!r}"
        return json.loads(text) if text else None

    def start(self, locale="de-DE", timezone="Europe/Berlin", user_agent=CHROME_UA):
        answer = self.call("POST", "sessions", {"locale": locale, "timezone": timezone}, 200, 201, user_agent=user_agent)
        self.token, self.visitor_id = answer["visitor_token"], answer["visitor_id"]
        return answer

    def identify(self, claim):
        answer = self.call("POST", "identify", claim, 200)
        self.token, self.visitor_id = answer["visitor_token"], answer["visitor_id"]
        return answer

    def send(self, body):
        return self.call("POST", "messages", {"body": body, "client_id": secrets.token_hex(8)}, 200, 201)

    def rate(self, conversation_id, score, comment):
        return self.call("POST", "rating", {"conversation_id": conversation_id, "score": score, "comment": comment}, 201)

    def socket(self, page):
        return VisitorSocket(self, page)


class VisitorSocket:
    """The visitor's realtime socket (it makes them online on `page`); `presence(page)` moves them."""

    def __init__(self, visitor, page):
        ws_base = visitor.base.replace("http://", "ws://", 1)
        query = urllib.parse.urlencode({"visitor_token": visitor.token, "page": page})
        self.url, self.origin = f"{ws_base}/ws?{query}", visitor.origin
        self.counter = 0

    def __enter__(self):
        self.stack = contextlib.ExitStack()
        self.ws = self.stack.enter_context(connect(self.url, origin=self.origin, open_timeout=TIMEOUT, close_timeout=2))
        return self

    def __exit__(self, *exc):
        self.stack.close()

    def command(self, frame):
        self.counter += 1
        frame = {**frame, "id": f"v{self.counter}"}
        self.ws.send(json.dumps(frame))
        while True:
            reply = json.loads(self.ws.recv(timeout=TIMEOUT))
            if reply.get("id") == frame["id"]:
                assert reply.get("type") == "ack", f"visitor socket: {frame} answered {reply}"
                return reply

    def presence(self, page):
        return self.command({"type": "presence", "page": page})


def identity_hash(secret, user_id):
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def open_conversation(dash, parley, conversation_id):
    """Signs the owner in straight onto the conversation and waits for its loaded visitor panel."""
    dash.login_owner(path=f"/app/o/{parley.org}/c/{conversation_id}")
    panel = dash.wait_el("visitor-panel")
    dash.wait(lambda: dash.find("visitor-panel").get_attribute("data-loaded") == "true", "the visitor profile loaded")
    return panel


def panel_text(dash, testid, **attrs):
    return dash.find(testid, dash.find("visitor-panel"), **attrs).text


def profile(parley, visitor_id):
    return parley.call("GET", parley.org_path(f"visitors/{visitor_id}"), 200, what="GET visitor profile").json()


# ---------------------------------------------------------------------------------------------------


def test_panel_shows_identity_attributes_hints_and_the_live_page(driver, base, parley, site, host_page, artifacts,
                                                                 console):
    secret = parley.site(site)["identity_secret"]
    external = f"cust-{secrets.token_hex(4)}"
    visitor = Visitor(base, site, host_page.origin)
    visitor.start()
    verified = visitor.identify({"id": external, "name": "Ada Lovelace", "email": f"{external}@example.com",
                                 "hash": identity_hash(secret, external),
                                 "attributes": {"plan": "pro", "seats": "12"}})
    assert verified["verified"] is True, verified
    conversation = visitor.send("Where is my order?")["conversation_id"]

    with visitor.socket("https://shop.example/cart") as sock:
        dash = Dash(driver, base, parley.org)
        panel = open_conversation(dash, parley, conversation)
        assert panel.get_attribute("data-visitor-id") == visitor.visitor_id
        assert panel_text(dash, "visitor-name") == "Ada Lovelace"
        assert panel_text(dash, "visitor-email") == f"{external}@example.com"
        badge = dash.find("visitor-verified", panel)
        assert badge.get_attribute("data-verified") == "true" and "Verified" in badge.text, badge.text
        assert external in panel_text(dash, "visitor-external-id")
        rows = {r.find_element(By.TAG_NAME, "th").text: r.find_element(By.TAG_NAME, "td").text
                for r in dash.find_all("visitor-attribute", panel)}
        assert rows == {"plan": "pro", "seats": "12"}, rows
        dash.wait_text("visitor-page", "https://shop.example/cart")
        assert dash.find("visitor-online", panel).get_attribute("data-online") == "true"
        location = panel_text(dash, "visitor-location")
        for expected in ("Europe/Berlin", "de-DE", "Chrome 131 on Windows"):
            assert expected in location, f"{expected!r} missing from the location hints {location!r}"

        # The visitor moves on: the panel follows the presence frame without a reload.
        sock.presence("https://shop.example/checkout")
        dash.wait_text("visitor-page", "https://shop.example/checkout")
        link = dash.find("visitor-page", panel).find_element(By.TAG_NAME, "a")
        assert link.get_attribute("href") == "https://shop.example/checkout"
        assert link.get_attribute("rel") == "noopener noreferrer"
        dash.screenshot(artifacts, "dashboard-visitor-panel")

    # Gone: offline, the last page still shown.
    dash.wait(lambda: dash.find("visitor-online").get_attribute("data-online") == "false", "the visitor offline")
    assert "https://shop.example/checkout" in panel_text(dash, "visitor-page")
    console.assert_clean(allow=CONSOLE_ALLOW)


def test_panel_history_notes_and_csat(driver, base, parley, site, host_page, artifacts, console):
    visitor = Visitor(base, site, host_page.origin)
    visitor.start()
    visitor.identify({"id": f"anon-{secrets.token_hex(4)}", "name": "Grace Hopper"})
    first = visitor.send("My first question")["conversation_id"]
    parley.set_status(first, "resolved")
    visitor.rate(first, 4, "Quick and kind")
    second = visitor.send("A second question")["conversation_id"]
    assert second != first, "a message after the resolved conversation should open a new one"

    dash = Dash(driver, base, parley.org)
    panel = open_conversation(dash, parley, second)
    rows = {r.get_attribute("data-id"): r for r in dash.find_all("visitor-conversation", panel)}
    assert set(rows) == {first, second}, rows.keys()
    assert rows[first].get_attribute("data-status") == "resolved"
    assert "My first question" in rows[first].text
    assert rows[first].find_element(By.CSS_SELECTOR, ".vp-stars").get_attribute("data-score") == "4"
    assert dash.find("visitor-conversation-open", rows[second]).get_attribute("aria-current") == "true"
    assert dash.find("visitor-csat", panel).get_attribute("data-score") == ""

    # Notes: add, then delete (one's own).
    note = f"Prefers email, VIP {secrets.token_hex(3)}"
    dash.type(dash.find("visitor-note-input", panel), note)
    dash.find("visitor-note-add", panel).click()
    row = dash.wait_text("visitor-note", note)
    assert [n["body"] for n in profile(parley, visitor.visitor_id)["notes"]] == [note]
    assert "You" in row.text
    dash.screenshot(artifacts, "dashboard-visitor-notes")
    dash.confirm(dash.find("visitor-note-delete", row))
    dash.wait(lambda: not [r for r in dash.find_all("visitor-note") if note in r.text], "the note gone")
    assert profile(parley, visitor.visitor_id)["notes"] == []

    # CSAT arrives live once the visitor rates this conversation.
    parley.set_status(second, "resolved")
    dash.wait(lambda: dash.find("visitor-conversation", data_id=second).get_attribute("data-status") == "resolved",
              "the status change (conversation.updated) in the visitor's conversation list")
    visitor.rate(second, 5, "Great help <b>thanks</b>")
    dash.wait(lambda: dash.find("visitor-csat").get_attribute("data-score") == "5", "the live CSAT score")
    csat = dash.find("visitor-csat")
    assert "5 out of 5" in csat.get_attribute("textContent") and "Great help <b>thanks</b>" in csat.text, csat.text
    dash.screenshot(artifacts, "dashboard-visitor-csat")

    # A past conversation opens from the list, with its own rating.
    dash.find("visitor-conversation-open", dash.find("visitor-conversation", data_id=first)).click()
    dash.wait(lambda: f"/c/{first}" in driver.current_url, "the first conversation's URL")
    dash.wait(lambda: dash.find("visitor-csat").get_attribute("data-score") == "4", "the first conversation's CSAT")
    assert "Quick and kind" in dash.find("visitor-csat").text
    console.assert_clean(allow=CONSOLE_ALLOW)


def test_visitor_supplied_markup_renders_as_text(driver, base, parley, site, host_page, artifacts, console):
    visitor = Visitor(base, site, host_page.origin)
    visitor.start()
    attributes = {"bio": "<script>window.__xss=2</script>", "html": XSS, "link": "javascript:window.__xss=4"}
    visitor.identify({"id": f"x-{secrets.token_hex(4)}", "name": XSS, "attributes": attributes})
    conversation = visitor.send(f"Hello {XSS}")["conversation_id"]

    # No spaces: a page URL cannot have any (the query's `+` is a space, refused with 422).
    with visitor.socket("https://shop.example/<svg/onload=window.__xss=5>") as _:
        dash = Dash(driver, base, parley.org)
        panel = open_conversation(dash, parley, conversation)
        assert panel_text(dash, "visitor-name") == XSS
        rows = {r.find_element(By.TAG_NAME, "th").text: r.find_element(By.TAG_NAME, "td").text
                for r in dash.find_all("visitor-attribute", panel)}
        assert rows == attributes, rows
        dash.type(dash.find("visitor-note-input", panel), f"note {XSS}")
        dash.find("visitor-note-add", panel).click()
        dash.wait_text("visitor-note", f"note {XSS}")
        dash.wait_text("visitor-page", "https://shop.example/")
        dash.screenshot(artifacts, "dashboard-visitor-xss")
        assert panel.find_elements(By.CSS_SELECTOR, "img, script, svg") == [], "markup became elements in the panel"
        assert driver.execute_script("return window.__xss") is None, "a visitor-supplied payload ran"
    console.assert_clean(allow=CONSOLE_ALLOW)
