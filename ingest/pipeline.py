"""One pass of a job over one source: detect changes, parse, chunk, embed, write.

A parser thread reads, hashes, parses and chunks files into a bounded queue while the
calling thread embeds and writes, so parsing hides behind the model. Per document the
write order keeps one invariant at every instant, even under ``kill -9``: every chunk
id in SQL is in the index. New points are upserted first, then SQL commits the new
manifest, then the old points that are not in it are deleted; a crash leaves at worst
orphan points, which the next job's reconcile deletes (see ``ingest.jobs``).

Nothing is embedded twice: a chunk's id is uuid5(doc id, hash of its embedded text,
occurrence), so unchanged chunks keep their id and are not rewritten, and a chunk whose
text exists anywhere in the index (a moved file, a copied paragraph, an ordinal shift)
reuses that point's vector.

A file is a unit of failure: whatever goes wrong with one (a name that is not UTF-8, a
parser stuck or out of memory in ``ingest.isolation``'s worker, a file deleted or
rewritten while it is read, a row SQL refuses) fails that file with its reason on the
job, and the job goes on. Passages that read as instructions to a reader or a model
(``retrieval.guards``) are flagged on the document for a knowledge manager to review.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import queue
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.db import Chunk, Document, Job, JobEvent, utcnow
from core.index import ChunkRecord
from core.services import Services
from core.settings import SourceConfig
from core.tokens import count_tokens
from ingest.chunking import ChunkDraft, Limits, chunk_document
from ingest.isolation import shared_worker
from ingest.parsing import ParseError
from ingest.sources import SourceFile, in_scope, scan
from retrieval.guards import instruction_blocks

_NAMESPACE = uuid.UUID("6f6f746e-6f74-4e00-8000-666f6f746e74")
_QUEUE_DEPTH = 8
_HASH_BLOCK = 1 << 20
_HEARTBEAT_S = 2.0
"""While the next file is still parsing, the job's heartbeat is written this often."""
_EXCERPT_CHARS = 160


class Progress(Protocol):
    """What a job reports as it goes (the CLI draws a bar from it)."""

    def start(self, files_total: int) -> None: ...

    def advance(self, path: str, action: str, chunks_embedded: int) -> None: ...


