"""BM25 sparse vectors, the same for both backends.

qdrant-edge's built-in ``Bm25`` (English stemming and stopwords, offline) turns text
into term-frequency sparse vectors; the collection applies IDF (``Modifier.Idf``), so
scores are BM25 over the live corpus without a vocabulary to maintain.
"""

from __future__ import annotations

from functools import lru_cache

import qdrant_edge as qe


@lru_cache(maxsize=1)
def _bm25() -> qe.Bm25:
    return qe.Bm25(qe.Bm25Config(language="english"))


def embed_document(text: str) -> tuple[list[int], list[float]]:
    vec = _bm25().embed_document(text)
    return list(vec.indices), list(vec.values)


def embed_query(text: str) -> tuple[list[int], list[float]]:
    vec = _bm25().embed_query(text)
    return list(vec.indices), list(vec.values)
