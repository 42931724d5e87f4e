"""Reading text files safely: binary sniffing, encoding fallback, Markdown front matter.

Real folders hold latin-1 notes, UTF-16 exports and binaries renamed ``.txt``. A text
file is decoded as UTF-8 (or by its BOM), then by charset detection; a file with NUL
bytes and no UTF-16/32 BOM is binary and fails with that reason instead of being
indexed as garbage.
"""

from __future__ import annotations

import codecs
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from charset_normalizer import from_bytes

from ingest.parsing.base import ParseError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SNIFF = 8192
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
"""Preferred when charset detection finds them plausible: short latin-1 notes are
otherwise often guessed as cp1250 and lose their accents."""


def read_text(path: Path) -> str:
    """The file's text, decoded; ``ParseError`` for binary content or no known encoding."""
    data = path.read_bytes()
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, errors="replace")
    if b"\x00" in data[:_SNIFF]:
        if (encoding := _bomless_utf16(data[:_SNIFF])) is not None:
            return data.decode(encoding, errors="replace")
        raise ParseError(
            f"binary content in a {path.suffix} file (NUL bytes, no UTF-16/32 byte-order "
            "mark): is it really text? Rename or remove it."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    matches = from_bytes(data)
    western = next((m for m in matches if m.encoding in _WESTERN), None)
    best = western or matches.best()
    if best is None:
        raise ParseError("not UTF-8 and no other text encoding fits: save it as UTF-8")
    return str(best)


def _bomless_utf16(head: bytes) -> str | None:
    """UTF-16 without a byte-order mark: text whose every other byte is NUL."""
    even, odd = head[0::2], head[1::2]
    if odd and odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even and even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """YAML front matter (``---`` … ``---`` at the top) and the body after it."""
    if not text.startswith("---"):
        return {}, text
    lines = text.splitlines(keepends=True)
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("".join(lines[1:i])) or {}
            except yaml.YAMLError:
                return {}, text
            body = "".join(lines[i + 1 :])
            return (meta, body) if isinstance(meta, dict) else ({}, text)
    return {}, text


def to_epoch(value: Any) -> float | None:
    """A front-matter date (date, datetime or ISO string) as epoch seconds, else None."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day, tzinfo=UTC)
    elif isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            return None
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    else:
        return None
    return moment.timestamp()
