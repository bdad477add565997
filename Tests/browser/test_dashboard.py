"""The agent dashboard (/app) in a real browser: live inbox and conversation, claim races between two
agents, tenancy by URL, two-factor sign-in, the composer, live counts / unread / title, keyboard.

Visitors talk through the widget visitor API (Origin of the test site); agents are members invited
through the API. Screenshots of the main screens go to the artifacts directory.
"""

import re
import threading

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from dashboard_page import (Visitor, VisitorSocket, add_member, dashboard, owner, second_dashboard, signup,  # noqa: F401 (fixtures)
                            totp_code, unique)


def title_count(dash):
    match = re.match(r"^\((\d+)\+?\)", dash.driver.title)
    return int(match.group(1)) if match else 0


def press(driver, *keys):
    """Keys sent to whatever has the focus (the page, not a field)."""
    chain = ActionChains(driver)
    for key in keys:
        chain.send_keys(key)
    chain.perform()


def test_dashboard_agent_sees_message_live_and_replies(dashboard, parley, site, owner, artifacts, console):
    dashboard.go("/app")
    dashboard.wait_state("login")
    dashboard.screenshot(artifacts, "dashboard-login")
    dashboard.login_as(owner)
    dashboard.js("window.__sameDocument = true")

    visitor = Visitor(parley, site)
    first = f"Hello, I need help {unique()}"
    visitor.send(first)
    conversation = visitor.conversation_id
    row = dashboard.wait_row(conversation, lambda r: r["preview"] == first, "the new conversation's row with its message")
    assert row["unread"] >= 1, f"a visitor's new message shows no unread count: {row}"
    assert dashboard.rows()[0]["id"] == conversation, "the new conversation is not on top of the inbox"
    dashboard.screenshot(artifacts, "dashboard-inbox")

    dashboard.open_row(conversation)
    dashboard.wait_message(first, "visitor")
    follow_up = f"Are you there? {unique()}"
    visitor.send(follow_up)
    dashboard.wait_message(follow_up, "visitor")
    dashboard.wait_row(conversation, lambda r: r["preview"] == follow_up, "the row showing the latest message")

    reply = f"Yes, how can I help? {unique()}"
    dashboard.type_in_composer(reply, send=True)
    mine = dashboard.wait_message(reply, "member")
    assert dashboard.composer_value() == "", "the composer keeps the sent text"
    dashboard.wait(lambda: any(m["body"] == reply and m["author_type"] == "member" for m in visitor.history()),
                   lambda: f"the visitor API history to contain the reply (it has {visitor.history()[-3:]})")
    assert any(m["id"] == mine["id"] for m in visitor.history()), "the visitor got another message id than shown"
    assert dashboard.js("return window.__sameDocument === true"), "the page reloaded to show live updates"
    dashboard.screenshot(artifacts, "dashboard-conversation")

    dashboard.go(f"/app/o/{parley.org}/settings/sites")
    dashboard.wait_visible("settings-nav")
    dashboard.screenshot(artifacts, "dashboard-settings")
    console.assert_clean()


