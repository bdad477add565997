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


def test_agent_typing_shows_and_hides(load, site, driver, widget, console, agent, parley):
    question = f"Is anyone typing? {uuid.uuid4().hex[:8]}"
    load(site)
    widget.open()
    widget.send(question)
    conversation_id = agent.wait_message(lambda m: m["body"] == question)["conversation_id"]
    # A live reply first: the widget follows the conversation, so a typing signal has someone to reach.
    parley.reply(conversation_id, "One moment")
    widget.wait_body("One moment", "member")
    assert not widget.is_shown("typing"), "typing shown before any agent typed"

    def typing(state):
        command = f"typing-{state}-{uuid.uuid4().hex[:6]}"
        agent.send({"type": "typing", "id": command, "conversation_id": conversation_id, "state": state})
        agent.wait_for(lambda f: f.get("type") == "ack" and f.get("id") == command, what=f"ack of typing {state}")

    typing("start")
    widget.wait_shown("typing")
    assert widget.text("typing").strip() == "Typing…", f"typing line says {widget.text('typing')!r}"
    typing("stop")
    # On its own the widget drops a "start" after 8 s; the "stop" must hide it well before that.
    widget.wait_hidden("typing", timeout=4)
    console.assert_clean()
