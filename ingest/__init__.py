"""Ingestion: folders of documents into the index and the SQL catalog.

Public API (everything else in this package is private to it):

- ``run_job(services, source=None, paths=(), requested_by="cli", progress=None)``
  → ``JobResult``: run a job now; this process must own the index (``IndexLocked``
  otherwise). ``source`` is a name from ``footnote.toml`` or a folder (an ad-hoc
  source named after it, or ``name=``); ``paths`` restrict the job to some files.
- ``queue_job(services, source, paths, requested_by)`` → job id: hand a job to the
  index owner, which runs it with ``run_pending_jobs(services)``.
- ``start_job_thread(services, source, paths)`` → (job id, thread): run in the
  background; follow it by polling the ``Job`` row (files_done, chunks_embedded).
- ``retry_failed(services, job_id, queue=False)``: re-parse the files that failed in a
  job, now or (``queue=True``) as a queued job for the index owner.
- ``resolve_source(settings, name_or_path)`` → (name, ``SourceConfig``).
- ``list_documents(services, user_groups=None, source=None)`` and
  ``document_chunks(services, doc_id)``: what is indexed, for people to browse.
- ``list_jobs(services, limit=50)`` and ``job_events(services, job_id)``: the latest
  jobs (newest first) and what one of them did to each file. ``fail_interrupted``
  marks jobs whose process died as failed (``list_jobs`` does it first).

A job (``jobs``) covers a ``scope`` (source, root, paths) and runs one ``pipeline``
pass over it, a stage per module: ``changes`` (scan ``sources``, classify each file)
→ ``prepare`` (hash; ``parsing`` + ``chunking`` in the ``isolation`` worker process)
→ ``writer`` (chunk ids, vector reuse, embedding across files, upsert → commit →
delete), with ``report`` recording each file's event, the counters and the heartbeat.
"""

from ingest.catalog import (
    ChunkInfo,
    DocumentInfo,
    document_chunks,
    job_events,
    list_documents,
    list_jobs,
)
from ingest.jobs import (
    JobResult,
    fail_interrupted,
    queue_job,
    reconcile,
    retry_failed,
    run_job,
    run_pending_jobs,
    start_job_thread,
)
from ingest.report import Progress
from ingest.sources import SourceError, resolve_source

__all__ = [
    "ChunkInfo",
    "DocumentInfo",
    "JobResult",
    "Progress",
    "SourceError",
    "document_chunks",
    "fail_interrupted",
    "job_events",
    "list_documents",
    "list_jobs",
    "queue_job",
    "reconcile",
    "resolve_source",
    "retry_failed",
    "run_job",
    "run_pending_jobs",
    "start_job_thread",
]
