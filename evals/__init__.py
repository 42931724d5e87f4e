"""Evals: run an eval set through the answer path, score it, store it, report on it.

The public surface, used by the ``footnote eval`` commands and the app's Evals page:

- ``run_eval(dataset, source, ...)`` → the stored ``Run`` (answers via ``retrieval.answer``);
- ``list_runs()``, ``load_run(id)``, ``metric_history(metrics)``: runs for pages and charts;
- ``compare_runs(a, b)``: paired bootstrap per metric, regressions flagged;
- ``write_report(run, out, baseline)``: self-contained HTML and a Markdown summary;
- ``parse_thresholds`` / ``check_thresholds``: the ``--fail-under`` gate;
- ``score_file(pairs)``: the faithfulness scorer on its own, with agreement to labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.services import Services, get_services
from evals.agreement import Agreement
from evals.dataset import DatasetError, EvalQuestion, load_dataset
from evals.pairs import score_file
from evals.report import compare_runs, write_report
from evals.runner import SourceNotIndexed, run_eval
from evals.stats import Comparison
from evals.store import QuestionResult, Run, RunNotFound
from evals.store import list_runs as _list_runs
from evals.store import load_run as _load_run
from evals.thresholds import Check, check_thresholds, parse_thresholds


def list_runs(services: Services | None = None, limit: int | None = None) -> list[Run]:
    """Eval runs, newest first (aggregates included, per-question results not)."""
    return _list_runs((services or get_services()).sessions, limit)


def load_run(run_id: int, services: Services | None = None) -> Run:
    """One run with all its per-question results; ``RunNotFound`` if there is none."""
    return _load_run((services or get_services()).sessions, run_id)


def metric_history(
    metrics: Sequence[str], services: Services | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """One row per (finished run, metric), oldest first: what a trend chart plots."""
    rows = []
    for run in reversed(list_runs(services, limit)):
        for name in metrics:
            estimate = run.aggregates.get("overall", {}).get(name)
            if run.status == "succeeded" and estimate is not None:
                rows.append(
                    {
                        "run": run.id,
                        "name": run.name,
                        "started_at": run.started_at,
                        "metric": name,
                        **estimate,
                    }
                )
    return rows


__all__ = [
    "Agreement",
    "Check",
    "Comparison",
    "DatasetError",
    "EvalQuestion",
    "QuestionResult",
    "Run",
    "RunNotFound",
    "SourceNotIndexed",
    "check_thresholds",
    "compare_runs",
    "list_runs",
    "load_dataset",
    "load_run",
    "metric_history",
    "parse_thresholds",
    "run_eval",
    "score_file",
    "write_report",
]
