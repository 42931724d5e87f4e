"""Ingestion jobs over HTTP, for knowledge managers (admin tokens only).

``POST /v1/jobs`` queues a job in the jobs table, the same queue ``footnote ingest``
and the app's Ingestion page use; the process that owns the index runs it. When the
API server is that owner it drains the queue itself (``drain_jobs``), so jobs queued
from a terminal while it runs are picked up too.

Only sources named in ``footnote.toml`` can be run over HTTP. A folder path or a URL
would let anyone holding an admin token make the server read any file it can reach or
fetch any address from inside the network; those are ingested with ``footnote ingest``
by someone at the server, or added to ``footnote.toml`` first.
"""

from __future__ import annotations

import logging
from typing import Any

import anyio
from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from app.api.auth import Admin, audit_call, services_of
from app.api.errors import ApiError
from core.db import Job
from core.services import Services
from ingest import SourceError, job_events, queue_job, run_pending_jobs

log = logging.getLogger(__name__)

router = APIRouter(prefix="/v1", tags=["jobs"])

_FIELDS = (
    "id",
    "source",
    "root",
    "paths",
    "requested_by",
    "status",
    "created_at",
    "started_at",
    "finished_at",
    "files_total",
    "files_done",
    "added",
    "updated",
    "unchanged",
    "deleted",
    "failed",
    "chunks_total",
    "chunks_embedded",
    "error",
)


class JobRequest(BaseModel):
    source: str = Field(description="A source named in footnote.toml.")
    paths: list[str] = Field(default_factory=list, description="Only these files of it.")


async def drain_jobs(services: Services, every_s: float) -> None:
    """Run queued jobs every ``every_s`` seconds until cancelled (the owner's loop)."""
    while True:
        try:
            await anyio.to_thread.run_sync(run_pending_jobs, services)
        except Exception:  # a bad job must not stop the loop; its row has the error
            log.exception("ingestion job runner")
        await anyio.sleep(every_s)


@router.post("/jobs", status_code=202, summary="Queue an ingestion job (admin)")
def queue_route(body: JobRequest, request: Request, who: Admin) -> dict:
    services = services_of(request)
    configured = sorted(services.settings.sources)
    if body.source not in configured:
        raise ApiError(
            400,
            f"Unknown source {body.source!r}: over the API a job runs a source named in "
            f"footnote.toml ({', '.join(configured) or 'none configured'}). Add a folder or "
            "website there, or ingest it at the server with `footnote ingest`.",
            code="invalid_source",
            param="source",
        )
    try:
        job_id = queue_job(services, body.source, tuple(body.paths), requested_by=who.user.id)
    except SourceError as exc:
        raise ApiError(400, str(exc), code="invalid_source", param="source") from None
    audit_call(services, who, "api.job", {"job_id": job_id, "source": body.source})
    return _job(services, job_id)


@router.get("/jobs/{job_id}", summary="A job's progress and what it did to each file (admin)")
def job_route(job_id: int, request: Request, who: Admin) -> dict[str, Any]:
    services = services_of(request)
    detail = _job(services, job_id)
    detail["events"] = [
        {"path": e.path, "action": e.action, "reason": e.reason, "chunks": e.chunks}
        for e in job_events(services, job_id)
    ]
    return detail


def _job(services: Services, job_id: int) -> dict[str, Any]:
    with services.sessions() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise ApiError(404, f"No job {job_id}.", code="job_not_found", param="job_id")
        return {name: getattr(job, name) for name in _FIELDS}
