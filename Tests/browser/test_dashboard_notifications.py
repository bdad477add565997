"""Dashboard notifications (app/notify.js, docs/dashboard.md "Notifications"): the two-note beep and
the browser Notification for new conversations and new visitor messages, quiet for the conversation
the agent is looking at in a focused tab and for conversations assigned to someone else; the unread
count in the tab title; and a notification's text stays text.

Before the dashboard's scripts run, DevTools (`Page.addScriptToEvaluateOnNewDocument`, which the
page's strict CSP does not stop) installs fakes: `Notification` records every construction in
`window.__notes` (permission granted), `AudioContext` records every oscillator start in
`window.__beeps` (and only runs after a user gesture, as Chrome's autoplay policy wants), and
`document.hasFocus()` / `visibilityState` / `hidden` follow `window.__focused`, which
`window.__setFocused(on)` flips while dispatching `blur` / `visibilitychange` / `focus` like a
real browser. Each test has an organization of its own (signup), so the title count is exact.
"""

from selenium.webdriver.common.by import By

from dashboard_page import Visitor, add_member, dashboard, signup, unique  # noqa: F401 (fixtures)

FAKES = r"""
(() => {
  window.__notes = [];        // {title, body, tag, types} per Notification constructed
  window.__noteObjects = [];  // the instances (their onclick is what a click on the notification runs)
  window.__beeps = [];        // {frequency, at} per oscillator started
  window.__audio = [];        // the AudioContexts created
  window.__focused = true;

  class FakeNotification {
    constructor(title, options) {
      const o = options || {};
      this.title = title;
      this.body = o.body;
      this.tag = o.tag;
      this.onclick = null;
      this.closed = false;
      window.__notes.push({ title: String(title), body: String(o.body), tag: String(o.tag),
                            types: [typeof title, typeof o.body] });
      window.__noteObjects.push(this);
    }
    close() { this.closed = true; }
    static requestPermission(callback) {
      if (typeof callback === 'function') callback('granted');
      return Promise.resolve('granted');
    }
  }
  FakeNotification.permission = 'granted';
  Object.defineProperty(window, 'Notification', { value: FakeNotification, configurable: true, writable: true });

  // Starts suspended; resume() only works after a user gesture (navigator.userActivation), as in Chrome.
  const activated = () => !navigator.userActivation || navigator.userActivation.hasBeenActive;
  const param = () => ({ value: 0, setValueAtTime() {}, linearRampToValueAtTime() {}, exponentialRampToValueAtTime() {} });
  class FakeAudioContext {
    constructor() {
      this.state = 'suspended';
      this.currentTime = 0;
      this.destination = { connect() {} };
      window.__audio.push(this);
    }
    resume() {
      if (activated()) this.state = 'running';
      return Promise.resolve();
    }
    close() { this.state = 'closed'; return Promise.resolve(); }
    createGain() { return { gain: param(), connect: (node) => node, disconnect() {} }; }
    createOscillator() {
      const osc = { type: 'sine', frequency: param(), connect: (node) => node, disconnect() {}, stop() {},
        start() { window.__beeps.push({ frequency: osc.frequency.value, at: Date.now() }); } };
      return osc;
    }
  }
  Object.defineProperty(window, 'AudioContext', { value: FakeAudioContext, configurable: true, writable: true });
  Object.defineProperty(window, 'webkitAudioContext', { value: FakeAudioContext, configurable: true, writable: true });

  Object.defineProperty(Document.prototype, 'hasFocus', { value: function () { return window.__focused; },
                                                          configurable: true, writable: true });
  Object.defineProperty(Document.prototype, 'visibilityState', { get() { return window.__focused ? 'visible' : 'hidden'; },
                                                                 configurable: true });
  Object.defineProperty(Document.prototype, 'hidden', { get() { return !window.__focused; }, configurable: true });
  window.__setFocused = (on) => {
    on = !!on;
    if (on === window.__focused) return;
    window.__focused = on;
    if (on) {
      document.dispatchEvent(new Event('visibilitychange'));
      window.dispatchEvent(new FocusEvent('focus'));
    } else {
      window.dispatchEvent(new FocusEvent('blur'));
      document.dispatchEvent(new Event('visibilitychange'));
    }
  };
})();
"""

BEEP = [880, 1175]  # notify.js: two sine notes


def install_fakes(dash):
    dash.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": FAKES})


