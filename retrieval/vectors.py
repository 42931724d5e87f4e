"""Sentence vectors, embedded once per process and embedder.

The extractive answerer embeds every sentence of the retrieved passages, and the offline
verifier of the evals embeds claims and passage sentences again. Passages repeat across
questions (and an extractive answer's sentences are the verifier's claims), so vectors
are kept by text, least recently used dropped first. On two cores the embedding is the
whole cost of an offline answer or eval; this turns most of it into dictionary lookups.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from core.embeddings import Embedder

CACHE_LIMIT = 50_000
"""Texts whose vectors are kept per embedder (about 75 MB at 384 dimensions)."""

_caches: weakref.WeakKeyDictionary[Embedder, OrderedDict[str, np.ndarray]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def embed_texts(embedder: Embedder, texts: Sequence[str]) -> dict[str, np.ndarray]:
    """Vectors by text: cached ones looked up, the missing ones embedded in one call."""
    with _lock:
        cache = _caches.setdefault(embedder, OrderedDict())
        found = {t: cache[t] for t in texts if t in cache}
        for t in found:
            cache.move_to_end(t)
    missing = sorted(set(texts) - found.keys())
    if not missing:
        return found
    fresh = dict(zip(missing, embedder.embed(missing), strict=True))
    with _lock:
        cache.update(fresh)
        while len(cache) > CACHE_LIMIT:
            cache.popitem(last=False)
    return found | fresh
