"""What a job tells the world as it goes: events, counters, heartbeat, progress, timings.

Every file ends in exactly one call to ``Report.file`` (added, updated, unchanged,
failed), every removed document in one ``Report.removed``. That call adds the file's
event, moves the counters, writes them and the heartbeat to the job's row and commits,
in the same transaction as the document rows the writer staged before it: the job's
row never counts a document SQL does not hold. Only then does the progress listener
hear of it. If the commit fails, the counters stay as they were. ``Report.start``
records what the scan skipped, and for a web source what its crawl could not keep.
``job_event`` makes every event, the lineage's too.

``Report.timed`` adds up where the seconds go (``python -m benchmarks.ingest`` prints it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session

from core.db import Job, JobEvent, utcnow

_PATH_CHARS = 1000
"""``job_events.path`` holds this many characters (a crawled URL may be longer)."""


class Progress(Protocol):
    """What a job reports as it goes (the CLI draws a bar from it)."""

    def start(self, files_total: int) -> None: ...

    def advance(self, path: str, action: str, chunks_embedded: int) -> None: ...


@dataclass
class Counts:
    """What a pass did, file by file: the job's row mirrors the counters as it goes."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: int = 0
    files_done: int = 0
    chunks_total: int = 0
    chunks_embedded: int = 0
    skipped: int = 0
    """Left out by the scan (symlinks out of the root, loops...): events, no column."""
    flagged: int = 0
    """Documents with passages that read as instructions: events, no column."""
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(path, reason) of every file that failed: the job itself still succeeded."""

    def counters(self) -> dict[str, int]:
        """The counters, named as the ``jobs`` columns that store them."""
        extra = ("failures", "skipped", "flagged")
        return {k: v for k, v in asdict(self).items() if k not in extra}


class Report:
    """One job's account of itself, written through the pass's session."""

    def __init__(self, session: Session, job_id: int, progress: Progress | None) -> None:
        self.session = session
        self.job_id = job_id
        self.progress = progress
        self.counts = Counts()
        self.seconds: Counter[str] = Counter()
        """Seconds per stage of the calling thread (embed, plan, write, wait...)."""

    def start(
        self,
        files_total: int,
        skipped: Sequence[tuple[str, str]],
        failed: Sequence[tuple[str, str]] = (),
    ) -> None:
        """The scan is done: what it (or a crawl before it) left out, what a crawl could
        not fetch (counted as failed files), and how many files the job will see."""
        for rel, reason in skipped:
            self._event(rel, "skipped", reason)
        for rel, reason in failed:
            self._event(rel, "failed", reason)
        counts = dataclasses.replace(
            self.counts, skipped=len(skipped), failed=len(failed), failures=list(failed)
        )
        self.session.execute(
            update(Job).where(Job.id == self.job_id).values(files_total=files_total)
        )
        self._commit(counts)
        if self.progress:
            self.progress.start(files_total)

    def file(
        self,
        rel: str,
        action: str,
        reason: str | None = None,
        *,
        chunks_total: int = 0,
        chunks_embedded: int = 0,
        started: float | None = None,
        at: datetime | None = None,
        flagged: str | None = None,
        commit: bool = True,
    ) -> None:
        """One file is done (``action``: added, updated, unchanged or failed): commit it.

        ``commit=False`` leaves the commit to the next call or ``heartbeat`` (a run of
        files the scan found unchanged: one transaction for all of them)."""
        counts = dataclasses.replace(self.counts, failures=list(self.counts.failures))
        setattr(counts, action, getattr(counts, action) + 1)
        counts.files_done += 1
        counts.chunks_total += chunks_total
        counts.chunks_embedded += chunks_embedded
        if action == "failed":
            counts.failures.append((rel, reason or ""))
        self._event(rel, action, reason, chunks_embedded, started, at)
        if flagged:
            counts.flagged += 1
            self._event(rel, "flagged", flagged)
        if commit:
            self._commit(counts)
        else:
            self.counts = counts
        if self.progress:
            self.progress.advance(rel, action, chunks_embedded)

    def uncommitted_failure(self, rel: str, reason: str) -> None:
        """A failure not even its own event can be stored for: counted, nothing else."""
        self.counts.failed += 1
        self.counts.files_done += 1
        self.counts.failures.append((rel, reason))

    def removed(self, rel: str, chunks: int) -> None:
        """A document whose file is gone was deleted from SQL (staged by the writer)."""
        counts = dataclasses.replace(self.counts, deleted=self.counts.deleted + 1)
        self._event(rel, "deleted", None, chunks)
        self._commit(counts)

    def heartbeat(self) -> None:
        """The job is alive (a long parse is running): counters and ``heartbeat_at``."""
        self._commit(self.counts)

    @contextlib.contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] += time.perf_counter() - started

    def _event(
        self,
        path: str,
        action: str,
        reason: str | None,
        chunks: int = 0,
        started: float | None = None,
        at: datetime | None = None,
    ) -> None:
        elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        self.session.add(job_event(self.job_id, path, action, reason, chunks, elapsed, at))

    def _commit(self, counts: Counts) -> None:
        """Counters and heartbeat go in the same transaction as the document they count."""
        self.session.execute(
            update(Job)
            .where(Job.id == self.job_id)
            .values(**counts.counters(), heartbeat_at=utcnow())
        )
        self.session.commit()
        self.counts = counts


def job_event(
    job_id: int,
    path: str,
    action: str,
    reason: str | None = None,
    chunks: int = 0,
    duration_ms: float = 0.0,
    at: datetime | None = None,
) -> JobEvent:
    """One line of a job's log (a file's outcome, or a link ``ingest.lineage`` made or
    dropped): the one place a ``JobEvent`` is made, so every writer fills it alike."""
    return JobEvent(
        job_id=job_id,
        path=path[:_PATH_CHARS],
        action=action,
        reason=reason,
        chunks=chunks,
        duration_ms=duration_ms,
        at=at or utcnow(),
    )


def flag_reason(meta: dict[str, Any]) -> str | None:
    """The event for a document with passages that read as instructions (None if clean)."""
    flagged = meta.get("flagged", 0)
    if not flagged:
        return None
    return (
        f"{flagged} passage(s) read as instructions to a reader or a model, e.g. "
        f"“{meta['flagged_excerpts'][0]}”: they are never quoted; review the document"
    )
