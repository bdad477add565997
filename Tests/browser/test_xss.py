"""Text from visitors, agents and site admins is rendered as text, never as markup.

The page has no CSP here on purpose: under the strict policy an inline onerror or <script> would
be blocked by the browser anyway, and the test would pass even with an innerHTML bug."""

VISITOR_PAYLOAD = '<img src=x onerror="window.__xss=1"> & <b>bold</b>'
AGENT_PAYLOAD = '<script>window.__xss=1</script><svg onload="window.__xss=1"></svg>'
GREETING_PAYLOAD = 'Hi <img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


def assert_inert(driver, widget):
    assert driver.execute_script("return typeof window.__xss") == "undefined", "an injected handler ran"
    found = widget.js("""return {
        markup: [...root.querySelectorAll('[data-testid=message-body] *, [data-testid=greeting] *')]
            .map(e => e.outerHTML.slice(0, 80)),
        scripts: root.querySelectorAll('script').length,
        images: [...root.querySelectorAll('img')].filter(e => e.dataset.testid !== 'attachment-image').length};""")
    assert found == {"markup": [], "scripts": 0, "images": 0}, f"text became elements in the shadow root: {found}"
    assert driver.execute_script("return document.querySelectorAll('img, svg, b').length") == 0, \
        "markup appeared in the host document"


def test_untrusted_text_renders_as_text(load, site, driver, widget, console, parley, agent):
    parley.patch_widget(site, greeting=GREETING_PAYLOAD)

    load(site, csp="none")
    widget.open()
    widget.wait_shown("greeting")
    assert widget.text("greeting").strip() == GREETING_PAYLOAD

    widget.send(VISITOR_PAYLOAD)
    widget.wait_body(VISITOR_PAYLOAD, "visitor")
    conversation_id = agent.wait_message(lambda m: m["body"] == VISITOR_PAYLOAD)["conversation_id"]
    parley.reply(conversation_id, AGENT_PAYLOAD)
    widget.wait_body(AGENT_PAYLOAD, "member")
    assert_inert(driver, widget)

    # The history is rendered by another code path: check it too.
    driver.refresh()
    widget.wait_ready()
    if not widget.is_shown("panel"):
        widget.open()
    widget.wait_body(AGENT_PAYLOAD, "member")
    widget.wait_body(VISITOR_PAYLOAD, "visitor")
    assert widget.text("greeting").strip() == GREETING_PAYLOAD
    assert_inert(driver, widget)
    console.assert_clean()
