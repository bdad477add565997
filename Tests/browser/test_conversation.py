"""A visitor and an agent talk: visitor -> agent socket, agent REST reply -> widget live, and the
history survives a reload."""

import uuid

from widget_page import wait_until


def test_visitor_and_agent_talk_live_and_history_survives_reload(load, site, driver, widget, console, agent, parley,
                                                                  screenshot):
    question = f"Hello from the browser {uuid.uuid4().hex[:8]}"
    answer = f"Hi! An agent here {uuid.uuid4().hex[:8]}"

    load(site)
    widget.open()
    widget.send(question)
    mine = widget.wait_body(question, "visitor")

    # The agent's socket sees the visitor's message as it is committed.
    seen = agent.wait_message(lambda m: m["body"] == question, what=f"message.created with body {question!r}")
    assert seen["author_type"] == "visitor"
    conversation_id = seen["conversation_id"]
    wait_until(driver, lambda: any(m["id"] == seen["id"] for m in widget.messages()),
               lambda: f"the widget's message to carry data-id={seen['id']} (it shows {widget.messages()})")
    assert mine["author"] == "visitor"

    # The reply arrives live: no navigation happens in between.
    driver.execute_script("window.__sameDocument = true;")
    reply = parley.reply(conversation_id, answer)
    shown = widget.wait_body(answer, "member")
    assert shown["id"] == reply["id"] and shown["seq"] == str(reply["seq"]), f"rendered {shown}, sent {reply}"
    assert driver.execute_script("return window.__sameDocument === true"), "the page reloaded to show the reply"
    screenshot("conversation-live")

    # After a reload the same visitor sees the whole history, in order.
    driver.refresh()
    widget.wait_ready()
    if not widget.is_shown("panel"):
        widget.open()
    widget.wait_body(answer, "member")
    bodies = [(m["author"], m["body"]) for m in widget.messages() if m["author"] != "system"]
    assert bodies[-2:] == [("visitor", question), ("member", answer)], f"history after reload: {bodies}"
    seqs = [int(m["seq"]) for m in widget.messages() if m["seq"]]
    assert seqs == sorted(seqs), f"messages not in seq order: {seqs}"
    screenshot("conversation-after-reload")
    console.assert_clean()
