"""What has been ingested: documents (filtered by who may see them), their chunks, and
the jobs that did it with what each job did to each file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.access import may_see
from core.db import Chunk, Document, Job, JobEvent
from core.services import Services
from ingest.jobs import fail_interrupted


@dataclass(frozen=True)
class DocumentInfo:
    id: str
    source: str
    path: str
    title: str
    status: str
    """indexed | failed (an indexed document with ``error`` kept its last good version)"""
    error: str | None
    groups: list[str]
    chunk_count: int
    parser: str
    indexed_at: datetime | None
    flagged: int = 0
    """Passages that read as instructions to a reader or a model: review them."""
    flagged_excerpts: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChunkInfo:
    id: str
    ordinal: int
    section: str
    page: int | None
    token_count: int
    text: str


def list_documents(
    services: Services,
    user_groups: Iterable[str] | None = None,
    source: str | None = None,
    status: str | None = None,
) -> list[DocumentInfo]:
    """Documents by source and path; ``user_groups`` hides what those groups may not read."""
    query = select(Document).order_by(Document.source, Document.path)
    if source:
        query = query.where(Document.source == source)
    if status:
        query = query.where(Document.status == status)
    with services.sessions() as session:
        return [
            _info(d)
            for d in session.scalars(query)
            if user_groups is None or may_see(d.groups, user_groups)
        ]


def _info(doc: Document) -> DocumentInfo:
    return DocumentInfo(
        id=doc.id,
        source=doc.source,
        path=doc.path,
        title=doc.title,
        status=doc.status,
        error=doc.error,
        groups=list(doc.groups),
        chunk_count=doc.chunk_count,
        parser=doc.parser,
        indexed_at=doc.indexed_at,
        flagged=int(doc.meta.get("flagged", 0)),
        flagged_excerpts=tuple(doc.meta.get("flagged_excerpts", ())),
    )


def document_chunks(services: Services, doc_id: str) -> list[ChunkInfo]:
    """A document's chunks in order, with their text from the index."""
    with services.sessions() as session:
        rows = session.scalars(
            select(Chunk).where(Chunk.document_id == doc_id).order_by(Chunk.ordinal)
        ).all()
    payloads: dict[str, dict[str, Any]] = {
        hit.id: hit.payload for hit in services.index.get([c.id for c in rows])
    }
    return [
        ChunkInfo(
            id=c.id,
            ordinal=c.ordinal,
            section=c.section,
            page=c.page,
            token_count=c.token_count,
            text=str(payloads.get(c.id, {}).get("text", "")),
        )
        for c in rows
    ]


def list_jobs(services: Services, limit: int = 50) -> list[Job]:
    """The latest ingestion jobs, newest first (their rows carry the live progress).

    Jobs whose process died are marked failed first, so none is shown ``running``
    after its process is gone.
    """
    fail_interrupted(services)
    with services.sessions() as session:
        return list(session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))


def job_events(services: Services, job_id: int) -> list[JobEvent]:
    """What job ``job_id`` did to each file (added, unchanged, failed…), in order."""
    with services.sessions() as session:
        query = select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.id)
        return list(session.scalars(query))
