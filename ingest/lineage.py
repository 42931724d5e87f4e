"""Lineage: which documents supersede which, found once per job over the whole catalog.

Companies keep old policies next to new ones; an answer must know which one holds. After
each job, ``update_lineage`` keeps the ``document_links`` table in step with the catalog,
from three signals, strongest first:

- ``front_matter``: the newer document's ``supersedes:`` key (a path or a title, or a
  list of them);
- ``text``: a sentence in which the document speaks of itself ("This notice replaces the
  Bristol car park permits page of 1 April 2025", "This version supersedes version 1.0",
  "this version has been replaced by ..."). Only self-references count: "the change
  replaces the enhanced pay described in the handbook" replaces a passage, not a document;
- ``proposed``: two documents of one source share a normalised title, or file names that
  differ only by a version or a year; the later one (by ``updated``, ``last_reviewed_at``,
  e-mail date, a date in the text, the file's mtime last) is proposed as the newer.

The first two are confirmed by the document itself; proposals wait for a knowledge
manager (the Library, ``footnote docs link``), and a person's decision is never
overwritten by a later job. Each change becomes a job event (``linked`` / ``unlinked``),
so a job's log says what it did to the lineage; people's decisions go to the audit chain
(``retrieval.lineage``).

Re-running an unchanged catalog recomputes nothing: the statements and dates found in a
document's text are kept in its ``meta["lineage"]`` with the content hash they were read
from, so chunk text is read only for new or changed documents, and links are written only
when they differ. A deleted document's links go with it (``ON DELETE CASCADE``).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import Chunk, Document, DocumentLink, JobEvent
from core.services import Services

ORIGINS = ("front_matter", "text", "proposed", "manual")
"""Where a link came from, strongest first."""

_SUPERSEDES_KEYS = ("supersedes", "replaces")
_ORDER_KEYS = ("updated", "last_reviewed_at", "last_updated", "date")
_EFFECTIVE_KEYS = ("effective", "effective_date", "effective_from")
_SCAN_CHUNKS = 4
"""Statements about a document's own standing sit at its top: read its first chunks."""

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
_VERSION = re.compile(r"\b(?:version|v)\s*\.?\s*(\d+(?:\.\d+)*)\b", re.IGNORECASE)
_YEARISH = re.compile(r"\b(?:19|20)\d{2}(?:-\d{2}){0,2}\b")
_NOISE = re.compile(r"\b(?:version|v)\s*\.?\s*\d+(?:\.\d+)*\b|\(\s*\)|[^\w\s]", re.IGNORECASE)


@dataclass(frozen=True)
class _Doc:
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


@dataclass(frozen=True)
class _Found:
    newer: str
    older: str
    origin: str
    evidence: str


@dataclass
class LineageCounts:
    linked: int = 0
    unlinked: int = 0
    scanned: int = 0
    """Documents whose text was read this time (new or changed)."""


def normalise_title(title: str) -> str:
    """A title without versions, years and punctuation: what versions of one document share."""
    text = _YEARISH.sub(" ", title.lower())
    return " ".join(_NOISE.sub(" ", text).replace("_", " ").split())


def update_lineage(services: Services, job_id: int | None = None) -> LineageCounts:
    """Bring ``document_links`` in step with the catalog; the job's one lineage step."""
    counts = LineageCounts()
    with services.sessions() as session:
        rows = list(session.scalars(select(Document).where(Document.status == "indexed")))
        for doc in rows:
            if (doc.meta.get("lineage") or {}).get("hash") != doc.content_hash:
                doc.meta = {**doc.meta, "lineage": _scan(services, session, doc)}
                counts.scanned += 1
        docs = [_doc(d) for d in rows]
        wanted = _detect(docs)
        by_id = {d.id: d for d in docs}
        existing = {(lk.newer_id, lk.older_id): lk for lk in session.scalars(select(DocumentLink))}
        for pair, found in wanted.items():
            link = existing.get(pair) or existing.get((pair[1], pair[0]))
            if link is not None and (link.decided_by or link.origin == "manual"):
                continue  # a person decided: ingestion does not overrule
            effective = _as_datetime(by_id[found.newer].effective)
            if link is None:
                link = DocumentLink(newer_id=found.newer, older_id=found.older)
                session.add(link)
                _event(session, job_id, by_id[found.newer].path, "linked", found, by_id)
                counts.linked += 1
            elif (link.newer_id, link.older_id, link.origin, link.effective_at) == (
                *pair,
                found.origin,
                effective,
            ):
                continue
            link.newer_id, link.older_id = pair
            link.origin, link.evidence, link.effective_at = found.origin, found.evidence, effective
            link.status = "proposed" if found.origin == "proposed" else "confirmed"
        for pair, link in existing.items():
            stale = pair not in wanted and (pair[1], pair[0]) not in wanted
            if stale and not link.decided_by and link.origin != "manual":
                newer = by_id.get(link.newer_id)
                reason = f"no longer supersedes {link.older_id} ({link.origin})"
                if newer is not None and job_id is not None:
                    session.add(
                        JobEvent(job_id=job_id, path=newer.path, action="unlinked", reason=reason)
                    )
                session.delete(link)
                counts.unlinked += 1
        session.commit()
    return counts


