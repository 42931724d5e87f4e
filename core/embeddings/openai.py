"""OpenAI (or compatible) embeddings, used only when configured."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from core.settings import Settings
from core.tokens import count_tokens

_DIMS = {
    "text-embedding-3-small": 1536,
    "text-embedding-3-large": 3072,
    "text-embedding-ada-002": 1536,
}


class OpenAIEmbedder:
    max_input_tokens: int | None = 8191

    def __init__(self, settings: Settings, dim: int | None = None) -> None:
        from openai import OpenAI

        self.name = settings.openai_embedding_model
        self.dim = dim or _DIMS.get(self.name, 1536)
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "none"
        self._client = OpenAI(
            api_key=key,
            base_url=settings.openai_base_url,
            timeout=settings.llm_timeout_s,
            max_retries=settings.llm_max_retries,
        )
        self._batch = max(1, settings.embed_batch_size)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows: list[list[float]] = []
        for start in range(0, len(texts), self._batch):
            batch = list(texts[start : start + self._batch])
            response = self._client.embeddings.create(model=self.name, input=batch)
            rows.extend(item.embedding for item in sorted(response.data, key=lambda d: d.index))
        if not rows:
            return np.zeros((0, self.dim), dtype=np.float32)
        matrix = np.asarray(rows, dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1, norms)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def count_input_tokens(self, text: str) -> int:
        return count_tokens(text, "cl100k_base")

    def input_token_counter(self) -> Callable[[str], int]:
        return functools.partial(count_tokens, model="cl100k_base")
