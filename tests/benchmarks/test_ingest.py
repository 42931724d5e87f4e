"""The ingest benchmark's batching figures: what the model computed, padding included."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from benchmarks.ingest import _padding, _recorded
from core.embeddings import HashEmbedder


class _Batching(HashEmbedder):
    """Batches of two in input order; a text's length is its words."""

    max_input_tokens: int | None = 4

    def batches(self, texts: Sequence[str]) -> list[list[int]]:
        return [list(range(len(texts)))[s : s + 2] for s in range(0, len(texts), 2)]

    def input_token_counter(self) -> Callable[[str], int]:
        return lambda text: len(text.split())


def test_padding_counts_each_batch_at_its_longest_text_cut_at_the_window() -> None:
    embedder = _Batching()
    calls = [["a", "a b c"], ["a b c d e f"]]  # batches of 3 + 3, then 4 (the window)
    pure = ["a", "a b c", "a b c d e f"]  # batches of 3 + 3, then 4
    assert _padding(embedder, calls, pure) == {
        "wordpieces": 1 + 3 + 4,
        "padded_wordpieces_job": 6 + 4,
        "padded_wordpieces_pure_with_answer_texts": 6 + 4,
    }
    assert _padding(HashEmbedder(), calls, pure) == {}  # no batching to measure


def test_recorded_lists_each_call_and_restores_the_embedder() -> None:
    embedder = HashEmbedder()
    with _recorded(embedder) as calls:
        embedder.embed(["one", "two"])
        embedder.embed(["three"])
    assert calls == [["one", "two"], ["three"]]
    assert "embed" not in vars(embedder)
