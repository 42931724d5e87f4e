"""Writing prepared files: chunk ids, vectors reused or embedded, then the ordered writes.

Per document the write order keeps one invariant at every instant, even under
``kill -9``: every chunk id in SQL is in the index. New points are upserted first, then
SQL commits the new manifest (with the job's event and counters, ``ingest.report``),
then the old points that are not in it are deleted; a crash leaves at worst orphan
points, which the next job's reconcile deletes (see ``ingest.jobs``).

Nothing is embedded twice: a chunk's id is uuid5(doc id, hash of its embedded text,
occurrence), so unchanged chunks keep their id and are not rewritten, and a chunk whose
text exists anywhere in the index (a moved file, a copied paragraph, an ordinal shift)
reuses that point's vector. What is left to embed is embedded for many files at once
(``write_all``), together with the answerer's texts for them (every passage text and
quotable unit the extractive answerer may embed for these documents, listed by the parse
worker, ``ingest.prepare``, that the sentence-vector store lacks,
``ingest.sentence_vectors``): one call, which the embedder sorts by length over both
kinds, so batches pad little. The vectors of deleted chunks are pruned
from the store with their points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import Chunk, Document, utcnow
from core.index import ChunkRecord
from core.services import Services
from ingest.changes import REVISION, Changes
from ingest.ids import chunk_ids, document_id
from ingest.prepare import Prepared, reason_for
from ingest.report import Report, flag_reason
from ingest.sentence_vectors import lacking_texts, prune, store_lacking


@dataclass
class Plan:
    """A prepared file's chunks with ids, and which of them need a vector or a write."""

    prepared: Prepared
    doc_id: str
    ids: list[str]
    hashes: list[str]
    vectors: dict[str, Any]
    to_embed: list[int]
    to_write: list[int]


