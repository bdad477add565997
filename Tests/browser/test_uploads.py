"""Attachments from the widget's file input: an image reaches the agent intact; a disguised
executable is refused and the visitor is told why."""

import struct
import urllib.parse
import uuid
import zlib

import pytest

from parley_api import expect, http


def png(width=4, height=3, rgb=(79, 70, 229)):
    """A valid, tiny truecolour PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def test_image_upload_reaches_the_agent(load, site, widget, console, agent, parley, tmp_path, screenshot):
    image = png()
    name = f"pixel-{uuid.uuid4().hex[:8]}.png"
    path = tmp_path / name
    path.write_bytes(image)

    load(site)
    widget.open()
    widget.attach(path)

    message = agent.wait_message(lambda m: (m.get("attachment") or {}).get("filename") == name,
                                 what=f"message.created with attachment {name}")
    attachment = message["attachment"]
    assert message["author_type"] == "visitor"
    assert attachment["content_type"] == "image/png" and attachment["image"] is True, attachment
    assert attachment["byte_size"] == len(image), attachment
    assert parley.attachment_bytes(attachment["id"]) == image, "downloaded bytes differ from the uploaded file"

    # The visitor sees their image, loaded from BASE through a signed link.
    shown = widget.wait_message(lambda m: m["id"] == message["id"] and m["image"] and m["image"]["width"] == 4,
                                f"message {message['id']} with a loaded attachment-image 4 px wide")
    assert "/files/" in shown["image"]["src"], shown
    screenshot("upload-image")
    console.assert_clean()


@pytest.mark.usefixtures("agent")  # an agent online: the composer and the attach button are offered
def test_disguised_executable_is_refused_with_the_reason(load, site, base, widget, console, parley, tmp_path):
    fake = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64 + b"This program cannot be run in DOS mode."
    path = tmp_path / "photo.png"
    path.write_bytes(fake)

    # What the server says to such a file (checked on its own, so a widget bug reads differently).
    session = parley.visitor_session(site)
    query = urllib.parse.urlencode({"filename": "photo.png", "client_id": "probe-1"})
    refused = http("POST", f"{base}/api/v1/widget/{site['site_key']}/uploads?{query}", data=fake,
                   content_type="image/png", token=session["visitor_token"], origin=site["allowed_origins"][0])
    detail = expect(refused, 415, what="upload of an MZ executable named photo.png").json()["detail"]
    assert detail

    load(site)
    widget.open()
    widget.attach(path)
    widget.wait_shown("error")
    assert detail in widget.text("error"), f"error line says {widget.text('error')!r}, the server said {detail!r}"
    assert not [m for m in widget.messages() if m["image"] or m["link"]], "the refused file shows as a message"

    for conversation in parley.conversations(site):
        for message in parley.messages(conversation["id"]):
            assert not message.get("attachment"), f"server stored a refused file: {message}"
    console.assert_clean(allow=[r"/uploads\?.* 415", r"status of 415"])
