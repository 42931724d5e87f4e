"""Preparing files for the writer: read, hash, then parse and chunk in the worker.

A thread walks the job's files in order. It stats and hashes each one here (hashing
releases the GIL), skips a file whose bytes did not change (``changes.same_content``),
and hands the rest to ``ingest.isolation``'s worker process, which parses, chunks and
lists the answerer's texts for the chunks (``_parse_and_chunk``): the whole per-file CPU
cost runs in another process than the embedder, under the worker's time and memory
budgets, and only chunks and texts come back.
Prepared files wait in a buffer bounded by the chunks it holds, so the thread keeps
working while a large embedding batch runs, and a huge document cannot fill memory.

A file is a unit of failure: whatever goes wrong while preparing it (a file deleted
or rewritten while it is read, a parser stuck or out of memory, a name that is not
UTF-8) becomes a ``failed`` ``Prepared`` with a reason for a person, and the job goes on.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.embeddings.base import InputWindow
from core.settings import Settings
from ingest.changes import Known, same_content
from ingest.chunking import ChunkDraft, Limits, chunk_document
from ingest.ids import chunk_ids, document_id
from ingest.isolation import ParseWorker
from ingest.parsing import ParseError, parse_file
from ingest.sources import SourceFile
from retrieval.guards import instruction_blocks
from retrieval.warm import AnswerTexts, ChunkText, answer_texts

_HASH_BLOCK = 1 << 20
_HEARTBEAT_S = 2.0
"""While the next file is still parsing, the job's heartbeat is written this often."""
_EXCERPT_CHARS = 160


@dataclass
class Prepared:
    """A file after preparation: chunked, unchanged, or failed."""

    file: SourceFile
    size: int
    mtime: float
    started: float
    content_hash: str = ""
    action: str = ""
    """'' (to write), 'unchanged' (same content) or 'failed'."""
    reason: str = ""
    title: str = ""
    parser: str = ""
    date: float | None = None
    groups: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)
    drafts: list[ChunkDraft] = field(default_factory=list)
    answers: AnswerTexts | None = None
    """The answerer's texts for these chunks (None: no sentence-vector store)."""


@dataclass
class _Chunked:
    """What the worker sends back for one file: no elements, only what is kept."""

    title: str
    parser: str
    date: float | None
    groups: tuple[str, ...]
    meta: dict[str, Any]
    drafts: list[ChunkDraft]
    answers: AnswerTexts | None


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


class Preparer:
    """Prepares a job's files on a thread of its own; iterate to get them, in order."""

    def __init__(
        self,
        settings: Settings,
        worker: ParseWorker,
        limits: Limits,
        known: dict[str, Known],
        max_chunks: int,
        listing: tuple[str, InputWindow] | None = None,
    ) -> None:
        self.settings = settings
        self.worker = worker
        self.limits = limits
        self.known = known
        self.listing = listing
        """(source, the embedder's window): the worker lists each file's answer texts
        under its chunk ids (``retrieval.warm``), off the embedder's thread."""
        self.seconds: Counter[str] = Counter()
        """Seconds of the prepare thread: hash, parse + chunk (in the worker)."""
        self._buffer = _Buffer(max_chunks)

    def empty(self) -> bool:
        """Nothing prepared is waiting (the writer should not wait to fill a batch)."""
        return self._buffer.empty()

    def run(self, files: list[SourceFile], heartbeat: Callable[[], None]) -> Iterator[Prepared]:
        """Prepared files, in order; ``heartbeat`` is called while a long parse runs.
        The thread's crash is the job's crash."""
        thread = threading.Thread(target=self._work, args=(files,), name="ingest-prepare")
        thread.daemon = True
        thread.start()
        try:
            while True:
                try:
                    item = self._buffer.get(_HEARTBEAT_S)
                except queue.Empty:
                    heartbeat()
                    continue
                if item is None:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._buffer.close()
            thread.join()

    def _work(self, files: list[SourceFile]) -> None:
        try:
            for file in files:
                prepared = self._prepare(file)
                if not self._buffer.put(prepared, len(prepared.drafts)):
                    return
            self._buffer.put(None, 0)
        except BaseException as exc:  # noqa: BLE001 (handed to the consumer)
            self._buffer.put(exc, 0)

    def _prepare(self, file: SourceFile) -> Prepared:
        """Read, hash, parse and chunk one file; any failure is its own."""
        started = time.perf_counter()
        try:
            return self._read(file, started)
        except Exception as exc:  # noqa: BLE001 (this file fails, the job goes on)
            return Prepared(file, -1, 0.0, started, action="failed", reason=reason_for(exc))

    def _read(self, file: SourceFile, started: float) -> Prepared:
        stat = file.path.stat()
        prepared = Prepared(file, stat.st_size, stat.st_mtime, started)
        max_bytes = self.settings.max_file_mb * 1024 * 1024
        if stat.st_size > max_bytes:
            prepared.action = "failed"
            prepared.reason = (
                f"too large: {stat.st_size / 1e6:.1f} MB > max_file_mb "
                f"{self.settings.max_file_mb:g}; raise FOOTNOTE_MAX_FILE_MB or split the file"
            )
            return prepared
        tick = time.perf_counter()
        prepared.content_hash = file_hash(file.path)
        self.seconds["hash"] += time.perf_counter() - tick
        if same_content(self.known.get(file.rel), prepared.content_hash, file.groups):
            prepared.action = "unchanged"
            return prepared
        tick = time.perf_counter()
        try:
            window = None
            if self.listing is not None:
                window = (document_id(self.listing[0], file.rel), self.listing[1])
            chunked = self.worker.run(_parse_and_chunk, file.path, self.limits, file.groups, window)
        except ParseError as exc:
            prepared.action, prepared.reason = "failed", str(exc)
            return prepared
        finally:
            self.seconds["parse + chunk (worker)"] += time.perf_counter() - tick
        after = file.path.stat()
        if (after.st_size, after.st_mtime) != (stat.st_size, stat.st_mtime):
            prepared.action = "failed"
            prepared.reason = "changed while it was being read: the next run ingests it"
            return prepared
        prepared.title, prepared.parser = chunked.title, chunked.parser
        prepared.drafts, prepared.meta = chunked.drafts, chunked.meta
        prepared.date = chunked.date if chunked.date is not None else stat.st_mtime
        prepared.groups, prepared.answers = chunked.groups, chunked.answers
        return prepared


