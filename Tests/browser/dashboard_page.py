"""The agent dashboard (/app) as a page object, plus the server-side helpers its tests need:
more members (invitations), a second organization (signup), a visitor talking through the widget
visitor API, two-factor codes (RFC 6238) and the `dashboard` / `second_dashboard` fixtures.

Test modules import what they use, fixtures included (`from dashboard_page import dashboard`).
Selectors are the contract's data-testids only; every wait is explicit (no sleeps).
"""

import base64
import hashlib
import hmac
import json
import struct
import time
import urllib.parse
import uuid

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from parley_api import Parley, expect, http

WAIT = 15


def unique(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# ---------------------------------------------------------------------------
# Two-factor codes
# ---------------------------------------------------------------------------

def totp_code(secret, at=None, step=30, digits=6):
    """The RFC 6238 code (HMAC-SHA1) of a base32 secret at time `at` (now by default)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10 ** digits).zfill(digits)


# ---------------------------------------------------------------------------
# Server side: accounts, members, organizations, visitors
# ---------------------------------------------------------------------------

class Account:
    """A user with a session: email, password, token, user id and (first) organization id."""

    def __init__(self, base, email, password, pair, org=None):
        self.base, self.email, self.password = base, email, password
        self.token = pair["access_token"]
        self.user = pair["user"]
        self.id = self.user["id"]
        self.name = self.user["name"]
        self.org = org

    def call(self, method, path, *statuses, what, **kwargs):
        url = path if path.startswith("http") else self.base + path
        return expect(http(method, url, token=self.token, **kwargs), *statuses, what=what)

    def org_path(self, path, org=None):
        return f"/api/v1/orgs/{org or self.org}/{path}"

    def enable_totp(self):
        """Turns two-factor on; returns the base32 secret an authenticator app reads from the
        otpauth:// URL (the key is what the app would use, whatever the raw `secret` looks like)."""
        setup = self.call("POST", "/api/v1/me/totp/setup", 200, what="TOTP setup", json_body={}).json()
        query = urllib.parse.parse_qs(urllib.parse.urlparse(setup["otpauth_url"]).query)
        secret = query["secret"][0]
        self.totp_enabled_with = totp_code(secret)  # each code works once: this one cannot sign in
        self.call("POST", "/api/v1/me/totp/enable", 200, 204, what="TOTP enable", json_body={"code": self.totp_enabled_with})
        return secret


def signup(base, name=None, organization=None):
    """A new user with a new organization (POST /auth/signup)."""
    email = f"{unique('owner')}@example.com"
    password = "correct horse " + uuid.uuid4().hex[:8]
    reply = expect(http("POST", f"{base}/api/v1/auth/signup", json_body={
        "email": email, "password": password, "name": name or f"Owner {email[:12]}",
        "organization_name": organization or f"Org {uuid.uuid4().hex[:6]}"}), 201, what="signup").json()
    account = Account(base, email, password, reply)
    me = account.call("GET", "/api/v1/me", 200, what="GET /me").json()
    account.org = me["memberships"][0]["organization"]["id"]
    return account


def add_member(parley, name=None, role="agent"):
    """Invites a new user into the owner's organization and accepts as them (a new account)."""
    email = f"{unique(role)}@example.com"
    password = "agent password " + uuid.uuid4().hex[:8]
    invite = parley.call("POST", parley.org_path("invitations"), 201, what="create invitation",
                         json_body={"email": email, "role": role}).json()
    reply = expect(http("POST", f"{parley.base}/api/v1/invitations/accept", json_body={
        "token": invite["token"], "name": name or f"Agent {email[:10]}", "password": password}),
        200, 201, what="accept invitation").json()
    if "access_token" not in reply:  # an answer without a session: log in
        reply = expect(http("POST", f"{parley.base}/api/v1/auth/login", json_body={"email": email, "password": password}),
                       200, what="login invited member").json()
    return Account(parley.base, email, password, reply, org=parley.org)


def owner_account(parley):
    """The harness's owner as an Account (email/password from the credentials file)."""
    import os
    with open(os.environ["PARLEY_CREDENTIALS"]) as f:
        credentials = json.load(f)
    reply = expect(http("POST", f"{parley.base}/api/v1/auth/login", json_body={
        "email": credentials["email"], "password": credentials["password"]}), 200, what="owner login").json()
    return Account(parley.base, credentials["email"], credentials["password"], reply, org=parley.org)


class Visitor:
    """A website visitor speaking through the widget visitor API (with an allowed Origin)."""

    def __init__(self, parley, site):
        self.parley, self.site = parley, site
        session = parley.visitor_session(site)
        self.token = session["visitor_token"]
        self.id = session["visitor_id"]
        self.conversation_id = session.get("conversation_id")

    def call(self, method, path, *statuses, what, json_body=None):
        return self.parley.visitor_call(self.site, method, path, *statuses, what=what, token=self.token,
                                        json_body=json_body)

    def send(self, body):
        message = self.call("POST", "messages", 200, 201, what="visitor message",
                            json_body={"body": body, "client_id": unique("v")})
        self.conversation_id = message["conversation_id"]
        return message

    def identify(self, name=None, email=None, attributes=None, external_id=None):
        body = {"id": external_id or unique("ext")}
        if name is not None:
            body["name"] = name
        if email is not None:
            body["email"] = email
        if attributes is not None:
            body["attributes"] = attributes
        reply = self.call("POST", "identify", 200, what="visitor identify", json_body=body)
        self.token = reply.get("visitor_token", self.token)
        self.id = reply.get("visitor_id", self.id)
        return reply

    def upload(self, filename, data):
        url = (f"{self.parley.base}/api/v1/widget/{self.site['site_key']}/uploads?"
               + "filename=" + urllib_quote(filename) + "&client_id=" + unique("u"))
        reply = expect(http("POST", url, token=self.token, data=data, content_type="application/octet-stream",
                            origin=self.site["allowed_origins"][0]), 200, 201, what="visitor upload").json()
        self.conversation_id = reply["conversation_id"]
        return reply

    def history(self):
        """The visitor's own view of the conversation (private notes never appear)."""
        return self.call("GET", "messages?limit=100", 200, what="visitor history")["items"]


class VisitorSocket:
    """The visitor's realtime socket (`/ws?visitor_token=…`, with the site's Origin): frames are
    collected by a reader thread; `command` sends one and waits for its ack."""

    def __init__(self, visitor):
        import threading
        from websockets.sync.client import connect
        base = visitor.parley.base.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
        url = f"{base}/ws?" + urllib.parse.urlencode({"visitor_token": visitor.token})
        import contextlib
        self.stack = contextlib.ExitStack()
        self.ws = self.stack.enter_context(connect(url, origin=visitor.site["allowed_origins"][0], open_timeout=10,
                                                   close_timeout=2))
        self.frames, self.next_id = [], 0
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        from websockets.exceptions import ConnectionClosed
        try:
            for raw in self.ws:
                with self.changed:
                    self.frames.append(json.loads(raw))
                    self.changed.notify_all()
        except ConnectionClosed:
            pass

    def wait_for(self, predicate, what, timeout=WAIT):
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                for frame in self.frames:
                    if predicate(frame):
                        return frame
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"visitor socket: no {what} within {timeout}s (frames: {self.frames[-8:]})")
                self.changed.wait(remaining)

    def command(self, type_, **fields):
        self.next_id += 1
        ident = f"v{self.next_id}"
        self.ws.send(json.dumps({"type": type_, "id": ident, **fields}))
        frame = self.wait_for(lambda f: f.get("id") == ident and f.get("type") in ("ack", "error"), f"answer to {type_}")
        assert frame["type"] == "ack", f"visitor socket: {type_} refused: {frame}"
        return frame

    def close(self):
        self.stack.close()
        self.reader.join(5)


