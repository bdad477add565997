"""Parley.identify with the site's HMAC: a verified visitor is the same person in every browser and
sees their history; a wrong hash is refused and opens nothing."""

import hashlib
import hmac
import uuid

from widget_page import Widget


def identity_hash(secret, user_id):
    """What the customer's server computes: hex HMAC-SHA256 of the id, keyed with the identity secret."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def claim_for(parley, site):
    secret = parley.site(site)["identity_secret"]
    assert secret, "server: GET site shows the owner no identity_secret"
    user_id = f"user-{uuid.uuid4().hex[:10]}"
    return {"id": user_id, "name": "Ada Verified", "email": f"{user_id}@example.com",
            "hash": identity_hash(secret, user_id)}


def test_verified_visitor_sees_their_history_in_another_browser(load, site, driver, second_driver, widget, console,
                                                                agent, parley):
    claim = claim_for(parley, site)
    question = f"Asked in the first browser {uuid.uuid4().hex[:8]}"

    load(site)
    widget.wait_ready()
    first = widget.api("identify", claim)
    assert first.get("value", {}).get("verified") is True, f"Parley.identify with the right hash answered {first}"
    widget.open()
    widget.send(question)
    seen = agent.wait_message(lambda m: m["body"] == question)
    visitor = parley.conversation(seen["conversation_id"])["visitor"]
    assert (visitor["id"], visitor["name"]) == (first["value"]["visitor_id"], "Ada Verified"), visitor

    # Another device: a fresh profile, so a new anonymous visitor until it identifies.
    other = Widget(second_driver)
    load(site, browser=second_driver)
    other.wait_ready()
    assert other.storage(site["site_key"])["anonymous_token"] != widget.storage(site["site_key"])["anonymous_token"]
    second = other.api("identify", claim)
    assert second == {"value": {"visitor_id": first["value"]["visitor_id"], "verified": True}}, \
        f"the second browser's identify answered {second}, the first's {first}"
    other.open()
    other.wait_body(question, "visitor")
    console.assert_clean()
    second_driver.console_log.assert_clean()


def test_wrong_identity_hash_is_rejected_and_opens_nothing(load, site, driver, widget, console, parley):
    claim = claim_for(parley, site)
    history = f"Earlier, on another device {uuid.uuid4().hex[:8]}"
    # The verified visitor already exists, with a conversation (made over the widget API).
    session = parley.visitor_call(site, "POST", "sessions", 201, json_body={}, what="start a visitor session")
    verified = parley.visitor_call(site, "POST", "identify", 200, token=session["visitor_token"], json_body=claim,
                                   what="identify with the right hash")
    assert verified["verified"] is True, verified
    parley.visitor_call(site, "POST", "messages", 200, 201, token=verified["visitor_token"],
                        json_body={"body": history, "client_id": "seed-1"}, what="the verified visitor's message")

    load(site)
    widget.wait_ready()
    forged = widget.api("identify", {**claim, "name": "Mallory", "hash": identity_hash("not the secret", claim["id"])})
    assert "error" in forged, f"Parley.identify with a wrong hash did not reject: {forged}"
    anonymous = parley.visitor_session(site, anonymous_token=widget.storage(site["site_key"])["anonymous_token"])
    assert anonymous["visitor_id"] != verified["visitor_id"], "a wrong hash made this browser the verified visitor"
    assert anonymous.get("conversation_id") is None, f"the anonymous visitor got a conversation: {anonymous}"
    widget.open()
    assert not any(m["body"] == history for m in widget.messages()), "a wrong hash revealed the verified history"

    # The same browser with the right hash does get it (so the check above could have failed).
    right = widget.api("identify", claim)
    assert right == {"value": {"visitor_id": verified["visitor_id"], "verified": True}}, right
    widget.wait_body(history, "visitor")
    console.assert_clean(allow=[r"/identify - Failed to load resource: .*\b403\b"])