def _parse_and_chunk(
    path: Path,
    limits: Limits,
    file_groups: tuple[str, ...],
    listing: tuple[str, InputWindow] | None,
) -> _Chunked:
    """In the worker: parse, chunk, flag passages that read as instructions, and list the
    answerer's texts under the chunks' ids (``listing``: the document's id and the
    embedder's window), which would otherwise hold up the embedder's thread."""
    parsed, parser = parse_file(path)
    drafts = chunk_document(parsed, limits)
    blocks = [b for e in parsed.elements for b in instruction_blocks(e.text)]
    meta = dict(parsed.meta)
    if blocks:
        meta["flagged"] = len(blocks)
        meta["flagged_excerpts"] = [" ".join(b.split())[:_EXCERPT_CHARS] for b in blocks[:3]]
    groups = tuple(parsed.groups) if parsed.groups else file_groups
    answers = None
    if listing is not None:
        doc_id, window = listing
        ids, _ = chunk_ids(doc_id, (d.embed_text for d in drafts))
        chunks = [ChunkText(i, tuple(d.section), d.text) for i, d in zip(ids, drafts, strict=True)]
        answers = answer_texts(window, [(list(groups), chunks)])
    return _Chunked(parsed.title, parser, parsed.date, groups, meta, drafts, answers)


def reason_for(exc: Exception) -> str:
    """What went wrong with one file, for a person to act on."""
    if isinstance(exc, FileNotFoundError):
        return "disappeared during the job (deleted or moved): the next run catches up"
    if isinstance(exc, OSError):
        return f"could not be read: {exc.strerror or exc}"
    if isinstance(exc, ParseError):
        return str(exc)
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:300]}" if lines else type(exc).__name__


class _Buffer:
    """A FIFO between two threads, bounded by the chunks it holds (one item always fits)."""

    def __init__(self, max_chunks: int) -> None:
        self._items: deque[tuple[Any, int]] = deque()
        self._held = 0
        self._max = max_chunks
        self._closed = False
        self._changed = threading.Condition()

    def put(self, item: Any, chunks: int) -> bool:
        """Add ``item`` once there is room; False when the reader has gone."""
        with self._changed:
            while self._items and self._held + chunks > self._max and not self._closed:
                self._changed.wait()
            if self._closed:
                return False
            self._items.append((item, chunks))
            self._held += chunks
            self._changed.notify_all()
            return True

    def get(self, timeout: float) -> Any:
        with self._changed:
            if not self._items:
                self._changed.wait(timeout)
            if not self._items:
                raise queue.Empty
            item, chunks = self._items.popleft()
            self._held -= chunks
            self._changed.notify_all()
            return item

    def empty(self) -> bool:
        with self._changed:
            return not self._items

    def close(self) -> None:
        """The reader stops: the writer's next ``put`` returns False."""
        with self._changed:
            self._closed = True
            self._items.clear()
            self._changed.notify_all()