def test_dashboard_two_agents_claim_at_once_one_wins_loser_sees_winner(dashboard, second_dashboard, parley, site, artifacts):
    one, two = add_member(parley, "Agent One"), add_member(parley, "Agent Two")
    visitor = Visitor(parley, site)
    visitor.send(f"Whoever is first {unique()}")
    conversation = visitor.conversation_id

    agents = [(dashboard, one), (second_dashboard, two)]
    for dash, account in agents:
        dash.login_as(account)
        dash.go(f"/app/o/{parley.org}/c/{conversation}")
        dash.wait_conversation(conversation)
        dash.wait_visible("claim")

    # Both click at the same moment: each browser gets the click from its own thread, released together.
    barrier = threading.Barrier(2)
    errors = []

    def click(dash):
        button = dash.find("claim")
        try:
            barrier.wait(10)
            dash.js("arguments[0].click()", button)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=click, args=(dash,)) for dash, _ in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors, f"clicking claim failed: {errors}"

    # The clicks have been delivered; their claims may still be on the way. Wait for the one that wins.
    dashboard.wait(lambda: parley.conversation(conversation).get("assignee_id"), "a claim to be recorded by the server")
    holder = parley.conversation(conversation).get("assignee_id")
    assert holder in (one.id, two.id), f"server: someone else holds the conversation: {holder}"
    winner, loser = (agents[0], agents[1]) if holder == one.id else (agents[1], agents[0])
    win_dash, win_account = winner
    lose_dash, _ = loser

    win_dash.wait(lambda: win_dash.js("return document.querySelector('[data-testid=\"assignee-select\"]').value") == holder,
                  "the winner's assignee control to show them")
    assert not win_dash.visible("conflict-notice"), "the winner is told of a conflict"
    notice = lose_dash.wait_visible("conflict-notice")
    assert win_account.name in notice.text, f"the conflict notice does not name the winner: {notice.text!r}"
    lose_dash.wait(lambda: lose_dash.js("return document.querySelector('[data-testid=\"assignee-select\"]').value") == holder,
                   "the loser's assignee control to show the winner")
    selected = lose_dash.js("""const s = document.querySelector('[data-testid="assignee-select"]');
        return s.options[s.selectedIndex].textContent;""")
    assert win_account.name in selected, f"the loser's assignee control shows {selected!r}"
    lose_dash.screenshot(artifacts, "dashboard-claim-conflict")


def test_dashboard_other_organization_cannot_open_conversation_by_url(dashboard, parley, site, artifacts):
    secret = f"Top secret order {unique()}"
    name = f"Secret Person {unique()}"
    visitor = Visitor(parley, site)
    visitor.identify(name=name)
    visitor.send(secret)
    conversation = visitor.conversation_id

    stranger = signup(dashboard.base)
    dashboard.login_as(stranger)
    for org in (parley.org, stranger.org):
        dashboard.go(f"/app/o/{org}/c/{conversation}")
        dashboard.wait_visible("not-found")
        dashboard.wait_state("ready", "error")
        source = dashboard.driver.page_source
        assert secret not in source, f"organization {org}: the other organization's message is on the page"
        assert name not in source, f"organization {org}: the other organization's visitor is on the page"
        assert not dashboard.find_all("message"), "messages are shown for a conversation of another organization"
    dashboard.screenshot(artifacts, "dashboard-not-found")


def test_dashboard_login_with_two_factor_wrong_code_refused(dashboard, artifacts):
    account = signup(dashboard.base)
    secret = account.enable_totp()

    dashboard.go("/app/login")
    dashboard.wait_state("login")
    dashboard.find("login-email").send_keys(account.email)
    dashboard.find("login-password").send_keys(account.password)
    dashboard.find("login-submit").click()
    totp = dashboard.wait_visible("login-totp")
    assert dashboard.state() == "login"

    valid = {totp_code(secret, at=__import__("time").time() + drift) for drift in (-60, -30, 0, 30, 60)}
    wrong = next(code for code in ("000000", "123456", "999999", "424242") if code not in valid)
    totp.send_keys(wrong)
    dashboard.find("login-submit").click()
    error = dashboard.wait_visible("login-error")
    assert error.text.strip(), "the login error is empty"
    assert dashboard.state() == "login", "a wrong two-factor code signed in"
    dashboard.screenshot(artifacts, "dashboard-login-totp-error")

    # The code that enabled two-factor was used once already (RFC 6238 §5.2).
    totp.clear()
    totp.send_keys(account.totp_enabled_with)
    dashboard.find("login-submit").click()
    dashboard.wait(lambda: "already used" in dashboard.find("login-error").text, "the replayed code refused as used")
    assert dashboard.state() == "login", "the code that enabled two-factor signed in"

    # The next code (accepted as one step of clock drift) signs in.
    totp.clear()
    totp.send_keys(totp_code(secret, at=__import__("time").time() + 30))
    dashboard.find("login-submit").click()
    dashboard.wait_state("ready", timeout=20)
    assert "/app/o/" in dashboard.driver.current_url