def document_id(source: str, rel: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{source}\x00{rel}"))


def chunk_id(doc_id: str, text_hash: str, occurrence: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{doc_id}\x00{text_hash}\x00{occurrence}"))


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_HASH_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


@dataclass
class _Prepared:
    """A file after the parser thread: parsed and chunked, unchanged, or failed."""

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


@dataclass
class _Plan:
    """A parsed file's chunks with ids, and which of them need a vector or a write."""

    prepared: _Prepared
    doc_id: str
    ids: list[str]
    hashes: list[str]
    vectors: dict[str, Any]
    to_embed: list[int]
    to_write: list[int]


class Pass:
    """One job's pass over one source (see the module docstring for the write order)."""

    def __init__(
        self,
        services: Services,
        job_id: int,
        source: str,
        config: SourceConfig,
        within: tuple[Path, ...] = (),
        progress: Progress | None = None,
    ) -> None:
        self.services = services
        self.settings = services.settings
        self.job_id = job_id
        self.source = source
        self.config = config
        self.within = within
        self.progress = progress
        self.counts = Counts()
        self._session: Session = services.sessions()
        self._docs: dict[str, Document] = {}
        self._moved_from: dict[str, str] = {}

    # -- the pass -------------------------------------------------------------------------
    def run(self) -> Counts:
        try:
            skipped: list[tuple[str, str]] = []
            files = scan(self.config, self.within, skipped)
            for rel, reason in skipped:
                self._event(rel, "skipped", reason)
            self.counts.skipped = len(skipped)
            self._docs = {
                d.path: d
                for d in self._session.scalars(
                    select(Document).where(Document.source == self.source)
                )
            }
            seen = {f.rel for f in files}
            removed = [
                d
                for rel, d in self._docs.items()
                if rel not in seen and in_scope(self.config.path, rel, self.within)
            ]
            self._moved_from = {d.content_hash: d.path for d in removed if d.content_hash}
            self._set_job(files_total=len(files))
            if self.progress:
                self.progress.start(len(files))
            todo = self._skip_unchanged(files)
            self._process(todo)
            self._delete(removed)
            return self.counts
        finally:
            self._session.close()

    def _skip_unchanged(self, files: list[SourceFile]) -> list[SourceFile]:
        """Files whose size and mtime match what was indexed are not even read."""
        todo: list[SourceFile] = []
        now = utcnow()
        for file in files:
            doc = self._docs.get(file.rel)
            try:
                stat = file.path.stat()
            except OSError:
                todo.append(file)  # _prepare records why it cannot be read
                continue
            same_stat = doc is not None and (doc.size, doc.mtime) == (stat.st_size, stat.st_mtime)
            same_access = doc is not None and doc.meta.get("access") == list(file.groups)
            if not same_stat or not same_access:
                todo.append(file)
                continue
            assert doc is not None
            if doc.status == "failed":
                reason = f"unchanged since it failed: {doc.error}"
                self.counts.failures.append((file.rel, reason))
                self._event(file.rel, "failed", reason, at=now)
                self.counts.failed += 1
            else:
                self._event(file.rel, "unchanged", None, at=now)
                self.counts.unchanged += 1
            self.counts.files_done += 1
            if self.progress:
                self.progress.advance(file.rel, "unchanged", 0)
        self._commit_job()
        return todo

    def _process(self, files: list[SourceFile]) -> None:
        batch: list[_Plan] = []
        waiting = 0
        for prepared in self._prepared(files):
            if prepared.action:
                self._finish_without_write(prepared)
                continue
            try:
                plan = self._plan(prepared)
            except Exception as exc:  # noqa: BLE001 (this file fails, the job goes on)
                self._fail_unwritten(prepared, exc)
                continue
            batch.append(plan)
            waiting += len(plan.to_embed)
            if waiting >= self.settings.embed_batch_size or self._queue.empty():
                self._write_all(batch)
                batch, waiting = [], 0
        self._write_all(batch)

    # -- parser thread --------------------------------------------------------------------
    def _prepared(self, files: list[SourceFile]) -> Iterator[_Prepared]:
        """Prepared files from a parser thread, in order; its crash is this job's crash."""
        self._queue: queue.Queue[_Prepared | BaseException | None] = queue.Queue(_QUEUE_DEPTH)
        stop = threading.Event()
        limits = self._limits()
        self._worker = shared_worker(self.settings)

        def work() -> None:
            try:
                for file in files:
                    if stop.is_set():
                        return
                    self._queue.put(self._prepare(file, limits))
                self._queue.put(None)
            except BaseException as exc:  # noqa: BLE001 (handed to the consumer)
                self._queue.put(exc)

        thread = threading.Thread(target=work, name=f"ingest-parse-{self.job_id}", daemon=True)
        thread.start()
        try:
            while (item := self._next()) is not None:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            while thread.is_alive():
                with contextlib.suppress(queue.Empty):
                    self._queue.get(timeout=0.1)

    def _next(self) -> _Prepared | BaseException | None:
        """The next prepared file; the heartbeat goes on while a long parse runs."""
        while True:
            try:
                return self._queue.get(timeout=_HEARTBEAT_S)
            except queue.Empty:
                self._commit_job()

    def _limits(self) -> Limits:
        embedder = self.services.embedder
        window = embedder.max_input_tokens
        return Limits(
            target_tokens=self.settings.chunk_tokens,
            count_tokens=count_tokens,
            count_window=embedder.count_input_tokens if window else None,
            max_window=min(window, self.settings.chunk_max_wordpieces) if window else None,
        )

    def _prepare(self, file: SourceFile, limits: Limits) -> _Prepared:
        """Read, hash, parse (in the worker) and chunk one file; any failure is its own."""
        started = time.perf_counter()
        try:
            return self._read(file, limits, started)
        except Exception as exc:  # noqa: BLE001 (this file fails, the job goes on)
            prepared = _Prepared(file, -1, 0.0, started, action="failed")
            prepared.reason = _reason(exc)
            return prepared

    def _read(self, file: SourceFile, limits: Limits, started: float) -> _Prepared:
        stat = file.path.stat()
        prepared = _Prepared(file, stat.st_size, stat.st_mtime, started)
        max_bytes = self.settings.max_file_mb * 1024 * 1024
        if stat.st_size > max_bytes:
            prepared.action = "failed"
            prepared.reason = (
                f"too large: {stat.st_size / 1e6:.1f} MB > max_file_mb "
                f"{self.settings.max_file_mb:g}; raise FOOTNOTE_MAX_FILE_MB or split the file"
            )
            return prepared
        prepared.content_hash = file_hash(file.path)
        doc = self._docs.get(file.rel)
        if (
            doc is not None
            and doc.status == "indexed"
            and doc.content_hash == prepared.content_hash
            and doc.meta.get("access") == list(file.groups)
        ):
            prepared.action = "unchanged"
            return prepared
        try:
            parsed, parser = self._worker.parse(file.path)
            drafts = chunk_document(parsed, limits)
        except ParseError as exc:
            prepared.action, prepared.reason = "failed", str(exc)
            return prepared
        after = file.path.stat()
        if (after.st_size, after.st_mtime) != (stat.st_size, stat.st_mtime):
            prepared.action = "failed"
            prepared.reason = "changed while it was being read: the next run ingests it"
            return prepared
        prepared.title, prepared.parser, prepared.drafts = parsed.title, parser, drafts
        prepared.date = parsed.date if parsed.date is not None else stat.st_mtime
        prepared.groups = tuple(parsed.groups) if parsed.groups else file.groups
        prepared.meta = {**parsed.meta, **_flags(parsed.elements)}
        return prepared

    # -- planning and writing -------------------------------------------------------------
    def _plan(self, prepared: _Prepared) -> _Plan:
        doc_id = document_id(self.source, prepared.file.rel)
        hashes = [text_hash(d.embed_text) for d in prepared.drafts]
        seen: Counter[str] = Counter()
        ids: list[str] = []
        for h in hashes:
            ids.append(chunk_id(doc_id, h, seen[h]))
            seen[h] += 1
        old = {
            c.id: c for c in self._session.scalars(select(Chunk).where(Chunk.document_id == doc_id))
        }
        doc = self._docs.get(prepared.file.rel)
        same_doc_payload = doc is not None and (
            list(prepared.groups) == doc.groups
            and doc.meta.get("date") == prepared.date
            and doc.title == prepared.title
        )
        kept = [
            i
            for i, cid in enumerate(ids)
            if same_doc_payload
            and cid in old
            and (old[cid].ordinal, old[cid].page) == (i, prepared.drafts[i].page)
        ]
        in_index = {hit.id for hit in self.services.index.get([ids[i] for i in kept])}
        to_write = [i for i in range(len(ids)) if i not in kept or ids[i] not in in_index]
        vectors = self._reusable_vectors({hashes[i] for i in to_write})
        to_embed = [i for i in to_write if hashes[i] not in vectors]
        return _Plan(prepared, doc_id, ids, hashes, vectors, to_embed, to_write)

    def _reusable_vectors(self, hashes: set[str]) -> dict[str, Any]:
        """Vectors of points that already embed these exact texts (text hash → vector)."""
        if not hashes:
            return {}
        rows = self._session.execute(
            select(Chunk.text_hash, Chunk.id).where(Chunk.text_hash.in_(hashes))
        ).all()
        by_id = {cid: h for h, cid in rows}
        found: dict[str, Any] = {}
        for hit in self.services.index.get(list(by_id), with_vectors=True):
            if "_dense" in hit.payload:
                found[by_id[hit.id]] = hit.payload["_dense"]
        return found

    def _write_all(self, plans: list[_Plan]) -> None:
        texts = [p.prepared.drafts[i].embed_text for p in plans for i in p.to_embed]
        vectors = iter(self.services.embedder.embed(texts) if texts else np.zeros((0, 0)))
        for plan in plans:
            for i in plan.to_embed:
                plan.vectors[plan.hashes[i]] = next(vectors)
            before = copy.deepcopy(self.counts)
            try:
                self._write(plan)
            except Exception as exc:  # noqa: BLE001 (this file fails, the job goes on)
                self.counts = before
                self._fail_unwritten(plan.prepared, exc)

    def _fail_unwritten(self, prepared: _Prepared, exc: Exception) -> None:
        """A file whose plan or write raised: roll back, then record it as failed.

        Points it may have upserted are orphans the next reconcile deletes.
        """
        self._session.rollback()
        rel = prepared.file.rel
        self._docs.pop(rel, None)
        stored = self._session.scalar(
            select(Document).where(Document.source == self.source, Document.path == rel)
        )
        if stored is not None:
            self._docs[rel] = stored
        prepared.action, prepared.reason = "failed", f"could not be stored: {_reason(exc)}"
        try:
            self._finish_without_write(prepared)
        except Exception:  # noqa: BLE001 (not even its failure can be stored: count it)
            self._session.rollback()
            self.counts.failed += 1
            self.counts.files_done += 1
            self.counts.failures.append((rel, prepared.reason))

    def _write(self, plan: _Plan) -> None:
        prepared, file = plan.prepared, plan.prepared.file
        doc = self._docs.get(file.rel)
        records = [
            ChunkRecord(
                id=plan.ids[i],
                dense=plan.vectors[plan.hashes[i]],
                sparse_text=prepared.drafts[i].embed_text,
                payload=self._payload(plan, i),
            )
            for i in plan.to_write
        ]
        self.services.index.upsert(records)
        old_ids = set() if doc is None else {c.id for c in doc.chunks}
        action = "updated" if doc is not None and doc.status == "indexed" else "added"
        if doc is None:
            doc = Document(id=plan.doc_id, source=self.source, path=file.rel)
            self._session.add(doc)
            self._docs[file.rel] = doc
        doc.title = prepared.title[:500]
        doc.content_hash = prepared.content_hash
        doc.size, doc.mtime = prepared.size, prepared.mtime
        doc.parser, doc.status, doc.error = prepared.parser, "indexed", None
        doc.groups = list(prepared.groups)
        doc.chunk_count = len(plan.ids)
        doc.meta = {**prepared.meta, "access": list(file.groups), "date": prepared.date}
        doc.indexed_at = utcnow()
        doc.chunks = [
            Chunk(
                id=cid,
                ordinal=i,
                text_hash=plan.hashes[i],
                token_count=prepared.drafts[i].token_count,
                section=" › ".join(prepared.drafts[i].section),
                page=prepared.drafts[i].page,
            )
            for i, cid in enumerate(plan.ids)
        ]
        reason = None
        if action == "added" and prepared.content_hash in self._moved_from:
            reason = f"moved from {self._moved_from[prepared.content_hash]}"
        setattr(self.counts, action, getattr(self.counts, action) + 1)
        self.counts.chunks_total += len(plan.ids)
        self.counts.chunks_embedded += len(plan.to_embed)
        self.counts.files_done += 1
        self._event(file.rel, action, reason, chunks=len(plan.to_embed), started=prepared.started)
        if flagged := prepared.meta.get("flagged", 0):
            self.counts.flagged += 1
            excerpt = prepared.meta["flagged_excerpts"][0]
            self._event(
                file.rel,
                "flagged",
                f"{flagged} passage(s) read as instructions to a reader or a model, e.g. "
                f"“{excerpt}”: they are never quoted; review the document",
            )
        self._commit_job()
        self.services.index.delete(sorted(old_ids - set(plan.ids)))
        if self.progress:
            self.progress.advance(file.rel, action, len(plan.to_embed))

    def _payload(self, plan: _Plan, i: int) -> dict[str, Any]:
        prepared, draft = plan.prepared, plan.prepared.drafts[i]
        return {
            "text": draft.text,
            "doc_id": plan.doc_id,
            "source": self.source,
            "path": prepared.file.rel,
            "title": prepared.title,
            "section": list(draft.section),
            "page": draft.page,
            "groups": list(prepared.groups),
            "ordinal": i,
            "text_hash": plan.hashes[i],
            "doc_date": prepared.date,
        }

    def _finish_without_write(self, prepared: _Prepared) -> None:
        """An unchanged file (same hash, new mtime) or a failed one: no index write.

        A failed file keeps its previously indexed chunks: the old version stays
        searchable until a re-parse succeeds.
        """
        file = prepared.file
        doc = self._docs.get(file.rel)
        if prepared.action == "unchanged":
            assert doc is not None
            doc.size, doc.mtime = prepared.size, prepared.mtime
            self.counts.unchanged += 1
            self._event(file.rel, "unchanged", None, started=prepared.started)
        else:
            if doc is None:
                doc = Document(
                    id=document_id(self.source, file.rel),
                    source=self.source,
                    path=file.rel,
                    status="failed",
                    groups=list(file.groups),
                    meta={},
                )
                self._session.add(doc)
                self._docs[file.rel] = doc
            doc.error = prepared.reason
            if doc.status == "indexed":
                doc.size = -1  # the old version stays indexed; the next run retries
            else:
                doc.size, doc.mtime = prepared.size, prepared.mtime
                doc.meta = {**doc.meta, "access": list(file.groups)}
            self.counts.failed += 1
            self.counts.failures.append((file.rel, prepared.reason))
            self._event(file.rel, "failed", prepared.reason, started=prepared.started)
        self.counts.files_done += 1
        self._commit_job()
        if self.progress:
            self.progress.advance(file.rel, prepared.action, 0)

    def _delete(self, removed: list[Document]) -> None:
        for doc in removed:
            ids = [c.id for c in doc.chunks]
            self._session.delete(doc)
            self.counts.deleted += 1
            self._event(doc.path, "deleted", None, chunks=len(ids))
            self._commit_job()
            self.services.index.delete(ids)

    # -- job bookkeeping ------------------------------------------------------------------
    def _event(
        self,
        path: str,
        action: str,
        reason: str | None,
        chunks: int = 0,
        started: float | None = None,
        at: Any = None,
    ) -> None:
        elapsed = (time.perf_counter() - started) * 1000 if started is not None else 0.0
        self._session.add(
            JobEvent(
                job_id=self.job_id,
                path=path,
                action=action,
                reason=reason,
                chunks=chunks,
                duration_ms=elapsed,
                at=at or utcnow(),
            )
        )

    def _set_job(self, **values: Any) -> None:
        self._session.execute(update(Job).where(Job.id == self.job_id).values(**values))
        self._session.commit()

    def _commit_job(self) -> None:
        """Counters and heartbeat go in the same transaction as the document they count."""
        self._session.execute(
            update(Job)
            .where(Job.id == self.job_id)
            .values(**self.counts.counters(), heartbeat_at=utcnow())
        )
        self._session.commit()


def _reason(exc: Exception) -> str:
    """What went wrong with one file, for a person to act on."""
    if isinstance(exc, FileNotFoundError):
        return "disappeared during the job (deleted or moved): the next run catches up"
    if isinstance(exc, OSError):
        return f"could not be read: {exc.strerror or exc}"
    if isinstance(exc, ParseError):
        return str(exc)
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0][:300]}" if lines else type(exc).__name__


def _flags(elements: list[Any]) -> dict[str, Any]:
    """``meta`` keys flagging passages that read as instructions (none when clean)."""
    blocks = [b for e in elements for b in instruction_blocks(e.text)]
    if not blocks:
        return {}
    excerpts = [" ".join(b.split())[:_EXCERPT_CHARS] for b in blocks[:3]]
    return {"flagged": len(blocks), "flagged_excerpts": excerpts}
