"""Ingestion jobs: rows in the jobs table that one process runs, others queue.

The embedded index belongs to one process. ``run_job`` runs in the owner; any other
process calls ``queue_job`` and the owner picks queued jobs up with
``run_pending_jobs`` (the app polls it; the CLI runs it after its own job). A job
updates its row as it goes (files_done, chunks_embedded, heartbeat_at), so anyone can
follow it from SQL, including the app's progress view of ``start_job_thread``.

Jobs left ``running`` by a dead process are marked failed (interrupted) whenever
anyone lists jobs (``fail_interrupted``) and at the start of each job, whose reconcile
also makes the index and SQL agree: when the index and the SQL chunk manifest disagree (a crash
between the two writes) orphan points are deleted and documents with missing points
are re-processed by this job. Re-running an interrupted job finishes its work because
change detection sees what is not yet indexed.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import select, update

from core.db import Chunk, Document, Job, JobEvent, utcnow
from core.services import Services
from ingest import scope as scopes
from ingest.lineage import update_lineage
from ingest.report import Counts, Progress
from ingest.sources import SourceError, scan
from ingest.web import run_pass

_RUN_LOCK = threading.Lock()
"""Jobs in one process run one at a time."""
_ACTIVE: set[int] = set()
_ACTIVE_LOCK = threading.Lock()
"""Held while a job row turns ``running`` and joins ``_ACTIVE``, and while
``fail_interrupted`` looks: a job of this process is never taken for a dead one."""


@dataclass(kw_only=True)
class JobResult(Counts):
    """A job's counts (flat, like the job's row and ``--json``) and how it ended."""

    job_id: int
    source: str
    status: str
    """succeeded | failed | queued"""
    seconds: float = 0.0
    error: str | None = None
    stage_seconds: dict[str, float] = field(default_factory=dict)
    """Where the seconds went (``ingest.report``): what ``benchmarks.ingest`` prints."""


def queue_job(
    services: Services,
    source: str | None = None,
    paths: tuple[str, ...] = (),
    requested_by: str = "cli",
    name: str | None = None,
) -> int:
    """Record a job for the index owner to run; returns its id."""
    return _new_job(services, source, paths, requested_by, name, status="queued")[0]


def _new_job(
    services: Services,
    source: str | None,
    paths: tuple[str, ...],
    requested_by: str,
    name: str | None,
    status: str,
) -> tuple[int, scopes.JobScope]:
    """The request resolved (once) into a scope, stored as a new job row: (id, scope)."""
    scope = scopes.resolve(services.settings, source, paths, name)
    with services.sessions() as session:
        job = Job(**scope.row(), requested_by=requested_by, status=status)
        if status == "running":
            job.pid, job.started_at, job.heartbeat_at = os.getpid(), utcnow(), utcnow()
        session.add(job)
        session.commit()
        return job.id, scope


def run_job(
    services: Services,
    source: str | None = None,
    paths: tuple[str, ...] = (),
    requested_by: str = "cli",
    progress: Progress | None = None,
    name: str | None = None,
    job_id: int | None = None,
) -> JobResult:
    """Run a job now in this process (it must own the index), or a queued one by id.

    Raises ``IndexLocked`` before creating a job when another process owns the index,
    and ``SourceError`` for a source that does not resolve.
    """
    services.index  # noqa: B018 (take the index, or raise IndexLocked, before any job row)
    with _RUN_LOCK:
        scope: scopes.JobScope | None = None
        with _ACTIVE_LOCK:
            if job_id is None:
                job_id, scope = _new_job(
                    services, source, paths, requested_by, name, status="running"
                )
            elif not _claim(services, job_id):
                raise ValueError(f"job {job_id} is not queued")
            _ACTIVE.add(job_id)
        try:
            return _execute(services, job_id, scope, progress)
        finally:
            _ACTIVE.discard(job_id)


def _claim(services: Services, job_id: int) -> bool:
    with services.sessions() as session:
        claimed = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", pid=os.getpid(), started_at=utcnow(), heartbeat_at=utcnow())
        ).rowcount
        session.commit()
        return bool(claimed)


def _execute(
    services: Services, job_id: int, scope: scopes.JobScope | None, progress: Progress | None
) -> JobResult:
    """Run the job: with the scope it was created with, or (queued) its row's, read once."""
    started = time.perf_counter()
    if scope is None:
        with services.sessions() as session:
            job = session.get(Job, job_id)
        assert job is not None
    source = scope.source if scope else job.source
    counts, stages, status, error = Counts(), {}, "failed", None
    try:
        reconcile(services)
        scope = scope or scopes.of_job(services.settings, job)
        counts, stages = run_pass(services, job_id, scope, progress)
        update_lineage(services, job_id)  # which documents supersede which (ingest/lineage/)
        services.index.flush()
        status = "succeeded"
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, SourceError):
            raise
    finally:
        with services.sessions() as session:
            session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(status=status, error=error, finished_at=utcnow())
            )
            session.commit()
    return JobResult(
        **vars(counts),
        job_id=job_id,
        source=source,
        status=status,
        seconds=time.perf_counter() - started,
        error=error,
        stage_seconds=dict(stages),
    )