def test_dashboard_composer_enter_shift_enter_drafts_canned_private_note(dashboard, parley, site, owner):
    shortcut = "ty" + unique("c").replace("-", "")[:10].lower()
    canned_body = f"Thank you for waiting! {unique()}"
    parley.call("POST", parley.org_path("canned-responses"), 201, what="create canned response",
                json_body={"shortcut": shortcut, "body": canned_body})
    first, second = Visitor(parley, site), Visitor(parley, site)
    first.send(f"First visitor {unique()}")
    second.send(f"Second visitor {unique()}")

    dashboard.login_as(owner)
    dashboard.open_row(first.conversation_id)

    # Shift+Enter is a new line; Enter sends the whole text.
    box = dashboard.composer()
    box.click()
    box.send_keys("line one")
    box.send_keys(Keys.SHIFT, Keys.ENTER)
    box.send_keys("line two")
    assert dashboard.composer_value() == "line one\nline two"
    assert not any(m["author_type"] == "member" for m in dashboard.messages()), "Shift+Enter sent the message"
    box.send_keys(Keys.ENTER)
    dashboard.wait_message("line one\nline two", "member")
    assert dashboard.composer_value() == ""

    # A draft survives switching conversations (and only belongs to its conversation).
    draft = f"half-written answer {unique()}"
    dashboard.type_in_composer(draft)
    dashboard.open_row(second.conversation_id)
    assert dashboard.composer_value() == "", "the draft leaked into another conversation"
    dashboard.open_row(first.conversation_id)
    dashboard.wait(lambda: dashboard.composer_value() == draft, lambda: f"the draft back (composer: {dashboard.composer_value()!r})")

    # /shortcut inserts the canned response.
    dashboard.open_row(second.conversation_id)
    dashboard.type_in_composer("Hi! /" + shortcut[:4])
    dashboard.wait_visible("canned-suggestions")
    items = [e.get_attribute("data-shortcut") for e in dashboard.find_all("canned-suggestion")]
    assert shortcut in items, f"the suggestions {items} miss /{shortcut}"
    while dashboard.js("return document.querySelector('[data-testid=\"canned-suggestion\"][aria-selected=\"true\"]').dataset.shortcut") != shortcut:
        dashboard.composer().send_keys(Keys.ARROW_DOWN)
    dashboard.composer().send_keys(Keys.TAB)
    assert dashboard.composer_value() == "Hi! " + canned_body
    dashboard.composer().send_keys(Keys.ENTER)
    dashboard.wait_message("Hi! " + canned_body, "member")

    # A private note looks different and never reaches the visitor.
    note = f"Internal: check the refund {unique()}"
    dashboard.find("composer-private").click()
    dashboard.type_in_composer(note, send=True)
    shown = dashboard.wait_message(note, "member")
    assert shown["private"], f"the note is not marked private: {shown}"
    looks = dashboard.js("""const bg = (el) => getComputedStyle(el.querySelector('.bubble') || el).backgroundColor;
        const all = [...document.querySelectorAll('[data-testid="message"][data-author-type="member"]')];
        const note = all.find(m => m.dataset.private === 'true'), reply = all.find(m => m.dataset.private === 'false');
        return [bg(note), bg(reply)];""")
    assert looks[0] != looks[1], f"a private note looks like a reply: {looks}"
    history = second.history()
    assert any(m["body"] == "Hi! " + canned_body for m in history), "the visitor did not get the canned reply"
    assert all(note not in m["body"] for m in history), "the private note reached the visitor API"


