"""The pre-chat form: shown before the composer when the site enables it, refuses to go without its
required fields, and turns into a lead that names the visitor for the team."""

import uuid

from widget_page import api_responses

FIELDS = [
    {"name": "name", "label": "Your name", "type": "text", "required": True},
    {"name": "email", "label": "Email", "type": "email", "required": True},
    {"name": "order", "label": "Order number", "type": "text", "required": False},
]


def test_prechat_form_creates_a_lead_and_names_the_visitor(load, site, driver, widget, console, agent, parley):
    parley.patch_widget(site, prechat={"enabled": True, "fields": FIELDS})
    name = "Ada Prechat"
    email = f"prechat-{uuid.uuid4().hex[:8]}@example.com"
    order = f"A-{uuid.uuid4().hex[:6]}"

    load(site)
    widget.open()
    widget.wait_shown("prechat-form")
    assert not widget.is_shown("composer"), "composer offered before the pre-chat form was filled in"
    for field in FIELDS:
        assert widget.is_shown(f"prechat-field-{field['name']}"), f"no visible field {field['name']}: {widget.describe()}"

    # The required email is left out: the submission is blocked and nothing reaches the server.
    widget.element("prechat-field-name").send_keys(name)
    widget.element("prechat-field-order").send_keys(order)
    widget.element("prechat-submit").click()
    # Blocked by the browser (a required, :invalid field) or by the widget (its error line), at once.
    assert widget.js("return byId('prechat-field-email').matches(':invalid')") or widget.is_shown("error"), \
        f"the missing email is neither flagged as invalid nor reported: {widget.describe()}"
    assert widget.is_shown("prechat-form") and not widget.is_shown("composer"), widget.describe()
    assert api_responses(driver, "/leads") == [], "the form was sent without its required email"
    assert parley.leads(site) == [], f"a lead was created from an incomplete form: {parley.leads(site)}"

    widget.element("prechat-field-email").send_keys(email)
    widget.element("prechat-submit").click()
    widget.wait_shown("composer")
    assert not widget.is_shown("prechat-form"), "the pre-chat form is still shown after it was sent"

    # Exactly one lead: the blocked attempt sent nothing (the button stays disabled while a request runs).
    statuses = [status for url, status in api_responses(driver, "/leads")]
    assert statuses == [201], f"POST leads answered {statuses} (resource timing)"
    leads = parley.leads(site)
    assert len(leads) == 1, f"expected one lead for the site, got {leads}"
    lead = leads[0]
    assert (lead["source"], lead["name"], lead["email"], lead["fields"]) == ("prechat", name, email, {"order": order}), lead

    # The conversation the visitor then opens carries the name for the agent.
    widget.send("Where is my order?")
    seen = agent.wait_message(lambda m: m["body"] == "Where is my order?")
    visitor = parley.conversation(seen["conversation_id"])["visitor"]
    assert (visitor["name"], visitor["email"]) == (name, email), f"the agent sees the visitor as {visitor}"
    assert visitor["id"] == lead["visitor_id"], f"the lead belongs to {lead['visitor_id']}, the conversation to {visitor}"
    console.assert_clean()