def own_org_site(dash, host_page):
    user = signup(dash.base)
    site = user.call("POST", user.org_path("sites"), 201, what="create site",
                     json_body={"name": "Notifications", "allowed_origins": [host_page.origin]}).json()
    return user, site


def notes(dash):
    return dash.js("return window.__notes")


def beeps(dash):
    return dash.js("return window.__beeps.map(b => b.frequency)")


def set_focused(dash, on):
    dash.js("window.__setFocused(arguments[0])", on)
    assert dash.js("return document.hasFocus() === arguments[0] && document.hidden === !arguments[0]", on)


def unlock_audio(dash):
    """A click (on the view the agent is in), as browsers want before audio plays. (Signing in was
    a click too, so the audio may run already; this makes the gesture explicit.)"""
    dash.find("view-all").click()
    dash.wait(lambda: dash.js("return window.__audio.some(a => a.state === 'running')"),
              lambda: f"the AudioContext running after a click (states {dash.js('return window.__audio.map(a => a.state)')})")


def wait_note(dash, predicate, what):
    return dash.wait(lambda: next((n for n in notes(dash) if predicate(n)), None),
                     lambda: f"a notification: {what} (have {notes(dash)})")


def wait_beep_mute_over(dash):
    """notify.js plays at most one beep a second; wait that out so a missing beep means no beep."""
    dash.wait(lambda: dash.js("const b = window.__beeps; return !b.length || Date.now() - b[b.length - 1].at > 1100"),
              "the one-beep-a-second window to pass")


def title_starts(dash, prefix):
    dash.wait(lambda: dash.driver.title.startswith(prefix), lambda: f"the title to start with {prefix!r} ({dash.driver.title!r})")


def test_dashboard_notifications_unfocused_alert_title_count_focused_quiet(dashboard, parley, host_page):
    user, site = own_org_site(dashboard, host_page)
    install_fakes(dashboard)
    dashboard.login_as(user)
    dashboard.wait_visible("view-all")
    assert dashboard.driver.title.startswith("Inbox · "), f"title with nothing unread: {dashboard.driver.title!r}"
    unlock_audio(dashboard)
    assert beeps(dashboard) == [] and notes(dashboard) == []

    # (1) Tab in the background: a visitor's first message is one notification naming them, with the text.
    set_focused(dashboard, False)
    visitor = Visitor(parley, site)
    name = f"Ada {unique()}"
    visitor.identify(name=name)
    first = f"Where is my parcel? {unique()}"
    visitor.send(first)
    conversation = visitor.conversation_id
    note = wait_note(dashboard, lambda n: n["tag"] == f"parley-{conversation}", "the new conversation")
    assert name in note["title"], f"the notification does not name the visitor: {note}"
    assert note["body"] == first, f"the notification's text is not the message: {note}"
    assert note["types"] == ["string", "string"], f"title/body not passed as text: {note}"
    dashboard.wait(lambda: beeps(dashboard) == BEEP, lambda: f"one two-note beep (have {beeps(dashboard)})")
    title_starts(dashboard, "(1) Inbox · ")

    # (2) Another message: another notification (the first message was told once, not twice); title (2).
    second = f"Anyone there? {unique()}"
    visitor.send(second)
    note = wait_note(dashboard, lambda n: n["body"] == second, "the second message")
    assert note["title"] == f"New message from {name}" and note["tag"] == f"parley-{conversation}", note
    assert len(notes(dashboard)) == 2, f"not one notification per message: {notes(dashboard)}"
    title_starts(dashboard, "(2) Inbox · ")

    # (3) Clicking the notification (the OS focuses the window) opens the conversation; reading it
    # clears the title count. A message there while focused: no notification, no beep, no count.
    set_focused(dashboard, True)
    dashboard.js("window.__noteObjects[1].onclick()")
    dashboard.wait_conversation(conversation)
    assert f"/c/{conversation}" in dashboard.driver.current_url
    assert dashboard.js("return window.__noteObjects[1].closed"), "the clicked notification stays open"
    title_starts(dashboard, f"{name} · ")
    dashboard.wait_row(conversation, lambda r: r["unread"] == 0, "the conversation read")
    wait_beep_mute_over(dashboard)
    before_notes, before_beeps = len(notes(dashboard)), len(beeps(dashboard))
    third = f"Ah, you are here {unique()}"
    visitor.send(third)
    dashboard.wait_message(third, "visitor")
    dashboard.wait_row(conversation, lambda r: r["preview"] == third, "the row showing the third message")
    assert len(notes(dashboard)) == before_notes, f"a notification for the open conversation: {notes(dashboard)[before_notes:]}"
    assert len(beeps(dashboard)) == before_beeps, "a beep for the conversation being looked at"
    assert dashboard.driver.title.startswith(f"{name} · "), f"an unread count for a read message: {dashboard.driver.title!r}"

    # Focused, but another (new) conversation: the beep only, no browser notification; the count is back.
    other = Visitor(parley, site)
    other.send(f"A new question {unique()}")
    dashboard.wait(lambda: len(beeps(dashboard)) == before_beeps + 2, lambda: f"a beep for another conversation (have {beeps(dashboard)})")
    dashboard.wait_row(other.conversation_id)
    assert len(notes(dashboard)) == before_notes, f"a browser notification in a focused tab: {notes(dashboard)[before_notes:]}"
    title_starts(dashboard, f"(1) {name} · ")