def test_dashboard_live_counts_unread_badge_and_title(dashboard, parley, site, owner):
    older = Visitor(parley, site)
    older.send(f"An earlier question {unique()}")
    dashboard.login_as(owner)
    dashboard.wait(lambda: dashboard.view_count("unassigned") is not None and dashboard.view_count("all") is not None,
                   "the view counts")
    dashboard.wait_row(older.conversation_id)
    counts = {view: dashboard.view_count(view) for view in ("unassigned", "all", "mine")}
    title = title_count(dashboard)

    visitor = Visitor(parley, site)
    visitor.send(f"Brand new chat {unique()}")
    conversation = visitor.conversation_id
    dashboard.wait(lambda: dashboard.view_count("unassigned") == counts["unassigned"] + 1
                   and dashboard.view_count("all") == counts["all"] + 1,
                   lambda: f"counts +1 (before {counts}, now unassigned={dashboard.view_count('unassigned')}, all={dashboard.view_count('all')})")
    assert dashboard.view_count("mine") == counts["mine"]
    row = dashboard.wait_row(conversation, lambda r: r["badge"] == "1", "an unread badge of 1")
    assert dashboard.rows()[0]["id"] == conversation, "the new conversation is not on top"
    dashboard.wait(lambda: title_count(dashboard) >= title + 1, lambda: f"the title count to grow from {title} ({dashboard.driver.title!r})")
    title = title_count(dashboard)

    visitor.send(f"Hello? {unique()}")
    dashboard.wait_row(conversation, lambda r: r["badge"] == "2" and r["unread"] == 2, "the unread badge at 2")
    dashboard.wait(lambda: title_count(dashboard) == title + 1, lambda: f"the title count at {title + 1} ({dashboard.driver.title!r})")

    # Activity moves an older conversation back to the top.
    older.send(f"Me again {unique()}")
    dashboard.wait(lambda: dashboard.rows()[0]["id"] == older.conversation_id, "the older conversation moving to the top")

    # Opening the conversation reads it: the badge goes, the title count drops.
    dashboard.open_row(conversation)
    dashboard.wait_row(conversation, lambda r: r["unread"] == 0 and r["badge"] == "", "the badge cleared after reading")
    assert row is not None


def test_dashboard_deleted_site_conversations_leave_the_inbox_live(dashboard, parley, site, owner, host_page):
    kept = Visitor(parley, site)
    kept.send(f"Staying {unique()}")
    doomed_site = parley.create_site(f"doomed {unique()}", [host_page.origin])
    doomed = Visitor(parley, doomed_site)
    doomed.send(f"Going away {unique()}")
    dashboard.login_as(owner)
    dashboard.wait_row(doomed.conversation_id)
    dashboard.wait_row(kept.conversation_id)

    parley.call("DELETE", parley.org_path(f"sites/{doomed_site['id']}"), 204, what="delete site")
    dashboard.wait(lambda: dashboard.row(doomed.conversation_id) is None,
                   "the deleted site's conversation to leave the inbox without a reload")
    dashboard.wait(lambda: doomed_site["id"] not in dashboard.js(
        "return [...document.querySelectorAll('[data-testid=\"filter-site\"] option')].map(o => o.value)"),
        "the deleted site to leave the site filter")
    assert dashboard.row(kept.conversation_id) is not None, "another site's conversation left too"


def test_dashboard_keyboard_j_k_enter_navigation(dashboard, parley, site, owner):
    visitors = [Visitor(parley, site) for _ in range(3)]
    for i, visitor in enumerate(visitors):
        visitor.send(f"Keyboard {i} {unique()}")
    newest_first = [v.conversation_id for v in reversed(visitors)]
    dashboard.login_as(owner)
    dashboard.wait(lambda: [r["id"] for r in dashboard.rows()[:3]] == newest_first,
                   lambda: f"the three new conversations on top (rows {[r['id'] for r in dashboard.rows()[:3]]})")

    def selected():
        return dashboard.js("const r = document.querySelector('[data-testid=\"conversation-row\"].selected'); return r && r.dataset.id;")

    dashboard.driver.find_element(By.TAG_NAME, "body").click()
    press(dashboard.driver, "j")
    dashboard.wait(lambda: selected() == newest_first[0], "j to select the first row")
    press(dashboard.driver, "j", "j")
    dashboard.wait(lambda: selected() == newest_first[2], "j j to select the third row")
    press(dashboard.driver, "k")
    dashboard.wait(lambda: selected() == newest_first[1], "k to go back to the second row")
    press(dashboard.driver, Keys.ENTER)
    dashboard.wait_conversation(newest_first[1])
    assert dashboard.driver.current_url.endswith(f"/c/{newest_first[1]}")

    press(dashboard.driver, "j")
    dashboard.wait(lambda: selected() == newest_first[2], "j from the open conversation")
    press(dashboard.driver, "o")
    dashboard.wait_conversation(newest_first[2])

    press(dashboard.driver, "c")
    dashboard.wait(lambda: dashboard.js("return document.activeElement && document.activeElement.dataset.testid") == "composer",
                   "c to focus the composer")
    press(dashboard.driver, "j")  # typed into the composer, not a shortcut
    assert dashboard.composer_value() == "j"
    assert selected() == newest_first[2]
    press(dashboard.driver, Keys.ESCAPE)
    dashboard.wait(lambda: dashboard.js("return document.activeElement && document.activeElement.dataset.testid") != "composer",
                   "Esc to leave the composer")
    press(dashboard.driver, "?")
    dashboard.wait_visible("shortcuts-help")


