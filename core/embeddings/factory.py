"""Pick the embedder the settings ask for."""

from __future__ import annotations

from core.embeddings.base import Embedder
from core.embeddings.hashing import HashEmbedder
from core.settings import Settings


def make_embedder(settings: Settings) -> Embedder:
    if settings.embedder == "openai":
        from core.embeddings.openai import OpenAIEmbedder

        return OpenAIEmbedder(settings)
    if settings.embedder == "hash":
        return HashEmbedder()
    from core.embeddings.local import LocalEmbedder

    return LocalEmbedder(batch_size=settings.embed_batch_size, threads=settings.torch_threads)