PAYLOAD_NAME = '<img src=x onerror="window.__xss=1">Eve'
PAYLOAD_BODY = '<script>window.__xss=2</script><b onmouseover="window.__xss=3">bold</b> &amp; &lt;i&gt;'


def test_dashboard_notifications_not_for_others_conversations_and_text_stays_text(dashboard, parley, host_page):
    user, site = own_org_site(dashboard, host_page)
    colleague = add_member(user, "Colleague Cleo")
    taken = Visitor(parley, site)
    taken.send(f"For Cleo {unique()}")
    user.call("PATCH", user.org_path(f"conversations/{taken.conversation_id}"), 200, what="assign to the colleague",
              json_body={"assignee_id": colleague.id})

    install_fakes(dashboard)
    dashboard.login_as(user)
    dashboard.wait_row(taken.conversation_id, lambda r: "Cleo" in (r["assignee"] or ""), "the colleague's conversation")
    unlock_audio(dashboard)
    set_focused(dashboard, False)

    # (4) A message in the colleague's conversation: nothing (checked once the next event has told).
    later = f"Cleo, one more thing {unique()}"
    taken.send(later)
    dashboard.wait_row(taken.conversation_id, lambda r: r["preview"] == later, "the colleague's row with the new message")

    # (5) Then a visitor whose name and message carry script payloads: a notification with them as text.
    hostile = Visitor(parley, site)
    hostile.identify(name=PAYLOAD_NAME)
    hostile.send(PAYLOAD_BODY)
    note = wait_note(dashboard, lambda n: n["tag"] == f"parley-{hostile.conversation_id}", "the payload visitor's conversation")
    assert note["body"] == PAYLOAD_BODY, f"the payload message is not the notification's text: {note}"
    assert PAYLOAD_NAME in note["title"], f"the payload name is not in the notification's title: {note}"
    assert note["types"] == ["string", "string"], f"title/body not passed as text: {note}"
    assert not [n for n in notes(dashboard) if n["tag"] == f"parley-{taken.conversation_id}"], \
        f"a notification for a conversation assigned to someone else: {notes(dashboard)}"
    assert dashboard.xss_flag() is None, f"a payload ran: window.__xss = {dashboard.xss_flag()}"
    injected = dashboard.js("return document.querySelectorAll('img[src=\"x\"], b[onmouseover], script:not([src])').length")
    assert injected == 0, "payload markup became elements"

    # (4) again in the Mine view, where the colleague's conversation is not in the list.
    dashboard.find("view-mine").click()
    dashboard.wait(lambda: "/inbox/mine" in dashboard.driver.current_url and dashboard.row(taken.conversation_id) is None,
                   "the Mine view without the colleague's conversation")
    taken.send(f"Still for Cleo {unique()}")
    newcomer = Visitor(parley, site)
    newcomer.send(f"Hello from a newcomer {unique()}")
    wait_note(dashboard, lambda n: n["tag"] == f"parley-{newcomer.conversation_id}", "a new conversation outside the Mine view")
    assert not [n for n in notes(dashboard) if n["tag"] == f"parley-{taken.conversation_id}"], \
        f"a notification for a conversation assigned to someone else (Mine view): {notes(dashboard)}"
    assert dashboard.xss_flag() is None
    assert dashboard.driver.find_elements(By.CSS_SELECTOR, "img[src='x']") == []