def reconcile(services: Services) -> None:
    """Make SQL and the index agree after a crash: compare every id (about a second at
    100k chunks), delete orphan points, send documents with missing points round again."""
    fail_interrupted(services)
    index = services.index
    with services.sessions() as session:
        sql_ids = set(session.scalars(select(Chunk.id)))
        index_ids = index.ids()
        index.delete(sorted(index_ids - sql_ids))
        missing = sql_ids - index_ids
        if missing:
            doc_ids = set(session.scalars(select(Chunk.document_id).where(Chunk.id.in_(missing))))
            session.execute(
                update(Document).where(Document.id.in_(doc_ids)).values(size=-1, content_hash="")
            )
            session.commit()


def fail_interrupted(services: Services) -> None:
    """Mark jobs whose process died as failed (interrupted): a job never stays
    ``running`` after its process is gone, for whoever looks next."""
    with _ACTIVE_LOCK, services.sessions() as session:
        stale = [
            job
            for job in session.scalars(select(Job).where(Job.status == "running"))
            if job.id not in _ACTIVE and (job.pid == os.getpid() or not _alive(job.pid))
        ]
        for job in stale:
            job.status, job.finished_at = "failed", utcnow()
            job.error = f"interrupted: process {job.pid} stopped mid-job; re-run to finish"
        session.commit()


def _alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def run_pending_jobs(services: Services, progress: Progress | None = None) -> list[JobResult]:
    """Run every queued job, oldest first (the index owner calls this)."""
    results: list[JobResult] = []
    while True:
        with services.sessions() as session:
            job_id = session.scalar(
                select(Job.id).where(Job.status == "queued").order_by(Job.id).limit(1)
            )
        if job_id is None:
            return results
        try:
            results.append(run_job(services, job_id=job_id, progress=progress))
        except ValueError:
            continue


def start_job_thread(
    services: Services,
    source: str | None = None,
    paths: tuple[str, ...] = (),
    requested_by: str = "app",
) -> tuple[int, threading.Thread]:
    """Queue a job and run it in a background thread; poll its ``Job`` row for progress."""
    job_id = queue_job(services, source, paths, requested_by)
    thread = threading.Thread(
        target=run_job, kwargs={"services": services, "job_id": job_id}, daemon=True
    )
    thread.start()
    return job_id, thread


def retry_failed(
    services: Services,
    job_id: int,
    progress: Progress | None = None,
    *,
    queue: bool = False,
    requested_by: str = "cli",
) -> JobResult | None:
    """Parse the files that failed in job ``job_id`` again (None when none failed).

    Their documents are marked stale first, so change detection re-parses them although
    the files did not change; the retry is then a job like any other. ``queue=True``
    hands it to the index owner's runner and returns at once (status "queued"): a page
    request never runs a job inline. Otherwise it runs here, now.
    """
    with services.sessions() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise ValueError(f"no job {job_id}")
        failed = session.scalars(
            select(JobEvent.path).where(JobEvent.job_id == job_id, JobEvent.action == "failed")
        ).all()
        if not failed:
            return None
        scope = scopes.of_job(services.settings, job)
        source, config = scope.source, scope.config
        session.execute(
            update(Document)
            .where(Document.source == source, Document.path.in_(failed))
            .values(size=-1, content_hash="")
        )
        session.commit()
    on_disk = {f.rel: f.path for f in scan(config)}  # a printable name → its real path
    paths = tuple(str(on_disk.get(rel, config.path / rel)) for rel in failed)
    if queue:
        queued = queue_job(services, str(config.path), paths, requested_by, name=source)
        return JobResult(job_id=queued, source=source, status="queued")
    return run_job(
        services,
        source=str(config.path),
        paths=paths,
        requested_by=requested_by,
        progress=progress,
        name=source,
    )
