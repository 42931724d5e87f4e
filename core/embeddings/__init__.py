"""Embedders: the seam between Footnote and whatever turns text into vectors.

``make_embedder(settings)`` picks one; everything else depends only on ``Embedder``.
"""

from core.embeddings.base import Embedder
from core.embeddings.factory import make_embedder
from core.embeddings.hashing import HashEmbedder

__all__ = ["Embedder", "HashEmbedder", "make_embedder"]
