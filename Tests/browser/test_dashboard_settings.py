"""The dashboard's settings area (/app/o/{org}/settings/{section}), driven like a person would: site
and widget settings that the widget on a customer's page then shows, the server's 422 shown next to
the field it names (and nothing saved), canned responses and labels, members and invitations (accept
link → the invitee signs in with the role), password change (signs out) and two-factor setup.

Every check of an effect also reads the API, so a UI that only pretends fails here. The small
dashboard page object (`Dash`) lives in this file; test_dashboard_visitor.py imports it."""

import json
import os
import secrets
import time
import urllib.parse

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from dashboard_page import totp_code
from parley_api import expect, http
from widget_page import wait_until

WAIT = 15
# The dashboard's index.html declares no icon, so Chromium asks for /favicon.ico (404): not ours.
CONSOLE_ALLOW = [r"/favicon\.ico - Failed to load resource"]
GREEN = "#0a7d3b"
GREEN_RGB = "rgb(10, 125, 59)"


def css(testid, **attrs):
    """CSS selector of a data-testid, plus attribute equalities (data_id="x" → [data-id="x"])."""
    extra = "".join(f'[{name.replace("_", "-")}="{value}"]' for name, value in attrs.items())
    return f'[data-testid="{testid}"]{extra}'


def owner_credentials():
    with open(os.environ["PARLEY_CREDENTIALS"]) as f:
        return json.load(f)


def unique(stem):
    return f"{stem}-{secrets.token_hex(4)}"


def make_member(parley, role="agent", name=None):
    """A new user of the owner's organization with `role` (invitation + accept over the API)."""
    email = f"{unique(role)}@example.com"
    password = "pw-" + secrets.token_hex(8)
    invited = parley.call("POST", parley.org_path("invitations"), 201, what="create invitation",
                          json_body={"email": email, "role": role}).json()
    pair = expect(http("POST", f"{parley.base}/api/v1/invitations/accept",
                       json_body={"token": invited["token"], "name": name or f"Test {role}", "password": password}),
                  201, what="accept invitation").json()
    return {"email": email, "password": password, "user_id": pair["user"]["id"], "token": pair["access_token"]}


def login_status(base, email, password, totp=None):
    """(HTTP status, problem type tail or '') of an API login."""
    body = {"email": email, "password": password}
    if totp:
        body["totp_code"] = totp
    reply = http("POST", f"{base}/api/v1/auth/login", json_body=body)
    kind = ""
    if reply.status >= 400:
        kind = reply.json().get("type", "").rsplit(":", 1)[-1]
    return reply.status, kind


