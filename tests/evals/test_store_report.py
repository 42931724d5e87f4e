"""Runs in SQL, the public read API, and the reports, on hand-made results."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import evals
from core.services import Services
from evals.runner import summarise
from evals.store import QuestionResult, add_result, finish_run, start_run


def _result(qid: str, kind: str, faithfulness: float, hit: float) -> QuestionResult:
    metrics = {
        "faithfulness": faithfulness,
        "hit@5": hit,
        "refusal_correct": 1.0,
        "latency_ms": 20.0,
        "forbidden_leakage": None,
    }
    claims = [
        {
            "claim": "Staff get 25 days.",
            "supported": faithfulness == 1.0,
            "score": 0.9,
            "passage": 0,
            "reason": "",
            "source": {"path": "hr/leave.md"},
        }
    ]
    detail = {
        "claims": claims,
        "gold_sources": ["hr/leave.md"],
        "retrieved": [{"n": 1, "path": "hr/leave.md", "section": ["Leave"]}],
    }
    return QuestionResult(
        qid,
        kind,
        f"Question {qid}?",
        "Staff get 25 days [1].",
        False,
        metrics,
        detail,
        20.0,
        10,
        5,
        0.0,
    )


def _store(services: Services, name: str, faithfulness: list[float]) -> int:
    run_id = start_run(
        services.sessions,
        name=name,
        dataset="set.jsonl",
        source="sample",
        judge="offline",
        git_commit="abc",
        config={"models": {"llm": "x"}},
    )
    results = [
        _result(f"q{i}", "fact" if i % 2 else "numeric", f, 1.0) for i, f in enumerate(faithfulness)
    ]
    for r in results:
        add_result(services.sessions, run_id, r)
    finish_run(services.sessions, run_id, "succeeded", summarise(results, time.perf_counter()))
    return run_id


def test_runs_round_trip_through_sql(services: Services) -> None:
    first = _store(services, "before", [1.0] * 20)
    second = _store(services, "after", [1.0] * 10 + [0.0] * 10)
    runs = evals.list_runs(services)
    assert [r.id for r in runs] == [second, first]
    assert runs[0].questions == 20 and runs[0].results == []
    assert runs[0].metric("faithfulness") == 0.5 and runs[1].metric("faithfulness") == 1.0
    run = evals.load_run(second, services)
    assert [r.qid for r in run.results][:2] == ["q0", "q1"]
    assert run.results[0].detail["claims"][0]["source"]["path"] == "hr/leave.md"
    assert set(run.aggregates["by_kind"]) == {"fact", "numeric"}
    history = evals.metric_history(["faithfulness", "hit@5"], services)
    assert [(h["run"], h["metric"], h["value"]) for h in history] == [
        (first, "faithfulness", 1.0),
        (first, "hit@5", 1.0),
        (second, "faithfulness", 0.5),
        (second, "hit@5", 1.0),
    ]
    with pytest.raises(evals.RunNotFound, match="footnote eval list"):
        evals.load_run(999, services)


def test_report_with_comparison(services: Services, tmp_path: Path) -> None:
    before = evals.load_run(_store(services, "before", [1.0] * 20), services)
    after = evals.load_run(_store(services, "after <b>", [1.0] * 10 + [0.0] * 10), services)
    regressions = [c.metric for c in evals.compare_runs(before, after) if c.regression]
    assert regressions == ["faithfulness"]
    html_path, md_path = evals.write_report(after, tmp_path / "out", before)
    html = html_path.read_text()
    assert html.count("<svg") >= 2 and "http" not in html.split("<svg")[0]
    assert "after &lt;b&gt;" in html and "regression" in html and "q10" in html
    md = md_path.read_text()
    assert "| faithfulness | 0.500 |" in md and "**regression**" in md and "## By kind" in md
