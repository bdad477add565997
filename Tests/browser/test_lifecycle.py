"""The rest of a visitor's life cycle: the offline form, the satisfaction rating, Parley.reset()
and the unread badge."""

import uuid

import pytest

from widget_page import api_responses, wait_until


def test_offline_form_creates_a_lead(load, site, driver, widget, console, parley):
    # No agent socket in this test; wait for the presence of earlier tests' agents to be gone.
    wait_until(driver, lambda: parley.widget_settings(site)["agents_online"] is False,
               "GET settings to report agents_online=false with no agent connected")
    email = f"lead-{uuid.uuid4().hex[:8]}@example.com"

    load(site)
    widget.open()
    widget.wait_shown("offline-form")
    assert not widget.is_shown("composer"), "composer offered while nobody is online and there is no conversation"
    widget.element("offline-field-name").send_keys("Grace Offline")
    widget.element("offline-field-email").send_keys(email)
    widget.element("offline-field-message").send_keys("Please call me back <b>tomorrow</b>.")
    widget.element("offline-submit").click()
    widget.wait_shown("offline-thanks")

    leads = [lead for lead in parley.leads() if lead.get("email") == email]
    assert len(leads) == 1, f"expected one lead for {email}, the organization has {parley.leads()}"
    lead = leads[0]
    assert (lead["source"], lead["name"], lead["message"]) == \
        ("offline", "Grace Offline", "Please call me back <b>tomorrow</b>."), lead
    console.assert_clean()


def test_rating_is_offered_once_the_agent_resolves(load, site, driver, widget, console, agent, parley):
    load(site)
    widget.open()
    widget.send("Thanks for the help so far")
    conversation = agent.wait_message(lambda m: m["body"] == "Thanks for the help so far")["conversation_id"]
    assert not widget.is_shown("csat"), "rating offered before the conversation was resolved"

    parley.set_status(conversation, "resolved")
    widget.wait_shown("csat")
    widget.element("csat-score-5").click()
    widget.element("csat-comment").send_keys("Quick and friendly")
    widget.element("csat-submit").click()
    widget.wait_shown("csat-thanks")
    statuses = [status for url, status in api_responses(driver, "/rating")]
    assert statuses == [201], f"POST rating answered {statuses} (resource timing)"
    console.assert_clean()


@pytest.mark.usefixtures("agent")  # an agent online: the composer is offered
def test_reset_starts_a_fresh_visitor_without_history(load, site, driver, widget, console, parley):
    load(site)
    widget.open()
    widget.send("Before the reset")
    widget.wait_body("Before the reset", "visitor")
    wait_until(driver, lambda: (widget.storage(site["site_key"]) or {}).get("anonymous_token"),
               f"localStorage['parley:{site['site_key']}'].anonymous_token")
    old_token = widget.storage(site["site_key"])["anonymous_token"]

    driver.execute_script("window.Parley.reset();")
    wait_until(driver, lambda: (widget.storage(site["site_key"]) or {}).get("anonymous_token") not in (None, old_token),
               lambda: f"a new anonymous token (storage: {widget.storage(site['site_key'])})")
    widget.wait_ready()
    wait_until(driver, lambda: widget.messages() == [], lambda: f"no messages, shown: {widget.messages()}")
    new_token = widget.storage(site["site_key"])["anonymous_token"]

    old_visitor = parley.visitor_session(site, anonymous_token=old_token)
    new_visitor = parley.visitor_session(site, anonymous_token=new_token)
    assert old_visitor["visitor_id"] != new_visitor["visitor_id"], "reset kept the same visitor"
    assert new_visitor.get("conversation_id") is None, "the fresh visitor already has a conversation"

    driver.refresh()  # and the fresh visitor stays fresh
    widget.wait_ready()
    if not widget.is_shown("panel"):
        widget.open()
    assert widget.messages() == [], f"history after reset + reload: {widget.messages()}"
    console.assert_clean()


def test_unread_badge_counts_agent_replies_while_closed(load, site, driver, widget, console, agent, parley):
    load(site)
    widget.open()
    widget.send("Anyone there?")
    conversation = agent.wait_message(lambda m: m["body"] == "Anyone there?")["conversation_id"]
    widget.close()
    assert not widget.is_shown("unread-badge"), "badge shown with nothing unread"

    parley.reply(conversation, "Yes, one moment")
    wait_until(driver, lambda: widget.is_shown("unread-badge") and widget.text("unread-badge").strip() == "1",
               lambda: f"unread-badge '1' (badge: {widget.text('unread-badge')!r}, {widget.describe()})")
    parley.reply(conversation, "Found it")
    wait_until(driver, lambda: widget.text("unread-badge").strip() == "2",
               lambda: f"unread-badge '2' (badge: {widget.text('unread-badge')!r})")

    widget.open()
    widget.wait_body("Found it", "member")
    widget.wait_hidden("unread-badge")
    console.assert_clean()
