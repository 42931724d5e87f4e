"""Sentence vectors, embedded once per embedder: in memory, then on disk.

The extractive answerer embeds every sentence of the retrieved passages, and the offline
verifier of the evals embeds claims and passage sentences again. On two cores the
embedding is the whole cost of an offline answer or eval, so a vector is looked up
first in this process (by text, least recently used dropped first), then in the
embedder's persistent store (``core.vector_store``, attached by ``core.services``:
ingest fills it with every unit the answerer can quote, ``retrieval.warm``), and only
what neither holds is embedded, in one call, and stored.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from core.embeddings import Embedder
from core.vector_store import store_of, text_key

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
    fresh = _from_store(embedder, missing)
    if fresh is None:
        fresh = dict(zip(missing, embedder.embed(missing), strict=True))
    with _lock:
        cache.update(fresh)
        while len(cache) > CACHE_LIMIT:
            cache.popitem(last=False)
    return found | fresh


def _from_store(embedder: Embedder, texts: list[str]) -> dict[str, np.ndarray] | None:
    """Vectors of ``texts`` from the embedder's store, the ones it lacks embedded and
    stored (loose: no chunk owns them); None when the embedder has no store."""
    store = store_of(embedder)
    if store is None:
        return None
    keys = {t: text_key(embedder, t) for t in texts}
    stored = store.get(keys.values())
    out = {t: stored[k] for t, k in keys.items() if k in stored}
    lacking = [t for t in texts if t not in out]
    if lacking:
        fresh = dict(zip(lacking, embedder.embed(lacking), strict=True))
        store.put({keys[t]: v for t, v in fresh.items()})
        out.update(fresh)
    return out
