"""The search benchmark on a small index: every figure it reports, statements and
questions both (real MiniLM for the queries, as the app embeds them)."""

from __future__ import annotations

import json

import pytest

from benchmarks.search import main


def test_the_search_benchmark_times_statements_and_questions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--points", "150", "--queries", "4", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["written"] == report["points"] >= 150
    for name in (
        "query_embedding",
        "search_without_embedding",
        "search_without_embedding_or_feedback",
        "search",
        "search_question",
    ):
        assert report[f"{name}_p50_ms"] <= report[f"{name}_p95_ms"]
