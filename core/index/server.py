"""The server index: ``qdrant-client`` against a Qdrant server, or its local mode.

The scale-out path: any number of Footnote processes can share a Qdrant server or
cluster (``QDRANT_URL``, ``QDRANT_API_KEY``). qdrant-client's local mode
(``qdrant_local_path``) speaks the same API in-process, which is how this code path is
tested without a server; it is not thread-safe, so every call holds one lock. The
collection mirrors ``EdgeIndex``: named dense vector ``dense`` (cosine), sparse ``bm25``
with IDF, the same BM25 sparse vectors, payload indexes and filter semantics.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from qdrant_client import QdrantClient
from qdrant_client import models as qm

from core.index import bm25
from core.index.base import (
    DENSE,
    PAYLOAD_INDEXES,
    SPARSE,
    ChunkRecord,
    Hit,
    HybridQuery,
    IndexLocked,
    SearchFilter,
    hit_from_point,
)
from core.settings import Settings

_SCHEMA = {"keyword": qm.PayloadSchemaType.KEYWORD, "float": qm.PayloadSchemaType.FLOAT}
_PAGE = 1000
_BATCH = 256


def _filter(flt: SearchFilter | None) -> qm.Filter | None:
    must: list[Any] = [
        qm.FieldCondition(key=c.key, match=qm.MatchAny(any=list(c.any_of)))
        if c.any_of is not None
        else qm.FieldCondition(key=c.key, range=qm.Range(gte=c.gte, lte=c.lte))
        for c in (flt.conditions() if flt else [])
    ]
    return qm.Filter(must=must) if must else None


def _vector(query: list[float] | tuple[list[int], list[float]]) -> Any:
    """A dense query as is, a sparse one as the client's type."""
    if isinstance(query, tuple):
        return qm.SparseVector(indices=query[0], values=query[1])
    return query


