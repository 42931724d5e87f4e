"""One pass of a job over its scope: the stages, in order, each in a module of its own.

1. ``ingest.changes``: scan the source and classify each file against the catalog
   (added, changed, access changed, unchanged; removed documents).
2. ``ingest.report``: the files found unchanged are reported at once, unread.
3. ``ingest.prepare``: a thread hashes the other files and the parse worker parses and
   chunks them and lists the answerer's texts for them, in order, while this thread
   embeds and writes the previous ones.
4. ``ingest.writer``: plan chunk ids and reuse vectors per file; once
   ``_BATCH_CHUNKS`` chunks wait, or ``_MIN_CHUNKS`` do and the prepare stage has
   nothing more ready (no reason to idle), embed them with the answerer's texts for
   them in one call and write each file: upsert, commit, delete. Parsing is faster
   than embedding, so the buffer fills during each call and batches grow to the cap by
   themselves.
5. Removed documents are deleted, SQL first.
6. Documents indexed before the sentence-vector store existed (or since it was deleted)
   are warmed from the index (``ingest.sentence_vectors.warm_missing``).

Every file ends in one ``Report.file`` call (its event, the counters, the heartbeat,
the progress listener), so a change of what a job records is made in one place.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from core.db import utcnow
from core.embeddings.base import InputWindow
from core.services import Services
from core.tokens import count_tokens
from ingest.changes import Changes, detect
from ingest.chunking import Limits
from ingest.isolation import shared_worker
from ingest.prepare import Prepared, Preparer
from ingest.report import Counts, Progress, Report
from ingest.scope import JobScope
from ingest.sentence_vectors import warm_missing
from ingest.writer import Plan, Writer

_BATCH_CHUNKS = 1024
"""Chunks per write batch at most: with the answerer's texts for them (about six per
chunk on the dxw handbook) about 7,500 texts in one call, sorted by length across files
(as many as the pure pass of the whole handbook holds at once), so few are padded; about
80 s of MiniLM on two cores, the longest a prepared file waits for its write."""
_MIN_CHUNKS = 256
"""Chunks a batch waits for before it is embedded because nothing more is ready (unless
the job has no more files): each call pads its longest texts to its own batches, about
7,000-10,000 wordpieces whatever its size on the dxw handbook (1.7 % of all it embeds),
so the first small batches of a job, made while the parse worker is starting, cost more
than the few seconds of one idle core spent waiting (session 6: five calls instead of
seven at 128 and 512 chunks, 2.7 s faster; session 7, with the faster parser: three)."""
_BUFFER_CHUNKS = 2 * _BATCH_CHUNKS
"""Chunks the prepare stage may hold ready: the next batch is parsed during this one."""


def run_pass(
    services: Services,
    job_id: int,
    scope: JobScope,
    progress: Progress | None = None,
    *,
    crawl_failed: Sequence[tuple[str, str]] = (),
    crawl_skipped: Sequence[tuple[str, str]] = (),
) -> tuple[Counts, Counter[str]]:
    """Run the job's pass; its counts and the seconds spent per stage. ``crawl_*`` are
    the (url, reason) a web source's crawl could not keep, recorded as the job's own."""
    session = services.sessions()
    try:
        report = Report(session, job_id, progress)
        with report.timed("scan + change detection"):
            changes = detect(session, scope)
        report.start(len(changes.files), [*crawl_skipped, *changes.skipped], crawl_failed)
        _report_unchanged(changes, report)
        writer = Writer(services, session, scope.source, changes, report)
        settings = services.settings
        window = InputWindow.of(services.embedder)
        listing = (scope.source, window) if services.vectors is not None else None
        preparer = Preparer(
            settings,
            shared_worker(settings),
            _limits(services),
            changes.known,
            _BUFFER_CHUNKS,
            listing,
        )
        _write_prepared(preparer, changes, writer, report)
        with report.timed("delete removed"):
            writer.delete(changes.removed)
        with report.timed("embed answer units of documents not yet warmed"):
            warm_missing(services, session, scope.source, report.timed)
        report.seconds.update({f"prepare thread: {k}": v for k, v in preparer.seconds.items()})
        return report.counts, report.seconds
    finally:
        session.close()


def _limits(services: Services) -> Limits:
    """The chunker's sizes: ``chunk_tokens`` tiktoken tokens, inside the embedder's window."""
    embedder, settings = services.embedder, services.settings
    window = embedder.max_input_tokens
    return Limits(
        target_tokens=settings.chunk_tokens,
        count_tokens=count_tokens,
        count_window=embedder.input_token_counter() if window else None,
        max_window=min(window, settings.chunk_max_wordpieces) if window else None,
    )


def _report_unchanged(changes: Changes, report: Report) -> None:
    """Files whose size, mtime and access match: one event each, one commit for all."""
    now = utcnow()
    for file in changes.unchanged():
        doc = changes.docs[file.rel]
        if doc.status == "failed":
            reason = f"unchanged since it failed: {doc.error}"
            report.file(file.rel, "failed", reason, at=now, commit=False)
        else:
            report.file(file.rel, "unchanged", at=now, commit=False)
    report.heartbeat()


def _write_prepared(preparer: Preparer, changes: Changes, writer: Writer, report: Report) -> None:
    batch: list[Plan] = []
    waiting = 0
    items = preparer.run(changes.to_read(), report.heartbeat)
    while True:
        with report.timed("wait for prepare"):
            prepared: Prepared | None = next(items, None)
        if prepared is None:
            break
        if prepared.action:
            writer.without_write(prepared)
            continue
        try:
            with report.timed("plan (ids, vector reuse)"):
                plan = writer.plan(prepared)
        except Exception as exc:  # noqa: BLE001 (this file fails, the job goes on)
            writer.fail(prepared, exc)
            continue
        batch.append(plan)
        waiting += len(prepared.drafts)  # what the batch holds and may embed
        if waiting >= _BATCH_CHUNKS or (waiting >= _MIN_CHUNKS and preparer.empty()):
            writer.write_all(batch)
            batch, waiting = [], 0
    writer.write_all(batch)
