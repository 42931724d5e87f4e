"""Eval runs in SQL (``eval_runs``, ``eval_results``), and reading them back.

Reads return plain dataclasses, detached from any session, so the app's Evals page
and the report can hold them as long as they like.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import EvalResult, EvalRun, utcnow


@dataclass(frozen=True)
class QuestionResult:
    """One question's outcome; its fields are the ``eval_results`` columns of that name."""

    qid: str
    kind: str
    question: str
    answer: str
    refused: bool
    metrics: dict[str, float | None]
    detail: dict[str, Any]
    latency_ms: float
    input_tokens: int
    output_tokens: int
    cost_usd: float


@dataclass(frozen=True)
class Run:
    id: int
    name: str
    dataset: str
    source: str
    status: str
    """running | succeeded | failed"""
    judge: str
    git_commit: str
    started_at: datetime
    finished_at: datetime | None
    questions: int
    config: dict[str, Any]
    aggregates: dict[str, Any]
    """``overall`` and ``by_kind``: metric → {value, low, high, n}; plus counts."""
    results: list[QuestionResult] = field(default_factory=list)
    """Filled by ``load_run``; empty in ``list_runs``."""

    def metric(self, name: str) -> float | None:
        """The run's aggregate of ``name`` (None when no question produced it)."""
        estimate = self.aggregates.get("overall", {}).get(name)
        return None if estimate is None else float(estimate["value"])


class RunNotFound(LookupError):
    pass


def start_run(
    sessions: sessionmaker[Session],
    *,
    name: str,
    dataset: str,
    source: str,
    judge: str,
    git_commit: str,
    config: dict[str, Any],
) -> int:
    with sessions.begin() as session:
        run = EvalRun(
            name=name,
            dataset=dataset,
            source=source,
            judge=judge,
            git_commit=git_commit,
            config=config,
        )
        session.add(run)
        session.flush()
        return run.id


def add_result(sessions: sessionmaker[Session], run_id: int, result: QuestionResult) -> None:
    with sessions.begin() as session:
        session.add(EvalResult(run_id=run_id, **asdict(result)))


def finish_run(
    sessions: sessionmaker[Session], run_id: int, status: str, aggregates: dict[str, Any]
) -> None:
    with sessions.begin() as session:
        run = session.get_one(EvalRun, run_id)
        run.status = status
        run.aggregates = aggregates
        run.finished_at = utcnow()


def list_runs(sessions: sessionmaker[Session], limit: int | None = None) -> list[Run]:
    """Runs, newest first, without their per-question results."""
    with sessions() as session:
        counts = dict(
            session.execute(
                select(EvalResult.run_id, func.count()).group_by(EvalResult.run_id)
            ).all()
        )
        rows = session.scalars(select(EvalRun).order_by(EvalRun.id.desc()).limit(limit)).all()
        return [_run(row, counts.get(row.id, 0)) for row in rows]


def load_run(sessions: sessionmaker[Session], run_id: int) -> Run:
    """One run with every question's result, in the order they were answered."""
    with sessions() as session:
        row = session.get(EvalRun, run_id)
        if row is None:
            raise RunNotFound(f"no eval run {run_id}; `footnote eval list` shows the runs")
        results = [
            QuestionResult(**{f.name: getattr(r, f.name) for f in fields(QuestionResult)})
            for r in row.results
        ]
        return _run(row, len(results), results)


def _run(row: EvalRun, questions: int, results: list[QuestionResult] | None = None) -> Run:
    return Run(
        id=row.id,
        name=row.name,
        dataset=row.dataset,
        source=row.source,
        status=row.status,
        judge=row.judge,
        git_commit=row.git_commit,
        started_at=row.started_at,
        finished_at=row.finished_at,
        questions=questions,
        config=dict(row.config),
        aggregates=dict(row.aggregates),
        results=results or [],
    )