class Dash:
    """The dashboard in one browser: sign-in, navigation, waits by data-testid."""

    def __init__(self, driver, base, org):
        self.driver, self.base, self.org = driver, base, org

    # Reading the page

    def find(self, testid, scope=None, **attrs):
        return (scope or self.driver).find_element(By.CSS_SELECTOR, css(testid, **attrs))

    def find_all(self, testid, scope=None, **attrs):
        return (scope or self.driver).find_elements(By.CSS_SELECTOR, css(testid, **attrs))

    def state(self):
        return self.driver.execute_script("return document.body ? document.body.dataset.appState : null;")

    def describe(self):
        return self.driver.execute_script("""
            const ids = [...document.querySelectorAll('[data-testid]')].filter(e => e.getClientRects().length)
                .map(e => e.dataset.testid);
            const errors = [...document.querySelectorAll('[data-testid="field-error"], [data-testid="form-error"], '
                + '[data-testid="toast"], [data-testid="login-error"]')].filter(e => e.getClientRects().length)
                .map(e => e.textContent.trim()).filter(Boolean);
            return location.pathname + location.search + ' app-state=' + document.body.dataset.appState
                + ' visible testids: [' + [...new Set(ids)].join(', ') + '] messages: ' + JSON.stringify(errors);""")

    def wait(self, condition, what, timeout=WAIT):
        def attempt():
            try:
                return condition()
            except StaleElementReferenceException:  # redrawn meanwhile: look again
                return None
        return wait_until(self.driver, attempt, lambda: f"{what} ({self.describe()})", timeout)

    def wait_el(self, testid, scope=None, timeout=WAIT, **attrs):
        """The first visible element with that testid (inside `scope`)."""
        def shown():
            for el in self.find_all(testid, scope, **attrs):
                if el.is_displayed():
                    return el
            return None
        return self.wait(shown, f"{css(testid, **attrs)} visible", timeout)

    def wait_gone(self, testid, scope=None, **attrs):
        self.wait(lambda: not [e for e in self.find_all(testid, scope, **attrs) if e.is_displayed()],
                  f"{css(testid, **attrs)} gone")

    def wait_text(self, testid, text, scope=None, **attrs):
        """The element once its text contains `text`."""
        def has():
            for el in self.find_all(testid, scope, **attrs):
                if text in el.text:
                    return el
            return None
        return self.wait(has, f"{css(testid, **attrs)} containing {text!r}")

    # Acting

    @staticmethod
    def type(el, text):
        el.clear()
        el.send_keys(text)

    def set_value(self, el, value):
        """Sets an input's value as a user's picker would (colour inputs take no keys), firing input + change."""
        self.driver.execute_script("""
            const el = arguments[0]; el.value = arguments[1];
            el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));""",
                                   el, value)

    def click(self, el):
        """Scrolls `el` to the middle of the window, waits until nothing covers it (a toast), clicks."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'nearest'});", el)
        self.wait(lambda: self.driver.execute_script("""
            const el = arguments[0], r = el.getBoundingClientRect();
            const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return !!top && (top === el || el.contains(top));""", el), "the element uncovered (no toast over it)")
        el.click()

    def confirm(self, button):
        """Clicks a confirm-first button, then its `confirm-yes`."""
        self.click(button)
        yes = self.wait(lambda: next((b for b in button.find_elements(By.XPATH, "./following-sibling::*//*[@data-testid='confirm-yes']")
                                      if b.is_displayed()), None), "confirm-yes after the first click")
        self.click(yes)

    def login(self, email, password, totp_key=None, path=None):
        """Signs in at /app/login (or at `path`, which shows the login first) and waits for the app."""
        self.driver.get(self.base + (path or "/app/login"))
        self.type(self.wait_el("login-email"), email)
        self.type(self.find("login-password"), password)
        self.find("login-submit").click()
        if totp_key:
            code = self.wait_el("login-totp")
            # The next code: each code works once, and the current one may have just been used (the
            # server accepts one step of clock drift).
            self.type(code, totp_code(totp_key, at=time.time() + 30))
            self.find("login-submit").click()
        self.wait(lambda: "/app/login" not in self.driver.current_url and self.state() in ("ready", "error"),
                  "signed in: the dashboard left /app/login")

    def login_owner(self, path=None):
        creds = owner_credentials()
        self.login(creds["email"], creds["password"], path=path)

    def settings(self, section, query=""):
        """Opens a settings section (a fresh page load) and waits for it to be drawn."""
        self.driver.get(f"{self.base}/app/o/{self.org}/settings/{section}{query}")
        self.wait_el("settings-nav")
        return self.wait_el("settings-section")

    def nav_sections(self):
        return [a.get_attribute("data-section") for a in self.find_all("settings-link")]

    def screenshot(self, artifacts, name):
        self.driver.save_screenshot(str(artifacts / f"{name}.png"))


def site_editor(dash, site):
    """Selects the site in the list (clicking its row) and returns its editor."""
    dash.settings("sites")
    row = dash.wait_el("site-row", data_id=site["id"])
    dash.find("site-select", row).click()
    return dash.wait_el("site-detail", data_id=site["id"])


# ---------------------------------------------------------------------------------------------------


def test_site_settings_changed_in_the_dashboard_reach_the_widget(driver, base, parley, site, load, widget, artifacts,
                                                                 console):
    dash = Dash(driver, base, parley.org)
    dash.login_owner()
    editor = site_editor(dash, site)

    snippet = dash.find("site-snippet", editor)
    expected = f'<script src="{base}/widget.js" data-site="{site["site_key"]}" async></script>'
    assert snippet.get_attribute("value") == expected
    assert snippet.get_attribute("readonly") is not None, "the embed snippet should be readonly"
    dash.find("site-copy", editor).click()
    copied = dash.wait(lambda: driver.execute_script("""
        const s = document.querySelector('.st-copy-status'); return s && s.dataset.state;"""), "a copy status")
    if copied == "selected":  # no clipboard permission: the whole snippet is selected for Ctrl+C
        selection = driver.execute_script("const t = arguments[0]; return [t.selectionStart, t.selectionEnd];", snippet)
        assert selection == [0, len(expected)], f"fallback copy selected {selection} of {len(expected)} characters"

    greeting = "Hi from the dashboard, ask us anything"
    dash.type(dash.find("site-greeting", editor), greeting)
    dash.set_value(dash.find("site-color", editor), GREEN)
    Select(dash.find("site-position", editor)).select_by_value("left")
    Select(dash.find("site-reply-time", editor)).select_by_value("hours")
    dash.type(dash.find("site-upload-max", editor), "5")
    dash.find("site-save", editor).click()
    dash.wait_text("site-status", "Saved")
    editor = dash.wait_el("site-detail", data_id=site["id"])

    settings = parley.widget_settings(site)
    assert (settings["theme_color"], settings["position"], settings.get("greeting"), settings.get("reply_time")) == \
        (GREEN, "left", greeting, "hours"), settings
    assert settings["uploads"]["max_bytes"] == 5 * 1024 * 1024, settings["uploads"]
    assert dash.find("site-color-hex", editor).get_attribute("value") == GREEN
    dash.screenshot(artifacts, "dashboard-settings-sites")

    # The customer's page now shows the new look.
    load(site)
    widget.wait_ready()
    assert widget.js("return getComputedStyle(byId('launcher')).backgroundColor;") == GREEN_RGB
    width = driver.execute_script("return innerWidth")
    assert widget.rect("launcher")["right"] < width / 2, "position=left, but the launcher is on the right"
    widget.open()
    assert widget.text("greeting").strip() == greeting, f"the widget greets with {widget.text('greeting')!r}"
    assert widget.js("return getComputedStyle(root.querySelector('header')).backgroundColor;") == GREEN_RGB
    console.assert_clean(allow=CONSOLE_ALLOW)


def test_bad_origin_shows_the_servers_problem_next_to_the_field_and_saves_nothing(driver, base, parley, site,
                                                                                   host_page, artifacts, console):
    dash = Dash(driver, base, parley.org)
    dash.login_owner()
    editor = site_editor(dash, site)

    dash.type(dash.find("site-origins", editor), f"{host_page.origin}\nnot a url")
    dash.type(dash.find("site-greeting", editor), "This must not be saved")
    dash.find("site-save", editor).click()
    origins_field = editor.find_element(By.CSS_SELECTOR, '.st-field[data-field="allowed_origins"]')
    error = dash.wait_el("field-error", origins_field)
    assert "Line 2" in error.text and "http" in error.text, f"origin error says {error.text!r}"
    assert dash.find("site-origins", editor).get_attribute("aria-invalid") == "true"
    assert "Saved" not in dash.find("site-status", editor).text
    dash.screenshot(artifacts, "dashboard-settings-origin-error")

    stored = parley.site(site)
    assert stored["allowed_origins"] == [host_page.origin], f"a refused save changed the origins: {stored}"
    assert "greeting" not in stored["widget"] or stored["widget"]["greeting"] is None, \
        f"a refused save changed the greeting: {stored['widget']}"

    # Fixed: both lines saved, the origin normalized by the server and shown as stored.
    dash.type(dash.find("site-origins", editor), f"{host_page.origin}\nhttps://Shop.Example.com/")
    dash.find("site-save", editor).click()
    dash.wait_text("site-status", "Saved")
    editor = dash.wait_el("site-detail", data_id=site["id"])
    stored = parley.site(site)
    assert stored["allowed_origins"] == [host_page.origin, "https://shop.example.com"], stored["allowed_origins"]
    assert dash.find("site-origins", editor).get_attribute("value") == "\n".join(stored["allowed_origins"])

    # A bad pre-chat field name: the problem lands next to the pre-chat fields, naming the row.
    dash.find("prechat-add", editor).click()
    rows = dash.find_all("prechat-field", editor)
    dash.type(dash.find("prechat-field-name", rows[-1]), "Bad Name")
    dash.type(dash.find("prechat-field-label", rows[-1]), "Company")
    dash.find("site-save", editor).click()
    prechat = editor.find_element(By.CSS_SELECTOR, '.st-field[data-field="widget.prechat"]')
    error = dash.wait_el("field-error", prechat)
    assert f"Field {len(rows)}" in error.text, f"pre-chat error says {error.text!r}"
    assert [f["name"] for f in parley.site(site)["widget"]["prechat"]["fields"]] == ["name", "email"]
    console.assert_clean(allow=CONSOLE_ALLOW + [r"status of 422"])


def test_identity_toggle_key_rotation_and_site_deletion(driver, base, parley, site, host_page, artifacts, console):
    dash = Dash(driver, base, parley.org)
    dash.login_owner()
    editor = site_editor(dash, site)

    # Identity verification required
    dash.click(dash.find("site-identity-required", editor))
    dash.click(dash.find("site-save", editor))
    dash.wait_text("site-status", "Saved")
    assert parley.site(site)["identity_required"] is True
    editor = dash.wait_el("site-detail", data_id=site["id"])
    assert dash.find("site-identity-required", editor).is_selected()

    # Rotation asks first; cancelling changes nothing.
    dash.click(dash.find("site-rotate", editor))
    dash.click(dash.wait_el("confirm-no", editor))
    assert parley.site(site)["site_key"] == site["site_key"]

    # Rotating replaces both keys; the new secret is shown once and the snippet follows.
    dash.confirm(dash.find("site-rotate", editor))
    secret = dash.wait_el("site-new-secret").get_attribute("value")
    stored = parley.site(site)
    assert stored["site_key"] != site["site_key"] and secret == stored["identity_secret"] != site["identity_secret"]
    editor = dash.wait_el("site-detail", data_id=site["id"])
    assert f'data-site="{stored["site_key"]}"' in dash.find("site-snippet", editor).get_attribute("value")
    row = dash.find("site-row", data_id=site["id"])
    assert stored["site_key"] in row.text
    dash.screenshot(artifacts, "dashboard-settings-sites-rotated")
    # Shown once: selecting the site again no longer shows it.
    dash.click(dash.find("site-select", row))
    dash.wait_gone("site-new-secret")

    # Deletion asks first, then the site is gone from the list and the API.
    editor = dash.wait_el("site-detail", data_id=site["id"])
    dash.confirm(dash.find("site-delete", editor))
    dash.wait_gone("site-row", data_id=site["id"])
    gone = http("GET", f"{base}{parley.org_path('sites/' + site['id'])}", token=parley.token)
    assert gone.status == 404, gone.describe()
    console.assert_clean(allow=CONSOLE_ALLOW)


def test_canned_responses_and_labels_crud_through_the_ui(driver, base, parley, artifacts, console):
    dash = Dash(driver, base, parley.org)
    dash.login_owner()
    canned_path = parley.org_path("canned-responses")

    def canned():
        return {c["shortcut"]: c for c in parley.call("GET", canned_path, 200, what="list canned").json()["items"]}

    # Create (markup in the body is data)
    dash.settings("canned")
    shortcut = unique("refund")
    body = "We refunded you <img src=x onerror=window.__xss=1> within 5 days."
    new = dash.wait_el("canned-new")
    dash.type(dash.find("canned-shortcut", new), shortcut.upper())
    dash.type(dash.find("canned-body", new), body)
    dash.find("canned-save", new).click()
    row = dash.wait_el("canned-row", data_shortcut=shortcut)
    assert canned()[shortcut]["body"] == body
    assert dash.find("canned-body", row).get_attribute("value") == body

    # Edit
    edited = "Refunds take 5 to 7 days."
    dash.type(dash.find("canned-body", row), edited)
    dash.find("canned-save", row).click()
    dash.wait(lambda: canned().get(shortcut, {}).get("body") == edited, "the edited body in the API")

    # Duplicate shortcut: the server's 409 shown in the form
    new = dash.find("canned-new")
    dash.type(dash.find("canned-shortcut", new), shortcut)
    dash.type(dash.find("canned-body", new), "duplicate")
    dash.find("canned-save", new).click()
    error = dash.wait_el("form-error", new)
    assert "taken" in error.text, f"duplicate shortcut says {error.text!r}"
    dash.screenshot(artifacts, "dashboard-settings-canned")

    # Delete
    row = dash.wait_el("canned-row", data_shortcut=shortcut)
    dash.confirm(dash.find("canned-delete", row))
    dash.wait_gone("canned-row", data_shortcut=shortcut)
    assert shortcut not in canned()

    # Labels
    labels_path = parley.org_path("labels")

    def labels():
        return {label["name"]: label for label in parley.call("GET", labels_path, 200, what="list labels").json()["items"]}

    dash.settings("labels")
    name = unique("Billing")
    new = dash.wait_el("label-new")
    dash.type(dash.find("label-name", new), name)
    dash.set_value(dash.find("label-color", new), "#d97706")
    dash.find("label-save", new).click()
    row = dash.wait_el("label-row", data_name=name.lower())
    assert labels()[name.lower()]["color"] == "#d97706"

    dash.set_value(dash.find("label-color", row), "#2563eb")
    dash.find("label-save", row).click()
    dash.wait(lambda: labels().get(name.lower(), {}).get("color") == "#2563eb", "the new colour in the API")
    row = dash.wait_el("label-row", data_name=name.lower())
    dash.screenshot(artifacts, "dashboard-settings-labels")

    dash.confirm(dash.find("label-delete", row))
    dash.wait_gone("label-row", data_name=name.lower())
    assert name.lower() not in labels()
    assert driver.execute_script("return window.__xss") is None, "markup in a canned response ran"
    console.assert_clean(allow=CONSOLE_ALLOW + [r"status of 409"])


def test_invitation_accept_link_role_change_and_agent_sees_no_admin_sections(driver, second_driver, base, parley,
                                                                             artifacts, console):
    owner = Dash(driver, base, parley.org)
    owner.login_owner()
    owner.settings("members")
    email = f"{unique('invitee')}@example.com"
    owner.type(owner.wait_el("invite-email"), email)
    Select(owner.find("invite-role")).select_by_value("agent")
    owner.find("invite-submit").click()
    link = owner.wait_el("invite-link").get_attribute("value")
    assert link.startswith(f"{base}/app/accept#token=inv_"), link
    pending = parley.call("GET", parley.org_path("invitations"), 200, what="list invitations").json()
    assert any(i["email"] == email and i["role"] == "agent" for i in pending), pending
    owner.wait_text("invitation-email", email)
    owner.screenshot(artifacts, "dashboard-settings-members")

    # The invitee opens the link in their own browser, creates the account and lands in the dashboard.
    invitee = Dash(second_driver, base, parley.org)
    second_driver.get(link)
    invitee.type(invitee.wait_el("accept-name"), "Ivy Invitee")
    invitee.type(invitee.find("accept-password"), "correct horse battery")
    invitee.find("accept-submit").click()
    invitee.wait(lambda: f"/app/o/{parley.org}/" in second_driver.current_url and invitee.state() == "ready",
                 "the invitee's dashboard")
    members = parley.call("GET", parley.org_path("members"), 200, what="list members").json()
    member = next(m for m in members if m["email"] == email)
    assert member["role"] == "agent"

    # As an agent: only the profile section, even when asking for an admin one, and no 403 on the way.
    invitee.settings("sites")
    assert invitee.nav_sections() == ["profile"], invitee.nav_sections()
    invitee.wait_el("settings-unavailable")
    assert invitee.find("settings-section").get_attribute("data-section") == "profile"
    invitee.screenshot(artifacts, "dashboard-settings-agent")
    forbidden = [p for p in second_driver.console_log.problems() if " 403" in p]
    assert not forbidden, f"the agent's dashboard made forbidden requests: {forbidden}"

    # The owner makes them an admin; their settings then show every section.
    owner.settings("members")
    row = owner.wait_el("member-row", data_id=member["user_id"])
    Select(owner.find("member-role", row)).select_by_value("admin")
    owner.wait(lambda: next(m for m in parley.call("GET", parley.org_path("members"), 200, what="members").json()
                            if m["user_id"] == member["user_id"])["role"] == "admin", "the role change in the API")
    invitee.settings("members")
    invitee.wait(lambda: invitee.nav_sections() == ["sites", "members", "canned", "labels", "profile"],
                 "every section for an admin")
    # An admin grants at most admin and cannot touch the owner.
    invite_roles = [o.get_attribute("value") for o in Select(invitee.wait_el("invite-role")).options]
    assert invite_roles == ["admin", "agent"], invite_roles
    creds = owner_credentials()
    owner_row = next(r for r in invitee.find_all("member-row") if creds["email"] in r.text)
    assert not invitee.find("member-role", owner_row).is_enabled(), "an admin may not change the owner's role"

    # A second invitation, revoked from the list.
    other = f"{unique('revoked')}@example.com"
    owner.type(owner.wait_el("invite-email"), other)
    owner.find("invite-submit").click()
    row = owner.wait_text("invitation-row", other)
    owner.confirm(owner.find("invitation-revoke", row))
    owner.wait(lambda: not [r for r in owner.find_all("invitation-row") if other in r.text], "the revoked row gone")
    pending = parley.call("GET", parley.org_path("invitations"), 200, what="list invitations").json()
    assert not [i for i in pending if i["email"] == other and not i.get("accepted_at")], pending
    console.assert_clean(allow=CONSOLE_ALLOW)
    second_driver.console_log.assert_clean(allow=CONSOLE_ALLOW)


def test_two_factor_setup_then_password_change_signs_out(driver, base, parley, artifacts, console):
    user = make_member(parley, "agent", name="Tessa Totp")
    dash = Dash(driver, base, parley.org)
    dash.login(user["email"], user["password"])
    dash.settings("profile")
    assert dash.wait_el("profile-email").text == user["email"]

    # Two-factor: the key is shown in groups of four; a code computed from it turns it on.
    dash.find("totp-setup").click()
    shown = dash.wait_el("totp-secret").text
    assert all(len(group) == 4 for group in shown.split()[:-1]), f"key not grouped in 4s: {shown!r}"
    key = shown.replace(" ", "")
    url = dash.find("totp-url").get_attribute("value")
    assert url.startswith("otpauth://totp/") and f"secret={key}" in url, (url, key)
    dash.screenshot(artifacts, "dashboard-settings-totp-setup")
    dash.type(dash.find("totp-code"), "000000" if totp_code(key) != "000000" else "111111")
    dash.find("totp-enable").click()
    dash.wait_el("field-error", dash.find("totp"))  # a wrong code is refused next to the field
    dash.type(dash.find("totp-code"), totp_code(key))
    dash.find("totp-enable").click()
    dash.wait_text("totp-status", "On")
    assert login_status(base, user["email"], user["password"]) == (401, "totp-required")
    dash.screenshot(artifacts, "dashboard-settings-profile")

    # Password change: every session ends, this page goes to the sign-in page.
    new_password = "new-" + secrets.token_hex(8)
    dash.type(dash.find("profile-current-password"), user["password"])
    dash.type(dash.find("profile-new-password"), new_password)
    dash.find("profile-password-save").click()
    dash.wait(lambda: urllib.parse.urlparse(driver.current_url).path == "/app/login" and dash.state() == "login",
              "the sign-in page after the password change")
    dash.wait_el("login-email")
    dash.wait_text("toast", "password was changed")
    dash.wait_text("login-notice", "password was changed")
    assert http("GET", f"{base}/api/v1/me", token=user["token"]).status == 401, "an older session survived"
    assert login_status(base, user["email"], user["password"], totp_code(key)) == (401, "invalid-credentials")

    # Signing in again needs the new password and a code.
    dash.login(user["email"], new_password, totp_key=key)
    assert dash.state() == "ready"

    # And two-factor can be turned off with a code: one later than the code that just signed in
    # (which was the next one), so wait for the authenticator to move on, as a person would.
    signed_in_step = int(time.time() // 30) + 1
    wait_until(driver, lambda: time.time() // 30 >= signed_in_step, "the authenticator's next code", 35)
    dash.settings("profile")
    dash.type(dash.wait_el("totp-code"), totp_code(key, at=time.time() + 30))
    dash.find("totp-disable").click()
    dash.wait_text("totp-status", "Off")
    assert login_status(base, user["email"], new_password)[0] == 200
    console.assert_clean(allow=CONSOLE_ALLOW + [r"status of 422", r"status of 401"])


def test_settings_sections_keyboard_reachable_at_tablet_width(driver, base, parley, artifacts, console):
    """At 768 px the nav sits above the section and every section link is a real, focusable link."""
    driver.set_window_size(768, 900)
    dash = Dash(driver, base, parley.org)
    dash.login_owner()
    for section in ["sites", "members", "canned", "labels", "profile"]:
        dash.settings(section)
        assert dash.find("settings-section").get_attribute("data-section") == section
        current = dash.find("settings-link", data_section=section)
        assert current.get_attribute("aria-current") == "page"
        overflow = driver.execute_script("return document.documentElement.scrollWidth - innerWidth;")
        assert overflow <= 1, f"{section}: the page is {overflow}px wider than the 768px window"
        dash.screenshot(artifacts, f"dashboard-settings-{section}-768")
    # Following a nav link routes without a page load (the History API).
    marker = driver.execute_script("window.__stillHere = 1; return 1;")
    dash.find("settings-link", data_section="canned").send_keys(Keys.ENTER)
    dash.wait(lambda: dash.find("settings-section").get_attribute("data-section") == "canned", "the canned section")
    assert driver.execute_script("return window.__stillHere") == marker, "the nav link reloaded the page"
    console.assert_clean(allow=CONSOLE_ALLOW)