def test_dashboard_typing_seen_edit_delete_upload_presence_tablet(dashboard, parley, site, owner, artifacts, tmp_path, console):
    visitor = Visitor(parley, site)
    visitor.send(f"Typing test {unique()}")
    conversation = visitor.conversation_id
    socket = VisitorSocket(visitor)
    try:
        socket.command("subscribe", conversation_id=conversation)
        dashboard.login_as(owner)
        dashboard.open_row(conversation)

        # The visitor types: the agent sees it; the agent types: the visitor gets typing frames.
        socket.command("typing", conversation_id=conversation, state="start")
        dashboard.wait_visible("typing")
        socket.command("typing", conversation_id=conversation, state="stop")
        dashboard.wait(lambda: not dashboard.visible("typing"), "the typing indicator to go after stop")
        dashboard.type_in_composer("Let me check")
        socket.wait_for(lambda f: f.get("type") == "typing" and f.get("state") == "start" and f.get("user_id") == owner.id,
                        "the agent's typing start")

        # Reply, then the visitor reads it: "Seen".
        dashboard.composer().send_keys(" that for you", Keys.ENTER)
        reply = dashboard.wait_message("Let me check that for you", "member")
        socket.wait_for(lambda f: f.get("type") == "typing" and f.get("state") == "stop", "the agent's typing stop")
        assert not dashboard.visible("seen")
        seq = next(m["seq"] for m in visitor.history() if m["id"] == reply["id"])
        socket.command("read", conversation_id=conversation, seq=seq)
        dashboard.wait_visible("seen")

        # Edit and delete one's own message.
        dashboard.message_action(reply["id"], "message-edit").click()
        edit = dashboard.wait_visible("message-edit-input")
        edit.clear()
        edit.send_keys("Checking now", Keys.ENTER)
        dashboard.wait_message("Checking now", "member")
        dashboard.wait(lambda: any(m["body"] == "Checking now" for m in visitor.history()), "the edit to reach the visitor")
        delete = dashboard.message_action(reply["id"], "message-delete")
        delete.click()
        delete.click()  # confirm
        dashboard.wait(lambda: all(m["body"] != "Checking now" for m in dashboard.messages()), "the deleted message's text to go")

        # An agent's image upload shows inline through a signed link.
        png = tmp_path / "chart.png"
        png.write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                                      "1f15c4890000000d49444154789c6360000002000154a24f6b0000000049454e44ae426082"))
        dashboard.find("file-input").send_keys(str(png))
        dashboard.wait_message("chart.png", "member")
        dashboard.wait(lambda: dashboard.js("""const img = document.querySelector('[data-testid="conversation"] img.att-image');
            return !!img && img.complete && img.naturalWidth === 1;"""), "the uploaded image to load inline")
        link = dashboard.find("attachment-link").get_attribute("href")
        assert "/files/" in link and "signature=" in link, f"the attachment link is not a signed link: {link}"
        socket.wait_for(lambda f: f.get("type") == "event" and f.get("event") == "message.created"
                        and (f.get("data") or {}).get("attachment"), "the upload reaching the visitor")

        # Drag and drop onto the conversation, and paste into the composer (real DataTransfer objects).
        dashboard.js("""const dt = new DataTransfer();
            dt.items.add(new File(['dropped text'], 'dropped.txt', {type: 'text/plain'}));
            const target = document.querySelector('[data-testid="conversation"]');
            for (const type of ['dragenter', 'dragover', 'drop']) {
              target.dispatchEvent(new DragEvent(type, {dataTransfer: dt, bubbles: true, cancelable: true}));
            }""")
        dashboard.wait_message("dropped.txt", "member")
        dashboard.js("""const dt = new DataTransfer();
            dt.items.add(new File(['pasted text'], 'pasted.txt', {type: 'text/plain'}));
            document.querySelector('[data-testid="composer"]').dispatchEvent(
              new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true}));""")
        dashboard.wait_message("pasted.txt", "member")
        names = [m["attachment"]["filename"] for m in visitor.history() if m.get("attachment")]
        assert {"chart.png", "dropped.txt", "pasted.txt"} <= set(names), f"the visitor got the files {names}"
    finally:
        socket.close()

    # Presence: online -> away (the widget's agents_online follows).
    toggle = dashboard.find("presence-toggle")
    assert toggle.get_attribute("data-status") == "online"
    toggle.click()
    dashboard.wait(lambda: dashboard.find("presence-toggle").get_attribute("data-status") == "away", "presence away")
    dashboard.find("presence-toggle").click()
    dashboard.wait(lambda: dashboard.find("presence-toggle").get_attribute("data-status") == "online", "presence online")

    # Tablet width: the conversation takes the screen, the list is one click away.
    dashboard.driver.set_window_size(768, 1024)
    dashboard.wait(lambda: not dashboard.visible("conversation-list"), "the list to make room at 768 px")
    dashboard.screenshot(artifacts, "dashboard-tablet-conversation")
    dashboard.driver.back()
    dashboard.wait_visible("conversation-list")
    dashboard.screenshot(artifacts, "dashboard-tablet-inbox")
    console.assert_clean()


