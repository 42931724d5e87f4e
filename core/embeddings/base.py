"""The embedder interface."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of ``dim`` dimensions."""

    name: str
    dim: int
    max_input_tokens: int | None
    """The model's input window in its own tokens (None: no window to respect)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for document texts, shape ``(len(texts), dim)``, in input order."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """One vector for a search query."""
        ...

    def count_input_tokens(self, text: str) -> int:
        """How many of the model's own tokens ``text`` takes (for the window check)."""
        ...

    def input_token_counter(self) -> Callable[[str], int]:
        """``count_input_tokens`` as a picklable function that needs no model and takes
        no lock: ingest's chunker runs it in its parse worker process."""
        ...


@dataclass(frozen=True)
class InputWindow:
    """What an embedder reads of a text, without the model: its window and a picklable
    counter of its tokens (``Embedder.input_token_counter``). Where only that matters
    (which texts fill the window, ``retrieval.warm``), it stands in for the embedder in
    another process: ingest's parse worker lists the answerer's texts with it."""

    max_input_tokens: int | None
    count_input_tokens: Callable[[str], int]

    @classmethod
    def of(cls, embedder: Embedder) -> InputWindow:
        return cls(embedder.max_input_tokens, embedder.input_token_counter())