def urllib_quote(text):
    return urllib.parse.quote(text, safe="")


# ---------------------------------------------------------------------------
# The page object
# ---------------------------------------------------------------------------

def sel(testid, extra=""):
    return f'[data-testid="{testid}"]{extra}'


class Dashboard:
    def __init__(self, driver, base):
        self.driver, self.base = driver, base

    # -- generic
    def wait(self, condition, message, timeout=WAIT):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1,
                                 ignored_exceptions=(StaleElementReferenceException,)).until(lambda _: condition())
        except TimeoutException:
            detail = message() if callable(message) else message
            raise AssertionError(f"timed out after {timeout}s waiting for: {detail} "
                                 f"(url {self.driver.current_url}, app state {self.state()!r})") from None

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def state(self):
        try:
            return self.js("return document.body && document.body.dataset.appState")
        except Exception:  # noqa: BLE001 - a page in the middle of loading
            return None

    def find(self, testid, extra=""):
        return self.driver.find_element(By.CSS_SELECTOR, sel(testid, extra))

    def find_all(self, testid, extra=""):
        return self.driver.find_elements(By.CSS_SELECTOR, sel(testid, extra))

    def visible(self, testid, extra=""):
        return self.js("""const el = document.querySelector(arguments[0]);
            return !!el && !el.closest('[hidden]') && el.getClientRects().length > 0;""", sel(testid, extra))

    def wait_visible(self, testid, extra="", timeout=WAIT):
        self.wait(lambda: self.visible(testid, extra), f"{sel(testid, extra)} to be shown", timeout)
        return self.find(testid, extra)

    def text(self, testid, extra=""):
        return self.js("const el = document.querySelector(arguments[0]); return el ? el.textContent : null;",
                       sel(testid, extra))

    def go(self, path):
        self.driver.get(self.base + path)

    def wait_state(self, *states, timeout=WAIT):
        self.wait(lambda: self.state() in states, f"body[data-app-state] in {states}", timeout)

    def screenshot(self, artifacts, name):
        self.driver.save_screenshot(str(artifacts / f"{name}.png"))

    # -- login
    def login(self, email, password, totp=None, path="/app"):
        self.go("/app/login" if path == "/app" else path)
        self.wait_state("login", "ready")
        if self.state() == "ready":
            return
        self.find("login-email").send_keys(email)
        self.find("login-password").send_keys(password)
        self.find("login-submit").click()
        if totp is not None:
            self.wait_visible("login-totp")
            self.find("login-totp").send_keys(totp() if callable(totp) else totp)
            self.find("login-submit").click()
        self.wait_state("ready", timeout=20)

    def login_as(self, account, **kwargs):
        self.login(account.email, account.password, **kwargs)

    # -- inbox
    def rows(self):
        """[{id, unread, visitor, preview, assignee}] in screen order."""
        return self.js("""return [...document.querySelectorAll('[data-testid="conversation-row"]')].map(r => ({
            id: r.dataset.id, unread: Number(r.dataset.unread || 0),
            visitor: (r.querySelector('[data-testid="row-visitor"]') || {}).textContent,
            preview: (r.querySelector('[data-testid="row-preview"]') || {}).textContent,
            badge: (() => { const b = r.querySelector('[data-testid="row-unread"]');
                            return b && !b.hidden ? b.textContent : ''; })(),
            assignee: (r.querySelector('[data-testid="row-assignee"]') || {}).textContent}));""")

    def row(self, conversation_id):
        return next((r for r in self.rows() if r["id"] == conversation_id), None)

    def wait_row(self, conversation_id, predicate=lambda r: True, what="row", timeout=WAIT):
        return self.wait(lambda: (lambda r: r if r and predicate(r) else None)(self.row(conversation_id)),
                         lambda: f"{what} for {conversation_id} (rows: {self.rows()[:5]})", timeout)

    def view_count(self, view):
        value = self.js("""const el = document.querySelector('[data-testid="view-' + arguments[0] + '"] [data-testid="view-count"]');
            return el ? el.textContent : null;""", view)
        return int(value) if value and value.isdigit() else None

    def open_row(self, conversation_id):
        # The inbox redraws rows as events arrive, so a row found a moment ago may be gone by the
        # click: find and click again until a click lands (stale references are retried by wait()).
        def click():
            try:
                self.find("conversation-row", f'[data-id="{conversation_id}"]').find_element(By.CSS_SELECTOR, "a").click()
            except NoSuchElementException:
                return False
            return True
        self.wait(click, f"a click on the row of {conversation_id}")
        return self.wait_conversation(conversation_id)

    # -- conversation
    def wait_conversation(self, conversation_id, timeout=WAIT):
        self.wait(lambda: self.js("""const c = document.querySelector('[data-testid="conversation"][data-id="' + arguments[0] + '"]');
            return !!c && c.dataset.state === 'ready';""", conversation_id),
            f"conversation {conversation_id} open and loaded", timeout)

    def messages(self):
        """[{id, author_type, private, pending, body, author}] of the open conversation, in order."""
        return self.js("""return [...document.querySelectorAll('[data-testid="conversation"] [data-testid="message"]')].map(m => ({
            id: m.dataset.id || null, author_type: m.dataset.authorType, private: m.dataset.private === 'true',
            pending: m.dataset.pending === 'true',
            body: (m.querySelector('[data-testid="message-body"]') || m.querySelector('[data-testid="attachment-name"]') || {}).textContent,
            author: (m.querySelector('[data-testid="message-author"]') || {}).textContent}));""")

    def wait_message(self, body, author_type=None, confirmed=True, timeout=WAIT):
        def match():
            for m in self.messages():
                if m["body"] == body and (author_type is None or m["author_type"] == author_type) \
                        and (not confirmed or (m["id"] and not m["pending"])):
                    return m
            return None
        return self.wait(match, lambda: f"message {body!r} ({author_type}) in the conversation; shown: {self.messages()[-5:]}",
                         timeout)

    def message_action(self, message_id, testid):
        """A message's hover action (edit / delete): hover the message, then the button."""
        from selenium.webdriver.common.action_chains import ActionChains
        message = self.find("message", f'[data-id="{message_id}"]')
        ActionChains(self.driver).move_to_element(message).perform()
        button = message.find_element(By.CSS_SELECTOR, sel(testid))
        self.wait(lambda: button.is_displayed(), f"{testid} of {message_id} on hover")
        return button

    def composer(self):
        return self.find("composer")

    def type_in_composer(self, text, send=False):
        box = self.composer()
        box.click()
        box.send_keys(text)
        if send:
            box.send_keys(Keys.ENTER)

    def composer_value(self):
        return self.js("return document.querySelector('[data-testid=\"composer\"]').value")

    def xss_flag(self):
        return self.js("return typeof window.__xss === 'undefined' ? null : String(window.__xss)")


@pytest.fixture
def dashboard(driver, base):
    return Dashboard(driver, base)


@pytest.fixture
def second_dashboard(second_driver, base):
    return Dashboard(second_driver, base)


@pytest.fixture
def owner(parley):
    return owner_account(parley)


__all__ = ["Account", "Dashboard", "Visitor", "VisitorSocket", "add_member", "dashboard", "owner", "owner_account", "second_dashboard",
           "signup", "totp_code", "unique", "Parley"]