# -- reading a document ---------------------------------------------------------------------
def _scan(services: Services, session: Session, doc: Document) -> dict[str, Any]:
    """Self-statements and dates from the first chunks of ``doc`` (read from the index)."""
    ids = session.scalars(
        select(Chunk.id)
        .where(Chunk.document_id == doc.id)
        .order_by(Chunk.ordinal)
        .limit(_SCAN_CHUNKS)
    ).all()
    by_id = {hit.id: str(hit.payload.get("text", "")) for hit in services.index.get(list(ids))}
    text = "\n".join(by_id.get(i, "") for i in ids)
    effective = _EFFECTIVE.search(text)
    first_date = _DATE.search(text)
    return {
        "hash": doc.content_hash,
        "replaces": [m.group(1).strip() for m in _REPLACES.finditer(text)],
        "replaced_by": [m.group(1).strip() for m in _REPLACED_BY.finditer(text)],
        "versions": sorted({m.group(1) for m in _VERSION.finditer(text[:400])}),
        "effective": _epoch(effective.group(1)) if effective else None,
        "text_date": _epoch(first_date.group(0)) if first_date else None,
    }


def _doc(doc: Document) -> _Doc:
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
    versions |= {m.group(1) for m in _VERSION.finditer(f"{doc.title} {path.stem}")}
    return _Doc(
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


# -- finding links ------------------------------------------------------------------------
def _detect(docs: list[_Doc]) -> dict[tuple[str, str], _Found]:
    """(newer id, older id) → the strongest signal for it; a pair appears once."""
    found: dict[tuple[str, str], _Found] = {}

    def add(newer: _Doc, older: _Doc, origin: str, evidence: str) -> None:
        if newer.id == older.id:
            return
        pair, reverse = (newer.id, older.id), (older.id, newer.id)
        current = found.get(pair) or found.get(reverse)
        if current is not None and ORIGINS.index(current.origin) <= ORIGINS.index(origin):
            return
        found.pop(reverse, None)
        found[pair] = _Found(newer.id, older.id, origin, evidence[:500])

    by_source: dict[str, list[_Doc]] = {}
    for doc in docs:
        by_source.setdefault(doc.source, []).append(doc)
    for group in by_source.values():
        for doc in group:
            for ref in doc.supersedes:
                for older in _resolve_reference(ref, doc, group):
                    add(doc, older, "front_matter", f"supersedes: {ref}")
            for phrase in doc.replaces:
                for older in _named_in(phrase, doc, group):
                    add(doc, older, "text", f"“… {phrase}”")
            for phrase in doc.replaced_by:
                for newer in _named_in(phrase, doc, group, older=False):
                    add(newer, doc, "text", f"“… replaced by {phrase}”")
        for older, newer, why in _proposals(group):
            add(newer, older, "proposed", why)
    return found


def _resolve_reference(ref: str, doc: _Doc, group: list[_Doc]) -> list[_Doc]:
    """A ``supersedes:`` value: a path (relative to the source or to the document), a
    file name, or a title."""
    wanted = ref.strip().lstrip("./")
    beside = str(PurePosixPath(doc.path).parent / wanted)
    by_path = [d for d in group if d.path in (wanted, beside)]
    by_path = by_path or [d for d in group if PurePosixPath(d.path).name == wanted]
    by_path = by_path or [d for d in group if PurePosixPath(d.path).stem == wanted]
    if by_path:
        return by_path
    exact = [d for d in group if d.title.strip().lower() == wanted.lower()]
    return exact or _named_in(wanted, doc, group)


def _named_in(phrase: str, doc: _Doc, group: list[_Doc], older: bool = True) -> list[_Doc]:
    """Documents whose (normalised) title ``phrase`` names, narrowed by a version it gives
    and, among several, to those dated before ``doc`` (``older``) or after it."""
    said = f" {normalise_title(phrase)} "
    named = [d for d in group if d.id != doc.id and d.key and f" {d.key} " in said]
    if not named:
        return []
    longest = max(len(d.key) for d in named)
    named = [d for d in named if len(d.key) == longest]  # "travel policy" loses to a longer match
    versions = {m.group(1).split(".")[0] for m in _VERSION.finditer(phrase)}
    if versions:
        named = [d for d in named if d.versions & versions] or named
    if len(named) > 1:
        named = [d for d in named if (d.order < doc.order) == older] or named
    return named


def _proposals(group: list[_Doc]) -> Iterable[tuple[_Doc, _Doc, str]]:
    """(older, newer, why) for documents that look like versions of one another."""
    for attr, what in (("key", "title"), ("stem", "file name")):
        buckets: dict[str, list[_Doc]] = {}
        for doc in group:
            value = getattr(doc, attr)
            if value and value != ".":
                buckets.setdefault(value, []).append(doc)
        for same in buckets.values():
            ordered = sorted(same, key=lambda d: d.order)
            for older, newer in zip(ordered, ordered[1:], strict=False):
                if older.order < newer.order:
                    yield older, newer, f"same {what} as {older.path}, dated later"


# -- helpers --------------------------------------------------------------------------------
def _event(
    session: Session,
    job_id: int | None,
    path: str,
    action: str,
    found: _Found,
    by_id: dict[str, _Doc],
) -> None:
    if job_id is None:
        return
    reason = f"supersedes {by_id[found.older].path} ({found.origin}: {found.evidence})"
    session.add(JobEvent(job_id=job_id, path=path, action=action, reason=reason))


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


def _as_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)


__all__ = ["ORIGINS", "LineageCounts", "normalise_title", "update_lineage"]
