"""The index interface: what ingest writes and retrieval reads.

Two backends implement it: ``EdgeIndex`` (qdrant-edge, in-process, the default) and
``ServerIndex`` (qdrant-client against a Qdrant server, or its local mode). Each point
carries a named dense vector ``dense`` (cosine) and a sparse BM25 vector ``bm25`` (IDF
applied by the engine), with the chunk's text and metadata as payload. Access groups
are filtered inside the engine's query: a ``SearchFilter`` must name the asker's groups.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from core.index import bm25

DENSE = "dense"
SPARSE = "bm25"

PAYLOAD_INDEXES: dict[str, str] = {
    "doc_id": "keyword",
    "source": "keyword",
    "groups": "keyword",
    "path": "keyword",
    "doc_date": "float",
}
"""Payload fields that filters use, and their index type."""


class IndexError_(RuntimeError):
    """Base class for index failures that a person should read."""


class IndexLocked(IndexError_):
    """Another process owns the embedded index."""

    def __init__(self, path: str, holder: str) -> None:
        self.path = path
        self.holder = holder
        super().__init__(
            f"The embedded index at {path} is in use by {holder}. Stop that process, or "
            "queue the work for it (`footnote ingest` does this when the app is running), "
            "or set QDRANT_URL to use a Qdrant server that many processes can share."
        )


@dataclass(frozen=True)
class ChunkRecord:
    """One point to write: its id (a UUID string), vectors' inputs and payload.

    ``payload`` holds at least: ``text``, ``doc_id``, ``source``, ``path``, ``title``,
    ``section`` (a list of headings), ``page`` (int or None), ``groups`` (list),
    ``ordinal``, ``text_hash``; optionally ``doc_date`` (epoch seconds).
    """

    id: str
    dense: np.ndarray | Sequence[float]
    sparse_text: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Condition:
    """One backend-neutral condition: ``key`` is one of ``any_of``, or within a range."""

    key: str
    any_of: tuple[str, ...] | None = None
    gte: float | None = None
    lte: float | None = None


@dataclass(frozen=True)
class SearchFilter:
    """What a search may see. ``groups=None`` means no access filter: admin tools only."""

    groups: tuple[str, ...] | None
    sources: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    date_from: float | None = None
    date_to: float | None = None
    ordinals: tuple[int, int] | None = None
    """Chunks of a document from this ordinal to that one, inclusive (its neighbours)."""

    @classmethod
    def for_groups(cls, groups: Iterable[str], **kwargs: Any) -> SearchFilter:
        return cls(groups=tuple(sorted(set(groups))), **kwargs)

    def conditions(self) -> list[Condition]:
        """What must all hold, for a backend to translate into its own filter type."""
        out = [
            Condition(key, any_of=tuple(values))
            for key, values in (
                ("groups", self.groups),
                ("source", self.sources),
                ("doc_id", self.doc_ids),
            )
            if values or (key == "groups" and values is not None)
        ]
        if self.date_from is not None or self.date_to is not None:
            out.append(Condition("doc_date", gte=self.date_from, lte=self.date_to))
        if self.ordinals is not None:
            out.append(Condition("ordinal", gte=self.ordinals[0], lte=self.ordinals[1]))
        return out


@dataclass(frozen=True)
class HybridQuery:
    """Dense + BM25 fused inside the engine, one round trip.

    A chunk scores ``Σ weight / (rrf_k + rank)`` over the lists it is in (rank from 1,
    each list the first ``candidates`` hits of its kind, both under the same access
    filter): the same numbers as ``retrieval.search.fuse``. qdrant's RRF gives
    ``1 / (rank / weight + k - 1)``, so a weight there stretches ranks instead of scaling
    scores; it matches ours only when both weights are equal, with ``k = rrf_k + 1`` and
    its scores times the weight. A list weighted 0 is not asked for, as in ``fuse``.
    """

    vector: np.ndarray | Sequence[float]
    text: str
    rrf_k: int = 60
    candidates: int = 40
    dense_weight: float = 1.0
    sparse_weight: float = 1.0

    def engine_rrf(self) -> tuple[int, float]:
        """qdrant's RRF ``k`` and the factor that turns its scores into ours."""
        weights = {w for w in (self.dense_weight, self.sparse_weight) if w > 0}
        if len(weights) > 1:
            raise ValueError(
                "qdrant's weighted RRF divides ranks by the weights, which ranks unlike "
                f"Σ weight / (k + rank) for weights {self.dense_weight} and "
                f"{self.sparse_weight}: give both lists the same weight, or fuse in Python"
            )
        return self.rrf_k + 1, weights.pop() if weights else 0.0

    def legs(self) -> list[tuple[str, list[float] | tuple[list[int], list[float]]]]:
        """(vector name, query) per list to fetch: the dense vector, BM25's sparse one."""
        out: list[tuple[str, list[float] | tuple[list[int], list[float]]]] = []
        if self.dense_weight > 0:
            out.append((DENSE, np.asarray(self.vector, dtype=np.float32).tolist()))
        if self.sparse_weight > 0 and (sparse := bm25.embed_query(self.text))[0]:
            out.append((SPARSE, sparse))
        return out


@dataclass
class Hit:
    id: str
    score: float
    payload: dict[str, Any] = field(default_factory=dict)


def hit_from_point(point: Any, scale: float = 1.0) -> Hit:
    """A ``Hit`` from either engine's scored point or record (same attribute names)."""
    payload = dict(point.payload or {})
    score = float(getattr(point, "score", 0.0) or 0.0) * scale
    return Hit(id=str(point.id), score=score, payload=payload)


class Index(Protocol):
    """The operations Footnote needs from a vector index, nothing more."""

    def upsert(self, records: Sequence[ChunkRecord]) -> None:
        """Write points (replacing any with the same id)."""
        ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def delete_documents(self, doc_ids: Sequence[str]) -> None: ...

    def search_dense(self, vector: np.ndarray, flt: SearchFilter, limit: int) -> list[Hit]: ...

    def search_sparse(self, text: str, flt: SearchFilter, limit: int) -> list[Hit]: ...

    def search_hybrid(self, query: HybridQuery, flt: SearchFilter, limit: int) -> list[Hit]:
        """Both lists fused by RRF in the engine (``HybridQuery`` says how), best first;
        equal scores in no set order (qdrant's hash-map order, even between two calls),
        which is why ``retrieval.search`` fuses in Python (docs/architecture.md)."""
        ...

    def get(self, ids: Sequence[str]) -> list[Hit]:
        """Points by id, with their payloads (their vectors: ``vectors``)."""
        ...

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        """The dense vectors of these points, by id, without their payloads (ingest reuses
        a vector whose text is already indexed; search re-scores toward its first hit)."""
        ...

    def similarities(self, vector: np.ndarray, ids: Sequence[str]) -> dict[str, float]:
        """Each of these points' dense similarity to ``vector``, by id, computed in the
        engine (a search limited to them, no payloads): three times cheaper than fetching
        their vectors, which is what re-scoring candidates per query needs."""
        ...

    def scroll(self, flt: SearchFilter, limit: int) -> list[Hit]:
        """Up to ``limit`` points matching ``flt`` with their payloads, in no set order."""
        ...

    def ids(self, doc_id: str | None = None) -> set[str]:
        """Every point id (of one document): for consistency checks and repair."""
        ...

    def count(self, flt: SearchFilter | None = None) -> int: ...

    def optimize(self) -> None:
        """Build indexes after bulk writes (a no-op where the engine does it itself)."""
        ...

    def flush(self) -> None: ...

    def close(self) -> None: ...
