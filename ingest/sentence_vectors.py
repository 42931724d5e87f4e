"""The answerer's sentence vectors for what ingest writes: a derived cache beside the index.

Every passage text and quotable unit the extractive answerer may embed for the documents
a job writes goes to the sentence-vector store (``retrieval.warm``), so an answer embeds
only its question; texts already stored are not embedded again. It is a cache: when it
cannot be written, answers embed those texts later, and no file fails for it. Vectors
that only deleted chunks owned are pruned with their points, and documents indexed before
the store existed (or after it was deleted) are warmed from the index, not re-parsed.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import Chunk, Document
from core.index import Index
from core.services import Services
from retrieval.warm import AnswerTexts, ChunkText, Lacking, lacking_of, merged, warm

log = logging.getLogger(__name__)

Timed = Callable[[str], AbstractContextManager[object]]
"""A job's stage timer (``ingest.report.Report.timed``)."""
Documents = list[tuple[list[str], list[ChunkText]]]
"""Per document: its access groups and its chunks in order."""

_WARM_CHUNKS = 512
"""Chunks of already indexed documents warmed per embed call (``warm_missing``)."""


def warm_documents(services: Services, documents: Documents, timed: Timed) -> None:
    """Store the answerer's vectors for ``documents`` (logged, not raised, on failure)."""
    if not documents:
        return
    try:
        warm(services.embedder, documents, timed)
    except sqlite3.Error as exc:
        log.warning("sentence vectors not stored (answers will embed them): %s", exc)


def lacking_texts(services: Services, listed: list[AnswerTexts], timed: Timed) -> Lacking | None:
    """Of the answer texts the parse worker listed for a write batch's files, those the
    store lacks, for the writer to embed with its chunks (None: nothing to warm, no store,
    or it cannot be read: logged)."""
    if not listed:
        return None
    try:
        with timed("look up answer texts (vector store)"):
            return lacking_of(services.embedder, merged(listed))
    except sqlite3.Error as exc:
        log.warning("sentence vectors not looked up (answers will embed them): %s", exc)
        return None


def store_lacking(services: Services, todo: Lacking, vectors: Sequence[np.ndarray]) -> None:
    """Store the vectors of ``todo``'s texts (logged, not raised, on failure)."""
    try:
        todo.store(services.embedder, vectors)
    except sqlite3.Error as exc:
        log.warning("sentence vectors not stored (answers will embed them): %s", exc)


def warm_missing(services: Services, session: Session, source: str, timed: Timed) -> None:
    """Warm the documents of ``source`` whose chunks own no sentence vectors; a pass over
    a warm corpus only looks them up."""
    store = services.vectors
    if store is None:
        return
    rows = session.execute(
        select(Chunk.id, Chunk.document_id)
        .join(Document, Chunk.document_id == Document.id)
        .where(Document.source == source, Document.status == "indexed")
    ).all()
    try:
        owned = store.owned(cid for cid, _ in rows)
    except sqlite3.Error as exc:
        log.warning("sentence vectors not checked: %s", exc)
        return
    cold = {doc_id for cid, doc_id in rows if cid not in owned}
    batch: Documents = []
    waiting = 0
    for doc_id in dict.fromkeys(doc_id for _, doc_id in rows):
        if doc_id not in cold:
            continue
        groups, chunks = indexed_document(services.index, doc_id)
        batch.append((groups, chunks))
        waiting += len(chunks)
        if waiting >= _WARM_CHUNKS:
            warm_documents(services, batch, timed)
            batch, waiting = [], 0
    warm_documents(services, batch, timed)


def prune(services: Services, chunk_ids: Iterable[str]) -> None:
    """Forget the sentence vectors only these deleted chunks owned."""
    store, ids = services.vectors, list(chunk_ids)
    if store is None or not ids:
        return
    try:
        store.prune(ids)
    except sqlite3.Error as exc:
        log.warning("sentence vectors of deleted chunks not pruned: %s", exc)


def indexed_document(index: Index, doc_id: str) -> tuple[list[str], list[ChunkText]]:
    """A document's access groups and chunks in order, read back from the index (what
    ``retrieval.warm`` needs, without parsing the file again)."""
    points = sorted(index.get(sorted(index.ids(doc_id))), key=lambda h: h.payload.get("ordinal", 0))
    groups = list(points[0].payload.get("groups") or []) if points else []
    chunks = [
        ChunkText(h.id, tuple(h.payload.get("section") or ()), str(h.payload["text"]))
        for h in points
    ]
    return groups, chunks
