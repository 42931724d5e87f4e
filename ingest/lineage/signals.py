"""What a document says about its versions: statements in its text, dates, titles.

Read once per content hash (``statements``, kept in ``meta["lineage"]``) and turned,
with the document's metadata, into a ``Version``: what ``ingest.lineage.rules`` compares.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any

from core.db import Document

_SUPERSEDES_KEYS = ("supersedes", "replaces")
_ORDER_KEYS = ("updated", "last_reviewed_at", "last_updated", "date")
_EFFECTIVE_KEYS = ("effective", "effective_date", "effective_from")

_MONTHS = [name.lower() for name in calendar.month_name[1:]]
_DATE = re.compile(
    r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(_MONTHS) + r")\s+(\d{4})\b"
    r"|\b(\d{4})-(\d{2})-(\d{2})\b",
    re.IGNORECASE,
)
_EFFECTIVE = re.compile(
    r"\b(?:effective|in force|takes effect|comes into force|applies)\s+(?:from\s+|on\s+)?"
    r"(?:\w+day\s+)?(" + _DATE.pattern + ")",
    re.IGNORECASE,
)
_SELF = r"\b(?:this|the present)\s+(?:[\w-]+\s+){0,3}?"
_REPLACES = re.compile(_SELF + r"(?:replaces|supersedes)\s+([^.;\n]{3,200})", re.IGNORECASE)
_REPLACED_BY = re.compile(
    _SELF + r"(?:has been|is|was)\s+(?:now\s+)?(?:replaced|superseded)\s+by\s+([^.;\n]{3,200})",
    re.IGNORECASE,
)
VERSION = re.compile(r"\b(?:version|v)\s*\.?\s*(\d+(?:\.\d+)*)\b", re.IGNORECASE)
_YEARISH = re.compile(r"\b(?:19|20)\d{2}(?:-\d{2}){0,2}\b")
_NOISE = re.compile(r"\b(?:version|v)\s*\.?\s*\d+(?:\.\d+)*\b|\(\s*\)|[^\w\s]", re.IGNORECASE)


@dataclass(frozen=True)
class Version:
    """A document as lineage compares it."""

    id: str
    source: str
    path: str
    title: str
    key: str
    """The normalised title: no version, no year, no punctuation."""
    stem: str
    """The file name the same way, folder included (versions of a file live side by side)."""
    versions: frozenset[str]
    order: float
    """Epoch seconds that order versions (see the module docstring)."""
    effective: float
    supersedes: tuple[str, ...]
    replaces: tuple[str, ...]
    replaced_by: tuple[str, ...]


def normalise_title(title: str) -> str:
    """A title without versions, years and punctuation: what versions of one document share."""
    text = _YEARISH.sub(" ", title.lower())
    return " ".join(_NOISE.sub(" ", text).replace("_", " ").split())


def statements(text: str, content_hash: str) -> dict[str, Any]:
    """What the top of a document says about its own standing, and its dates: kept in
    ``meta["lineage"]`` with the hash of the content it was read from."""
    effective = _EFFECTIVE.search(text)
    first_date = _DATE.search(text)
    return {
        "hash": content_hash,
        "replaces": [m.group(1).strip() for m in _REPLACES.finditer(text)],
        "replaced_by": [m.group(1).strip() for m in _REPLACED_BY.finditer(text)],
        "versions": sorted({m.group(1) for m in VERSION.finditer(text[:400])}),
        "effective": _epoch(effective.group(1)) if effective else None,
        "text_date": _epoch(first_date.group(0)) if first_date else None,
    }


def version_of(doc: Document) -> Version:
    """``doc`` as lineage compares it: its metadata first, what its text said after, the
    file's mtime last (a copy's mtime says nothing about which version is newer)."""
    meta = doc.meta or {}
    scanned = meta.get("lineage") or {}
    from_text = scanned.get("text_date")
    # ``meta["date"]`` is the front-matter or e-mail date, or the mtime when it had none.
    said = meta.get("date") if meta.get("date") not in (None, doc.mtime) else None
    keyed = next((_epoch(meta[k]) for k in _ORDER_KEYS if meta.get(k) is not None), None)
    order = next((d for d in (keyed, said, from_text) if d is not None), doc.mtime)
    effective = next((_epoch(meta[k]) for k in _EFFECTIVE_KEYS if meta.get(k) is not None), None)
    effective = effective or scanned.get("effective") or order
    supersedes = meta.get(_SUPERSEDES_KEYS[0]) or meta.get(_SUPERSEDES_KEYS[1]) or ()
    path = PurePosixPath(doc.path)
    versions = set(scanned.get("versions") or ())
    versions |= {m.group(1) for m in VERSION.finditer(f"{doc.title} {path.stem}")}
    return Version(
        id=doc.id,
        source=doc.source,
        path=doc.path,
        title=doc.title,
        key=normalise_title(doc.title),
        stem=str(path.parent / normalise_title(path.stem)),
        versions=frozenset(v.split(".")[0] for v in versions),
        order=float(order),
        effective=float(effective),
        supersedes=tuple(str(s) for s in _as_list(supersedes)),
        replaces=tuple(scanned.get("replaces") or ()),
        replaced_by=tuple(scanned.get("replaced_by") or ()),
    )


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _epoch(value: Any) -> float | None:
    """A date from front matter or text (ISO, ``date``, or "1 March 2026") in epoch seconds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC).timestamp()
    if not isinstance(value, str):
        return None
    match = _DATE.search(value)
    if match is None:
        return None
    if match.group(4):
        y, m, d = int(match.group(4)), int(match.group(5)), int(match.group(6))
    else:
        y, m, d = int(match.group(3)), _MONTHS.index(match.group(2).lower()) + 1, int(match[1])
    try:
        return datetime(y, m, d, tzinfo=UTC).timestamp()
    except ValueError:
        return None
