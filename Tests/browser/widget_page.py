"""Selenium side: the widget as a page object, explicit waits, and the browser console.

Reads go through small scripts that look inside the open shadow root (one round trip, no stale
elements); user actions (click, typing, choosing a file) go through real WebDriver elements.
"""

import re

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 15

# Prefix of every read script: `host` and `root` (null when absent).
PRELUDE = """
const host = document.querySelector('[data-parley-widget]');
const root = host ? host.shadowRoot : null;
const byId = (id, scope) => (scope || root) ? (scope || root).querySelector('[data-testid="' + id + '"]') : null;
const shown = (el) => !!el && !el.closest('[hidden]') && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
"""


def wait_until(driver, condition, message, timeout=WAIT):
    """WebDriverWait on `condition()` (truthy ends the wait); on timeout the failure says what was
    awaited and, when `message` is callable, what the page looked like at the end."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.1).until(lambda _: condition())
    except TimeoutException:
        detail = message() if callable(message) else message
        raise AssertionError(f"timed out after {timeout}s waiting for: {detail}") from None


class Widget:
    def __init__(self, driver):
        self.driver = driver

    def js(self, body, *args):
        return self.driver.execute_script(PRELUDE + body, *args)

    # State

    def state(self):
        return self.js("return host ? host.getAttribute('data-state') : null;")

    def describe(self):
        """A one-line picture of the widget, for failure messages."""
        return self.js("""
            if (!host) return 'no [data-parley-widget] host element on the page';
            if (!root) return 'host data-state=' + host.getAttribute('data-state') + ', but no open shadow root';
            const ids = [...root.querySelectorAll('[data-testid]')].filter(shown).map(e => e.dataset.testid);
            const err = byId('error');
            return 'data-state=' + host.getAttribute('data-state') + '; visible testids: [' + [...new Set(ids)].join(', ')
                + ']' + (err && shown(err) ? '; error says: ' + JSON.stringify(err.textContent) : '');
        """)

    def wait_state(self, state, timeout=WAIT):
        wait_until(self.driver, lambda: self.state() == state,
                   lambda: f"widget data-state={state!r} ({self.describe()})", timeout)

    def wait_ready(self, timeout=WAIT):
        self.wait_state("ready", timeout)

    # Elements

    def root(self):
        host = self.driver.find_element(By.CSS_SELECTOR, "[data-parley-widget]")
        return host.shadow_root

    def element(self, testid):
        return self.root().find_element(By.CSS_SELECTOR, f'[data-testid="{testid}"]')

    def is_shown(self, testid):
        return self.js("return shown(byId(arguments[0]));", testid)

    def text(self, testid):
        return self.js("const e = byId(arguments[0]); return e ? e.textContent : null;", testid)

    def wait_shown(self, testid, timeout=WAIT):
        wait_until(self.driver, lambda: self.is_shown(testid), lambda: f"{testid!r} visible ({self.describe()})", timeout)

    def wait_hidden(self, testid, timeout=WAIT):
        wait_until(self.driver, lambda: not self.is_shown(testid), lambda: f"{testid!r} hidden ({self.describe()})", timeout)

    def rect(self, testid):
        return self.js("""const e = byId(arguments[0]); if (!e) return null; const r = e.getBoundingClientRect();
                          return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height};""",
                       testid)

    # Actions

    def open(self):
        self.wait_ready()
        self.element("launcher").click()
        self.wait_shown("panel")

    def close(self):
        self.element("close").click()
        self.wait_hidden("panel")

    def send(self, text):
        composer = self.element("composer")
        composer.clear()
        composer.send_keys(text)
        self.element("send").click()

    def attach(self, path):
        self.element("file-input").send_keys(str(path))

    def api(self, name, *args):
        """Calls window.Parley[name](*args) and waits for its Promise: {"value": ...} when it resolves,
        {"error": message} when it rejects, {"thrown": message} when the call itself throws."""
        return self.driver.execute_async_script("""
            const done = arguments[arguments.length - 1], name = arguments[0], args = arguments[1];
            const text = (e) => String(e && e.message || e);
            let result;
            try { result = window.Parley[name](...args); } catch (e) { return done({thrown: text(e)}); }
            Promise.resolve(result).then((value) => done({value: value === undefined ? null : value}),
                                         (e) => done({error: text(e)}));
        """, name, list(args))

    # Messages

    def messages(self):
        """Every rendered message: author, seq, id, body text, and what its attachment rendered as."""
        return self.js("""
            if (!root) return [];
            return [...root.querySelectorAll('[data-testid="message"]')].map(m => {
                const body = byId('message-body', m), img = byId('attachment-image', m), link = byId('attachment-link', m);
                return {author: m.getAttribute('data-author'), seq: m.getAttribute('data-seq'), id: m.getAttribute('data-id'),
                        body: body ? body.textContent : null,
                        image: img ? {src: img.src, complete: img.complete, width: img.naturalWidth} : null,
                        link: link ? {href: link.href, text: link.textContent} : null};
            });
        """)

    def wait_message(self, predicate, what, timeout=WAIT):
        """The first rendered message matching `predicate(message_dict)`."""
        found = []

        def match():
            found[:] = [m for m in self.messages() if predicate(m)]
            return bool(found)

        wait_until(self.driver, match,
                   lambda: f"{what}; messages shown: {[(m['author'], m['body']) for m in self.messages()]} ({self.describe()})",
                   timeout)
        return found[0]

    def wait_body(self, body, author, timeout=WAIT):
        return self.wait_message(lambda m: m["author"] == author and m["body"] == body,
                                 f"a {author} message whose body is {body!r}", timeout)

    def storage(self, site_key):
        return self.driver.execute_script("return JSON.parse(localStorage.getItem(arguments[0]) || 'null');",
                                          "parley:" + site_key)


def api_responses(driver, path_fragment):
    """(url, status) of every fetch the page made whose URL contains `path_fragment`, from Resource
    Timing (Chromium exposes responseStatus for CORS-approved responses)."""
    return driver.execute_script("""
        return performance.getEntriesByType('resource').filter(e => e.name.includes(arguments[0]))
            .map(e => [e.name, e.responseStatus]);""", path_fragment)


class BrowserLog:
    """The browser console (goog:loggingPrefs). WebDriver hands each entry out once, so they are
    accumulated here."""

    CSP = re.compile(r"Content Security Policy|Refused to (load|apply|execute|connect|frame)", re.I)

    def __init__(self, driver):
        self.driver = driver
        self.entries = []

    def collect(self):
        self.entries += self.driver.get_log("browser")
        return self.entries

    def problems(self, allow=()):
        """SEVERE entries (uncaught errors, failed loads) and any CSP report, minus the `allow` regexes."""
        bad = []
        for entry in self.collect():
            message = entry.get("message", "")
            if entry.get("level") != "SEVERE" and not self.CSP.search(message):
                continue
            if any(re.search(pattern, message) for pattern in allow):
                continue
            bad.append(f"{entry.get('level')}: {message}")
        return bad

    def assert_clean(self, allow=()):
        problems = self.problems(allow)
        assert not problems, "browser console shows errors / CSP violations:\n  " + "\n  ".join(problems)
