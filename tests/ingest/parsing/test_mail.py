"""E-mail whose attachments unstructured cannot read keeps the text a person sees."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

from ingest.parsing import parse_file

_MP3 = b"ID3\x03" + bytes(6) + (b"\xff\xfb\x90\x64" + bytes(413)) * 4
"""An MP3 header and four silent frames: unstructured wants a speech-to-text model for it."""


def _message(subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = (
        "ann@example.com",
        "ravi@example.com",
        subject,
    )
    message.set_content(body)
    return message


def test_audio_attachment_leaves_the_body_readable(tmp_path: Path) -> None:
    message = _message("Voicemail from reception", "The parcel for the finance team has arrived.")
    message.add_attachment(_MP3, maintype="audio", subtype="mpeg", filename="vm.mp3")
    path = tmp_path / "voicemail.eml"
    path.write_bytes(message.as_bytes())
    doc, _ = parse_file(path)
    assert doc.title == "Voicemail from reception"
    assert [e.text for e in doc.elements] == ["The parcel for the finance team has arrived."]
    assert doc.meta["skipped_attachments"] == ["vm.mp3"] and "fallback" in doc.meta
    assert doc.meta["from"] == ["ann@example.com"]


def test_digest_reads_each_forwarded_message_under_its_subject(tmp_path: Path) -> None:
    digest = EmailMessage()
    digest["From"], digest["Subject"] = "list@example.com", "Weekly facilities digest"
    digest.make_mixed()
    digest.set_param("boundary", "digest-boundary")
    digest.replace_header("Content-Type", 'multipart/digest; boundary="digest-boundary"')
    for subject, body in (
        ("Lift repairs", "The east lift is out until Friday."),
        ("Car park", "Level two is closed for painting."),
    ):
        digest.attach(_wrapped(_message(subject, body)))
    path = tmp_path / "digest.eml"
    path.write_bytes(digest.as_bytes())
    doc, _ = parse_file(path)
    assert doc.title == "Weekly facilities digest"
    assert [(e.kind, e.text) for e in doc.elements] == [
        ("title", "Lift repairs"),
        ("text", "The east lift is out until Friday."),
        ("title", "Car park"),
        ("text", "Level two is closed for painting."),
    ]


def _wrapped(message: EmailMessage) -> EmailMessage:
    part = EmailMessage()
    part.set_content(message)
    return part