def test_dashboard_search_filters_org_switcher_sign_out_everywhere(dashboard, parley, host_page):
    from selenium.webdriver.support.select import Select
    user = signup(dashboard.base)
    invite = parley.call("POST", parley.org_path("invitations"), 201, what="invite the other owner",
                         json_body={"email": user.email, "role": "agent"}).json()
    user.call("POST", "/api/v1/me/invitations/accept", 200, what="accept as a signed-in user", json_body={"token": invite["token"]})
    site = user.call("POST", user.org_path("sites"), 201, what="create site",
                     json_body={"name": "Second org site", "allowed_origins": [host_page.origin]}).json()
    word = "zebra" + unique("w").replace("-", "")[:8]
    apples, bananas = Visitor(parley, site), Visitor(parley, site)
    apples.send(f"Question about {word} please")
    bananas.send("Something else entirely")
    user.call("PATCH", user.org_path(f"conversations/{bananas.conversation_id}"), 200, what="set priority",
              json_body={"priority": "high"})

    dashboard.login_as(user, path=f"/app/o/{user.org}/inbox/all")
    dashboard.go(f"/app/o/{user.org}/inbox/all")
    dashboard.wait_state("ready")
    ids = lambda: [r["id"] for r in dashboard.rows()]  # noqa: E731
    dashboard.wait(lambda: set(ids()) == {apples.conversation_id, bananas.conversation_id}, lambda: f"both rows (have {ids()})")

    # Search (server-side, by message text).
    dashboard.find("search").send_keys(word, Keys.ENTER)
    dashboard.wait(lambda: ids() == [apples.conversation_id], lambda: f"only the matching conversation (have {ids()})")
    assert "q=" + word in dashboard.driver.current_url
    dashboard.find("search").send_keys(Keys.ESCAPE)
    dashboard.wait(lambda: len(ids()) == 2, "the search cleared")

    # Priority filter, then a status tab that fills live.
    Select(dashboard.find("filter-priority")).select_by_value("high")
    dashboard.wait(lambda: ids() == [bananas.conversation_id], lambda: f"only the high-priority one (have {ids()})")
    Select(dashboard.find("filter-priority")).select_by_value("")
    dashboard.find("status-tab", '[data-status="resolved"]').click()
    dashboard.wait(lambda: "status=resolved" in dashboard.driver.current_url and not ids(), "an empty Resolved tab")
    user.call("PATCH", user.org_path(f"conversations/{apples.conversation_id}"), 200, what="resolve",
              json_body={"status": "resolved"})
    dashboard.wait(lambda: ids() == [apples.conversation_id], lambda: f"the resolved conversation arriving live (have {ids()})")

    # The organization switcher.
    switcher = Select(dashboard.find("org-switcher"))
    assert {o.get_attribute("value") for o in switcher.options} == {user.org, parley.org}
    switcher.select_by_value(parley.org)
    dashboard.wait(lambda: f"/app/o/{parley.org}/inbox/" in dashboard.driver.current_url, "the other organization's inbox")
    dashboard.wait_state("ready")
    dashboard.wait(lambda: not {apples.conversation_id, bananas.conversation_id} & set(ids()), "no rows of the first organization")

    # Sign out everywhere: back to the sign-in screen, and the API session is gone too.
    dashboard.find("signout-all").click()
    dashboard.wait_state("login")
    dashboard.wait(lambda: user.call("GET", "/api/v1/me", 200, 401, what="GET /me after sign-out").status == 401,
                   "the account's other sessions to end")


