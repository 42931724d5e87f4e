"""Lineage in SQL: ``document_links`` kept in step with the catalog after each job.

Reads a document's first chunks only when its content changed, asks
``ingest.lineage.rules`` which links the catalog wants, and writes only the difference,
each change a job event; a person's decision is never overwritten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import Chunk, Document, DocumentLink
from core.services import Services
from ingest.lineage.rules import Found, detect
from ingest.lineage.signals import Version, statements, version_of
from ingest.report import job_event

_SCAN_CHUNKS = 4
"""Statements about a document's own standing sit at its top: read its first chunks."""


@dataclass
class LineageCounts:
    linked: int = 0
    unlinked: int = 0
    scanned: int = 0
    """Documents whose text was read this time (new or changed)."""


def update_lineage(services: Services, job_id: int | None = None) -> LineageCounts:
    """Bring ``document_links`` in step with the catalog; the job's one lineage step."""
    counts = LineageCounts()
    with services.sessions() as session:
        rows = list(session.scalars(select(Document).where(Document.status == "indexed")))
        for doc in rows:
            if (doc.meta.get("lineage") or {}).get("hash") != doc.content_hash:
                doc.meta = {**doc.meta, "lineage": _scan(services, session, doc)}
                counts.scanned += 1
        docs = [version_of(d) for d in rows]
        wanted = detect(docs)
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
                    session.add(job_event(job_id, newer.path, "unlinked", reason))
                session.delete(link)
                counts.unlinked += 1
        session.commit()
    return counts


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
    return statements(text, doc.content_hash)


def _event(
    session: Session,
    job_id: int | None,
    path: str,
    action: str,
    found: Found,
    by_id: dict[str, Version],
) -> None:
    if job_id is None:
        return
    reason = f"supersedes {by_id[found.older].path} ({found.origin}: {found.evidence})"
    session.add(job_event(job_id, path, action, reason))


def _as_datetime(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)
