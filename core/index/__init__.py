"""The index: one interface, two backends (embedded qdrant-edge, or a Qdrant server)."""

from __future__ import annotations

from core.index.base import (
    DENSE,
    SPARSE,
    ChunkRecord,
    Hit,
    HybridQuery,
    Index,
    IndexLocked,
    SearchFilter,
)
from core.settings import Settings


def open_index(settings: Settings, dim: int) -> Index:
    """The server backend when ``QDRANT_URL`` (or a local-mode path) is set, else embedded."""
    if settings.qdrant_url or settings.qdrant_local_path:
        from core.index.server import ServerIndex

        return ServerIndex(settings, dim)
    from core.index.edge import EdgeIndex

    return EdgeIndex(settings.index_path, dim)


__all__ = [
    "DENSE",
    "SPARSE",
    "ChunkRecord",
    "Hit",
    "HybridQuery",
    "Index",
    "IndexLocked",
    "SearchFilter",
    "open_index",
]
