"""What a caller may read: search results, documents (metadata, status, lineage, text)
and sources, bounded by the caller's groups.

The functions here are the API's and the MCP server's alike (one place decides what a
caller gets back); ``router`` puts them on HTTP. Everything goes through
``retrieval.search`` and ``ingest.list_documents`` with the caller's groups, which
apply ``core.access``: a document the caller may not see is "not found", never
"forbidden", so its existence does not leak.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

import retrieval
from app.api.auth import Authenticated, audit_call, services_of
from app.api.errors import ApiError
from core.db import Job, JobEvent
from core.services import Services
from ingest import DocumentInfo, document_chunks, list_documents
from retrieval.citations import document_links
from retrieval.types import Citation, Filters, Passage, User

router = APIRouter(prefix="/v1", tags=["library"])


def document_url(doc_id: str) -> str:
    """Where a document's metadata and text are, relative to the API's base URL."""
    return f"/v1/documents/{doc_id}"


def passage_dict(p: Passage, link: str = "") -> dict[str, Any]:
    """A passage as the API returns it; ``link`` is where a person opens its source (a
    web page's URL), "" when it has none."""
    return {
        "chunk_id": p.chunk_id,
        "doc_id": p.doc_id,
        "title": p.title,
        "source": p.source,
        "path": p.path,
        "section": list(p.section),
        "page": p.page,
        "score": p.score,
        "text": p.text,
        "url": document_url(p.doc_id),
        "link": link,
    }


def citation_dict(c: Citation) -> dict[str, Any]:
    return {**c.to_dict(), "url": document_url(c.doc_id)}


def search_passages(
    services: Services,
    user: User,
    query: str,
    top_k: int | None = None,
    sources: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The best passages ``user`` may see for ``query``."""
    filters = Filters(sources=tuple(sources)) if sources else None
    found = retrieval.search(query, user, services=services, filters=filters, top_k=top_k)
    links = document_links((p.doc_id for p in found), services.sessions)
    return [passage_dict(p, links.get(p.doc_id, "")) for p in found]


def visible_documents(
    services: Services, user: User, source: str | None = None, status: str | None = None
) -> list[DocumentInfo]:
    return list_documents(services, user_groups=user.groups, source=source, status=status)


def document_detail(services: Services, user: User, doc_id: str) -> dict[str, Any]:
    """A document ``user`` may see: metadata, status, lineage (what each job did to it)
    and its chunks with their text; ``ApiError(404)`` otherwise."""
    doc = next((d for d in visible_documents(services, user) if d.id == doc_id), None)
    if doc is None:
        raise ApiError(
            404,
            f"No document {doc_id!r} that this token may see. GET /v1/documents lists them.",
            code="document_not_found",
            param="id",
        )
    with services.sessions() as session:
        rows = session.execute(
            select(JobEvent, Job.requested_by)
            .join(Job, Job.id == JobEvent.job_id)
            .where(Job.source == doc.source, JobEvent.path == doc.path)
            .order_by(JobEvent.id)
        ).all()
    lineage = [
        {
            "job_id": event.job_id,
            "at": event.at,
            "action": event.action,
            "reason": event.reason,
            "chunks": event.chunks,
            "requested_by": requested_by,
        }
        for event, requested_by in rows
    ]
    chunks = [asdict(c) for c in document_chunks(services, doc_id)]
    return {**document_dict(doc), "lineage": lineage, "chunks": chunks}


def document_dict(doc: DocumentInfo) -> dict[str, Any]:
    return {**asdict(doc), "url": document_url(doc.id)}


def source_counts(services: Services, user: User) -> list[dict[str, Any]]:
    """Each source with the documents and chunks of it that ``user`` may see."""
    docs = visible_documents(services, user)
    counts = Counter(d.source for d in docs)
    chunks = Counter[str]()
    for d in docs:
        chunks[d.source] += d.chunk_count
    return [{"source": s, "documents": n, "chunks": chunks[s]} for s, n in sorted(counts.items())]


class SearchRequest(BaseModel):
    query: str = Field(min_length=1, description="What to look for, in plain language.")
    top_k: int | None = Field(default=None, ge=1, le=50, description="How many passages.")
    sources: list[str] | None = Field(default=None, description="Only these sources.")


@router.post("/search", summary="Passages the caller may see, best first")
def search_route(body: SearchRequest, request: Request, who: Authenticated) -> dict[str, Any]:
    services = services_of(request)
    data = search_passages(services, who.user, body.query, body.top_k, body.sources)
    audit_call(
        services, who, "api.search", {"query": body.query, "chunks": [p["chunk_id"] for p in data]}
    )
    return {"object": "list", "data": data}


@router.get("/documents", summary="Documents the caller may see")
def documents_route(
    request: Request,
    who: Authenticated,
    source: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    services = services_of(request)
    docs = visible_documents(services, who.user, source, status)
    audit_call(services, who, "api.documents", {"count": len(docs)})
    return {"object": "list", "data": [document_dict(d) for d in docs]}


@router.get("/documents/{doc_id}", summary="One document: metadata, status, lineage, text")
def document_route(doc_id: str, request: Request, who: Authenticated) -> dict[str, Any]:
    services = services_of(request)
    try:
        detail = document_detail(services, who.user, doc_id)
    finally:
        audit_call(services, who, "api.document", {"doc_id": doc_id})
    return detail
