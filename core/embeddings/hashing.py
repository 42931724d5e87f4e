"""A tiny deterministic embedder for tests: feature hashing of words, no model.

It keeps tests fast where the model's quality does not matter; integration tests use
the real local model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np

_WORD = re.compile(r"\w+")


class HashEmbedder:
    name = "hash"
    max_input_tokens: int | None = None

    def __init__(self, dim: int = 384) -> None:
        self.dim = dim

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self.dim
            vec[slot] += 1.0 if digest[4] & 1 else -1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._one(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._one(text)

    def count_input_tokens(self, text: str) -> int:
        return _count_words(text)

    def input_token_counter(self) -> Callable[[str], int]:
        return _count_words


def _count_words(text: str) -> int:
    return len(_WORD.findall(text))