class ServerIndex:
    """``Index`` on a Qdrant collection (``settings.collection``)."""

    def __init__(self, settings: Settings, dim: int) -> None:
        self.dim = dim
        self.collection = settings.collection
        self._lock = threading.RLock()
        if settings.qdrant_url:
            key = settings.qdrant_api_key.get_secret_value() if settings.qdrant_api_key else None
            self._client = QdrantClient(url=settings.qdrant_url, api_key=key)
        else:
            assert settings.qdrant_local_path is not None
            try:
                self._client = QdrantClient(path=str(settings.qdrant_local_path))
            except RuntimeError as exc:
                if "already accessed" not in str(exc):
                    raise
                raise IndexLocked(str(settings.qdrant_local_path), "another process") from None
        if not self._client.collection_exists(self.collection):
            self._create()

    def _create(self) -> None:
        self._client.create_collection(
            self.collection,
            vectors_config={DENSE: qm.VectorParams(size=self.dim, distance=qm.Distance.COSINE)},
            sparse_vectors_config={SPARSE: qm.SparseVectorParams(modifier=qm.Modifier.IDF)},
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Payload indexes have no effect")
            for field, kind in PAYLOAD_INDEXES.items():
                self._client.create_payload_index(self.collection, field, _SCHEMA[kind])

    # -- writes ---------------------------------------------------------------------------
    def upsert(self, records: Sequence[ChunkRecord]) -> None:
        points = []
        for rec in records:
            indices, values = bm25.embed_document(rec.sparse_text)
            vectors = {
                DENSE: np.asarray(rec.dense, dtype=np.float32).tolist(),
                SPARSE: qm.SparseVector(indices=indices, values=values),
            }
            points.append(qm.PointStruct(id=rec.id, vector=vectors, payload=rec.payload))
        with self._lock:
            for start in range(0, len(points), _BATCH):
                self._client.upsert(self.collection, points[start : start + _BATCH], wait=True)

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            with self._lock:
                self._client.delete(self.collection, qm.PointIdsList(points=list(ids)), wait=True)

    def delete_documents(self, doc_ids: Sequence[str]) -> None:
        if doc_ids:
            flt = _filter(SearchFilter(groups=None, doc_ids=tuple(doc_ids)))
            assert flt is not None
            with self._lock:
                self._client.delete(self.collection, qm.FilterSelector(filter=flt), wait=True)

    # -- reads ----------------------------------------------------------------------------
    def search_dense(self, vector: np.ndarray, flt: SearchFilter, limit: int) -> list[Hit]:
        query = np.asarray(vector, dtype=np.float32).tolist()
        return self._query(query, DENSE, flt, limit)

    def search_sparse(self, text: str, flt: SearchFilter, limit: int) -> list[Hit]:
        indices, values = bm25.embed_query(text)
        if not indices:
            return []
        return self._query(_vector((indices, values)), SPARSE, flt, limit)

    def search_hybrid(self, query: HybridQuery, flt: SearchFilter, limit: int) -> list[Hit]:
        k, weight = query.engine_rrf()
        server_filter = _filter(flt)
        prefetch = [
            qm.Prefetch(query=_vector(q), using=name, filter=server_filter, limit=query.candidates)
            for name, q in query.legs()
        ]
        if not prefetch:
            return []
        with self._lock:
            response = self._client.query_points(
                self.collection,
                prefetch=prefetch,
                query=qm.RrfQuery(rrf=qm.Rrf(k=k)),
                limit=limit,
                with_payload=True,
            )
        return [hit_from_point(p, scale=weight) for p in response.points]

    def _query(self, query: Any, using: str, flt: SearchFilter, limit: int) -> list[Hit]:
        with self._lock:
            response = self._client.query_points(
                self.collection,
                query=query,
                using=using,
                query_filter=_filter(flt),
                limit=limit,
                with_payload=True,
            )
        return [hit_from_point(p) for p in response.points]

    def get(self, ids: Sequence[str]) -> list[Hit]:
        if not ids:
            return []
        with self._lock:
            records = self._client.retrieve(
                self.collection,
                list(ids),
                with_payload=True,
                with_vectors=False,
            )
        return [hit_from_point(r) for r in records]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        with self._lock:
            records = self._client.retrieve(
                self.collection, list(ids), with_payload=False, with_vectors=[DENSE]
            )
        return {str(r.id): np.asarray(r.vector[DENSE], dtype=np.float32) for r in records}

    def similarities(self, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        if not ids:
            return {}
        with self._lock:
            found = self._client.query_points(
                self.collection,
                query=np.asarray(vector, dtype=np.float32).tolist(),
                using=DENSE,
                query_filter=qm.Filter(must=[qm.HasIdCondition(has_id=list(ids))]),
                limit=len(ids),
                with_payload=False,
            )
        return {str(p.id): float(p.score) for p in found.points}

    def scroll(self, flt: SearchFilter, limit: int) -> list[Hit]:
        with self._lock:
            records, _ = self._client.scroll(
                self.collection,
                scroll_filter=_filter(flt),
                limit=limit,
                with_payload=True,
                with_vectors=False,
            )
        return [hit_from_point(r) for r in records]

    def ids(self, doc_id: str | None = None) -> set[str]:
        flt = _filter(SearchFilter(groups=None, doc_ids=(doc_id,) if doc_id else ()))
        found: set[str] = set()
        offset: Any = None
        while True:
            with self._lock:
                records, offset = self._client.scroll(
                    self.collection,
                    scroll_filter=flt,
                    limit=_PAGE,
                    offset=offset,
                    with_payload=False,
                    with_vectors=False,
                )
            found.update(str(r.id) for r in records)
            if offset is None:
                return found

    def count(self, flt: SearchFilter | None = None) -> int:
        with self._lock:
            return self._client.count(self.collection, count_filter=_filter(flt), exact=True).count

    # -- housekeeping ---------------------------------------------------------------------
    def optimize(self) -> None:
        """The server optimises segments itself."""

    def flush(self) -> None:
        """Writes are acknowledged with ``wait=True``; nothing is buffered here."""

    def close(self) -> None:
        with self._lock:
            self._client.close()
