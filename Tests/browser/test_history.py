"""History paging: a conversation longer than one page opens on its latest page, and scrolling the
message list to the top loads the older pages until the whole conversation is shown, each message
once and in seq order."""

import uuid

from widget_page import wait_until

AGENT_REPLIES = 70  # with the visitor's first message: 71, more than two of the widget's 30-message pages


def in_view(widget, message_id):
    """Whether the message with that data-id lies inside the visible part of the `messages` list."""
    return widget.js("""
        const list = byId('messages');
        const m = list && [...list.querySelectorAll('[data-testid="message"]')].find(e => e.dataset.id === arguments[0]);
        if (!m || !shown(m)) return false;
        const l = list.getBoundingClientRect(), r = m.getBoundingClientRect();
        return r.bottom > l.top && r.top < l.bottom;""", message_id)


def scroll_to_top(widget):
    widget.js("const list = byId('messages'); list.scrollTop = 0; return list.scrollTop;")


def test_older_pages_load_on_scroll_until_the_whole_conversation_is_shown(load, site, driver, widget, console, agent,
                                                                            parley, screenshot):
    tag = uuid.uuid4().hex[:8]
    first = f"First question {tag}"

    load(site)
    widget.open()
    widget.send(first)
    conversation_id = agent.wait_message(lambda m: m["body"] == first, what=f"the visitor's {first!r}")["conversation_id"]
    for i in range(AGENT_REPLIES):
        parley.reply(conversation_id, f"Agent line {i:02d} {tag}")
    history = parley.messages(conversation_id)
    assert len(history) == AGENT_REPLIES + 1, f"server: REST history has {len(history)} messages: {history}"
    expected = [(m["id"], m["seq"], m["body"]) for m in history]
    oldest_id, newest_id = expected[0][0], expected[-1][0]
    assert expected[0][2] == first and expected[-1][2] == f"Agent line {AGENT_REPLIES - 1:02d} {tag}", expected

    # After a reload: the latest page only, scrolled to its newest message.
    driver.refresh()
    widget.wait_ready()
    if not widget.is_shown("panel"):
        widget.open()
    widget.wait_message(lambda m: m["id"] == newest_id, f"the newest message {newest_id} after the reload")
    wait_until(driver, lambda: in_view(widget, newest_id),
               lambda: f"the newest message {newest_id} scrolled into view in `messages`")
    shown = [m["id"] for m in widget.messages()]
    assert oldest_id not in shown, f"the oldest message is in the DOM before any scrolling ({len(shown)} shown)"
    assert 0 < len(shown) < len(expected), f"{len(shown)} of {len(expected)} messages shown on the first page"
    assert shown == [e[0] for e in expected[-len(shown):]], \
        f"the first page is not the latest {len(shown)} messages in order: {shown}"
    screenshot("history-latest-page")

    # Scrolling to the top loads older pages, one per scroll, until the first message is there.
    for _ in range(len(expected)):  # bounded; each round must add messages
        count = len(widget.messages())
        if count >= len(expected):
            break
        scroll_to_top(widget)
        wait_until(driver, lambda: len(widget.messages()) > count,
                   lambda: f"older messages after scrolling `messages` to the top (still {len(widget.messages())} of "
                           f"{len(expected)}; {widget.describe()})")

    rendered = widget.messages()
    ids = [m["id"] for m in rendered]
    seqs = [int(m["seq"]) for m in rendered]
    assert len(ids) == len(set(ids)), f"duplicate data-id: {[i for i in ids if ids.count(i) > 1]}"
    assert all(a < b for a, b in zip(seqs, seqs[1:])), f"data-seq not strictly increasing: {seqs}"
    assert [(m["id"], int(m["seq"]), m["body"]) for m in rendered] == expected, \
        f"rendered history differs from the server's: {[(m['seq'], m['body']) for m in rendered]}"
    screenshot("history-all-pages")
    console.assert_clean()