class Writer:
    """Plans and writes one source's documents through the pass's session."""

    def __init__(
        self, services: Services, session: Session, source: str, changes: Changes, report: Report
    ) -> None:
        self.services = services
        self.session = session
        self.source = source
        self.changes = changes
        self.report = report

    # -- planning -------------------------------------------------------------------------
    def plan(self, prepared: Prepared) -> Plan:
        doc_id = document_id(self.source, prepared.file.rel)
        ids, hashes = chunk_ids(doc_id, (d.embed_text for d in prepared.drafts))
        old = {
            c.id: c for c in self.session.scalars(select(Chunk).where(Chunk.document_id == doc_id))
        }
        doc = self.changes.docs.get(prepared.file.rel)
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
        return Plan(prepared, doc_id, ids, hashes, vectors, to_embed, to_write)

    def _reusable_vectors(self, hashes: set[str]) -> dict[str, Any]:
        """Vectors of points that already embed these exact texts (text hash → vector)."""
        if not hashes:
            return {}
        rows = self.session.execute(
            select(Chunk.text_hash, Chunk.id).where(Chunk.text_hash.in_(hashes))
        ).all()
        by_id = {cid: h for h, cid in rows}
        vectors = self.services.index.vectors(list(by_id))
        return {by_id[cid]: vector for cid, vector in vectors.items()}

    # -- writing --------------------------------------------------------------------------
    def write_all(self, plans: list[Plan]) -> None:
        """Embed what the plans lack, chunks and the answerer's texts together in one
        call (each distinct text once), then write each file in order; a file whose
        write fails fails alone."""
        texts: dict[str, str] = {}
        for plan in plans:
            for i in plan.to_embed:
                texts.setdefault(plan.hashes[i], plan.prepared.drafts[i].embed_text)
        listed = [p.prepared.answers for p in plans if p.to_write and p.prepared.answers]
        todo = lacking_texts(self.services, listed, self.report.timed)
        answer_texts = todo.texts if todo is not None else []
        vectors: Any = []
        if texts or answer_texts:
            with self.report.timed("embed (chunks + answer texts)"):
                vectors = self.services.embedder.embed([*texts.values(), *answer_texts])
        embedded = dict(zip(texts, vectors[: len(texts)], strict=True))
        for plan in plans:
            for i in plan.to_embed:
                plan.vectors[plan.hashes[i]] = embedded[plan.hashes[i]]
        if todo is not None:
            with self.report.timed("store answer vectors (vector store)"):
                store_lacking(self.services, todo, vectors[len(texts) :])
        for plan in plans:
            before = self.report.counts
            try:
                with self.report.timed("write (index + SQL)"):
                    self._write(plan)
            except Exception as exc:  # noqa: BLE001 (this file fails, the job goes on)
                self.report.counts = before
                self.fail(plan.prepared, exc)

    def _write(self, plan: Plan) -> None:
        prepared, file = plan.prepared, plan.prepared.file
        doc = self.changes.docs.get(file.rel)
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
            self.session.add(doc)
            self.changes.docs[file.rel] = doc
        doc.title = prepared.title[:500]
        doc.content_hash = prepared.content_hash
        doc.size, doc.mtime = prepared.size, prepared.mtime
        doc.parser, doc.status, doc.error = prepared.parser, "indexed", None
        doc.groups = list(prepared.groups)
        doc.chunk_count = len(plan.ids)
        doc.meta = {
            **prepared.meta,
            "access": list(file.groups),
            "date": prepared.date,
            "revision": REVISION,
        }
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
        moved = self.changes.moved_from.get(prepared.content_hash)
        self.report.file(
            file.rel,
            action,
            f"moved from {moved}" if action == "added" and moved else None,
            chunks_total=len(plan.ids),
            chunks_embedded=len(plan.to_embed),
            started=prepared.started,
            flagged=flag_reason(prepared.meta),
        )
        self._release_chunks(doc)
        gone = sorted(old_ids - set(plan.ids))
        self.services.index.delete(gone)
        prune(self.services, gone)

    def _release_chunks(self, doc: Document) -> None:
        """The document's manifest is committed: let its ``Chunk`` objects go.

        ``changes.docs`` keeps every document of the pass and the pass's session does
        not expire on commit, so without this each chunk a job writes stays in memory
        as an ORM object until the job ends (about 2 MB per 1,000 chunks, the job's
        only growth of its own at 100k chunks: docs/benchmarks.md, session 9). A later
        read of ``doc.chunks`` loads them again from SQL."""
        self.session.expire(doc, ["chunks"])

    def _payload(self, plan: Plan, i: int) -> dict[str, Any]:
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

    def without_write(self, prepared: Prepared) -> None:
        """An unchanged file (same hash, new mtime) or a failed one: no index write.

        A failed file keeps its previously indexed chunks: the old version stays
        searchable until a re-parse succeeds.
        """
        file = prepared.file
        doc = self.changes.docs.get(file.rel)
        if prepared.action == "unchanged":
            assert doc is not None
            doc.size, doc.mtime = prepared.size, prepared.mtime
            self.report.file(file.rel, "unchanged", started=prepared.started)
            return
        if doc is None:
            doc = Document(
                id=document_id(self.source, file.rel),
                source=self.source,
                path=file.rel,
                status="failed",
                groups=list(file.groups),
                meta={},
            )
            self.session.add(doc)
            self.changes.docs[file.rel] = doc
        doc.error = prepared.reason
        if doc.status == "indexed":
            doc.size = -1  # the old version stays indexed; the next run retries
        else:
            doc.size, doc.mtime = prepared.size, prepared.mtime
            doc.meta = {**doc.meta, "access": list(file.groups)}
        self.report.file(file.rel, "failed", prepared.reason, started=prepared.started)

    def fail(self, prepared: Prepared, exc: Exception) -> None:
        """A file whose plan or write raised: roll back, then record it as failed.

        Points it may have upserted are orphans the next reconcile deletes.
        """
        self.session.rollback()
        rel = prepared.file.rel
        self.changes.docs.pop(rel, None)
        stored = self.session.scalar(
            select(Document).where(Document.source == self.source, Document.path == rel)
        )
        if stored is not None:
            self.changes.docs[rel] = stored
        prepared.action, prepared.reason = "failed", f"could not be stored: {reason_for(exc)}"
        try:
            self.without_write(prepared)
        except Exception:  # noqa: BLE001 (not even its failure can be stored: count it)
            self.session.rollback()
            self.report.uncommitted_failure(rel, prepared.reason)

    def delete(self, removed: list[Document]) -> None:
        """Documents whose file is gone: SQL first (with the event), then their points."""
        for doc in removed:
            ids = [c.id for c in doc.chunks]
            self.session.delete(doc)
            self.report.removed(doc.path, len(ids))
            self.services.index.delete(ids)
            prune(self.services, ids)