def test_dashboard_token_refresh_shared_by_tabs(dashboard, owner):
    dashboard.login_as(owner)
    driver = dashboard.driver
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    dashboard.go("/app")
    dashboard.wait_state("ready")
    second = driver.current_window_handle
    before = dashboard.js("return JSON.parse(localStorage.getItem('parley.session'))")

    # Both tabs find the access token expired and call the API at (nearly) the same time.
    dashboard.js("""const s = JSON.parse(localStorage.getItem('parley.session')); s.expires_at = 0;
        localStorage.setItem('parley.session', JSON.stringify(s));""")
    start = """window.__me = null; import('/app/api.js').then(m => m.api('GET', '/me'))
        .then(r => { window.__me = r.user.id; }, e => { window.__me = 'error ' + e.code; });"""
    for handle in (first, second):
        driver.switch_to.window(handle)
        dashboard.js(start)
    for handle in (first, second):
        driver.switch_to.window(handle)
        dashboard.wait(lambda: dashboard.js("return window.__me"), "the API call after the refresh")
        assert dashboard.js("return window.__me") == owner.id, f"tab {handle}: {dashboard.js('return window.__me')}"
    after = dashboard.js("return JSON.parse(localStorage.getItem('parley.session'))")
    assert after["refresh_token"] != before["refresh_token"], "the refresh token was not rotated"
    assert after["expires_at"] > before["expires_at"] - 1, "the new access token's expiry is not stored"

    # The rotated session keeps working in both tabs (a reused refresh token would have revoked it).
    for handle in (first, second):
        driver.switch_to.window(handle)
        dashboard.driver.refresh()
        dashboard.wait_state("ready")


def test_dashboard_history_pages_upward_and_inbox_pages_on_scroll(dashboard, parley, host_page):
    user = signup(dashboard.base)
    site = user.call("POST", user.org_path("sites"), 201, what="create site",
                     json_body={"name": "Paging site", "allowed_origins": [host_page.origin]}).json()
    chatty = Visitor(parley, site)
    bodies = [f"message {i:03d}" for i in range(70)]
    for body in bodies:
        chatty.send(body)
    others = [Visitor(parley, site) for _ in range(60)]
    for i, visitor in enumerate(others):
        visitor.send(f"conversation {i:03d}")

    dashboard.login_as(user)
    dashboard.wait(lambda: len(dashboard.rows()) >= 50, "the first page of the inbox")
    assert len(dashboard.rows()) < 61, "more rows than one page before scrolling"
    dashboard.js("document.querySelector('.list-scroll').scrollTop = 1e6")
    dashboard.wait(lambda: len(dashboard.rows()) == 61, lambda: f"all 61 rows after scrolling (have {len(dashboard.rows())})")
    ids = [r["id"] for r in dashboard.rows()]
    assert len(set(ids)) == len(ids), "duplicate rows after paging"

    dashboard.go(f"/app/o/{user.org}/c/{chatty.conversation_id}")
    dashboard.wait_conversation(chatty.conversation_id)
    shown = lambda: [m["body"] for m in dashboard.messages()]  # noqa: E731
    assert shown() == bodies[-50:], f"the latest page is not the last 50 messages in order: {shown()[:3]}…"
    dashboard.js("document.querySelector('[data-testid=\"conversation\"] .messages').scrollTop = 0")
    dashboard.wait(lambda: shown() == bodies, lambda: f"the whole history after scrolling up (have {len(shown())})")
