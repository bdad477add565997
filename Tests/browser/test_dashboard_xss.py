"""Visitor-supplied text in the dashboard is inert: names, messages, attributes and file names with
script payloads show as text in the inbox row, the conversation and the visitor panel, and nothing
runs. Plus a source check: no HTML-parsing DOM API anywhere under Public/app."""

import re
from pathlib import Path

from dashboard_page import Visitor, dashboard, owner, unique  # noqa: F401 (fixtures)

APP = Path(__file__).resolve().parents[2] / "Sources" / "ParleyServer" / "Public" / "app"
FORBIDDEN = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\s*\(|new\s+Function\s*\(|"
                       r"createContextualFragment|DOMParser|srcdoc")

NAME = '<img src=x onerror="window.__xss=1">Eve'
MESSAGES = ["<script>window.__xss=2</script>", '<img src=x onerror="window.__xss=3">',
            '<a href="javascript:window.__xss=4">click</a> &lt;b&gt;bold&lt;/b&gt;']
ATTRIBUTE = "<script>window.__xss=5</script>"
# The server strips `<>:"*?|` from file names; what is left must still show literally (entities too).
FILE_NAME = "x' onerror='window.__xss=6' &lt;b&gt;.txt"


def test_dashboard_xss_payloads_render_as_text(dashboard, parley, site, owner, artifacts, console):
    visitor = Visitor(parley, site)
    visitor.identify(name=NAME, attributes={"plan": ATTRIBUTE, "note": '"><svg onload=window.__xss=7>'})
    for body in MESSAGES:
        visitor.send(body)
    upload = visitor.upload(FILE_NAME, b"plain text attachment\n")
    shown_file = upload["attachment"]["filename"]
    conversation = visitor.conversation_id

    dashboard.login_as(owner)
    dashboard.wait_row(conversation)
    row = dashboard.row(conversation)
    assert row["visitor"] == NAME, f"the inbox row shows the name as {row['visitor']!r}"
    dashboard.wait_row(conversation, lambda r: shown_file in r["preview"], "the row preview with the file name")

    dashboard.open_row(conversation)
    for body in MESSAGES:
        dashboard.wait_message(body, "visitor")
    dashboard.wait_message(shown_file, "visitor")
    assert dashboard.text("conversation") and NAME in dashboard.text("conversation"), "the conversation header lacks the name"

    panel = dashboard.wait_visible("visitor-panel")
    dashboard.wait(lambda: NAME in (dashboard.text("visitor-name") or ""),
                   lambda: f"the visitor panel's name to be the payload text (shows {dashboard.text('visitor-name')!r})")
    dashboard.wait(lambda: ATTRIBUTE in (dashboard.text("visitor-attributes") or ""),
                   lambda: f"the attribute payload as text (shows {dashboard.text('visitor-attributes')!r})")
    assert panel is not None

    # Nothing ran and no element came out of the payloads.
    assert dashboard.xss_flag() is None, f"a payload ran: window.__xss = {dashboard.xss_flag()}"
    injected = dashboard.js("""return [...document.querySelectorAll('img[src="x"], svg[onload], a[href^="javascript:"], script:not([src])')]
        .map(e => e.outerHTML.slice(0, 120));""")
    assert not injected, f"payload markup became elements: {injected}"
    dashboard.screenshot(artifacts, "dashboard-xss")
    assert dashboard.xss_flag() is None
    console.assert_clean()


def test_dashboard_xss_no_html_parsing_api_in_the_dashboard_code():
    files = sorted(p for p in APP.rglob("*") if p.suffix in (".js", ".html", ".css") and p.is_file())
    assert files, f"no dashboard files under {APP}"
    hits = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                hits.append(f"{path.relative_to(APP)}:{number}: {line.strip()[:120]}")
    assert not hits, "HTML-parsing DOM APIs in the dashboard code:\n  " + "\n  ".join(hits)
    index = (APP / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", index), "index.html has an inline script (the CSP forbids it)"
    assert "style=" not in index and "<style" not in index, "index.html has inline styles (the CSP forbids them)"
