"""The ingest benchmark: its batching figures (what the model computed, padding
included), and a whole run with and without the pure-embedding baseline."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from benchmarks.ingest import MemoryTrace, _padding, _recorded, generate, run
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


@pytest.mark.slow
def test_a_scale_run_skips_the_baseline_and_traces_memory(tmp_path: Path) -> None:
    corpus = generate(tmp_path / "corpus", 120)
    full = run(corpus, embedder="hash")
    scale = run(corpus, embedder="hash", baseline=False)
    assert full["chunks"] == scale["chunks"] >= 100 and not full["failures"]
    assert "ratio_to_pure_embed_with_answer_texts" in full
    assert "pure_embed_s" not in scale and "unchanged_rerun_s" in scale
    assert scale["job_rss_by_chunks"][0][0] == 0  # read when the job starts


def test_the_memory_trace_reads_once_per_step_of_chunks() -> None:
    trace = MemoryTrace(every=100)
    trace.start(5)
    for chunks in (60, 60, 30, 200, 10):
        trace.advance("a.md", "added", chunks)
    assert [row[0] for row in trace.rows] == [0, 120, 350]
    assert all(rss > 0 and peak >= rss for _, rss, peak in trace.rows)
