"""E-mail that unstructured cannot partition, read with the standard library.

unstructured partitions every attachment with the parser for its type and fails the
whole message when one of them fails: an MP3 attachment needs a speech-to-text model
(which we do not have, and must not download), a digest's forwarded messages
(``message/rfc822`` parts) trip an assertion. The message itself is still readable: its
text parts, and each forwarded message under its subject, are what a person sees.
Attachments of other types are left out, and named in ``meta["skipped_attachments"]``.
"""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import lxml.html

from ingest.parsing.base import Element, ParsedDocument


def _text(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken encoding
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html" and content.strip():
        return lxml.html.fromstring(content).text_content()
    return content if isinstance(content, str) else ""


def _elements(message: EmailMessage, skipped: list[str], level: int) -> list[Element]:
    """The message's readable text: the plain text of each alternative (HTML if there
    is none), forwarded messages under their subject."""
    out: list[Element] = []
    body = message.get_body(preferencelist=("plain", "html"))
    if body is not None:
        out += [Element("text", p.strip()) for p in _text(body).split("\n\n") if p.strip()]
    for part in message.iter_attachments() if message.is_multipart() else ():
        if part.get_content_type() == "message/rfc822":
            inner = part.get_content()
            out.append(Element("title", str(inner.get("subject") or "Message"), level=level))
            out += _elements(inner, skipped, level + 1)
        elif part is not body:
            skipped.append(part.get_filename() or part.get_content_type())
    return out


def parse_plain(path: Path) -> ParsedDocument:
    """The message's text without unstructured (see the module docstring)."""
    with path.open("rb") as handle:
        message = email.message_from_binary_file(handle, policy=email.policy.default)
    assert isinstance(message, EmailMessage)  # the default policy's message class
    skipped: list[str] = []
    elements = _elements(message, skipped, level=0)
    meta: dict[str, object] = {
        "from": [str(a) for a in message.get_all("from", [])],
        "to": [str(a) for a in message.get_all("to", [])],
    }
    if skipped:
        meta["skipped_attachments"] = skipped
    return ParsedDocument(elements, title=str(message.get("subject") or ""), meta=meta)
