"""Run an eval set through the app's own answer path and store every result.

Each question is asked with ``retrieval.answer`` (the same call the chat page makes),
as a user in the question's ``user_groups`` (default: only "all", i.e. anyone), with
its ``history``, restricted to the named source, and with ``record=False``: an eval
question is nobody's question, so it stays out of the usage figures (its model calls
are still metered, purpose "eval"). The answer is scored (``evals.metrics``), stored as
it completes, and the run's aggregates with their bootstrap intervals are written at
the end.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

import retrieval
from core.access import asker_groups
from core.db import Document
from core.embeddings import Embedder
from core.services import Services, get_services
from core.settings import PROJECT_ROOT
from evals.dataset import EvalQuestion, dataset_digest, load_dataset
from evals.judge import JudgeVerifier
from evals.metrics import score_answer
from evals.offline import OfflineVerifier
from evals.stats import aggregate
from evals.store import QuestionResult, Run, add_result, finish_run, load_run, start_run
from retrieval.metering import ModelCall, meter_calls
from retrieval.types import Answer, Done, Filters, User

EVAL_USER = "eval"
Progress = Callable[[int, int, QuestionResult], None]
"""Called after each question: (done, total, its result)."""


class SourceNotIndexed(RuntimeError):
    pass


def run_eval(
    dataset: Path,
    source: str,
    *,
    services: Services | None = None,
    limit: int | None = None,
    name: str = "",
    use_judge: bool | None = None,
    offline: OfflineVerifier | None = None,
    progress: Progress | None = None,
) -> Run:
    """Answer and score every question of ``dataset``; returns the stored run.

    ``use_judge``: None uses the LLM judge when an LLM is configured; False never does.
    """
    services = services or get_services()
    questions = load_dataset(dataset)[:limit]
    _require_indexed(services, source)
    offline = offline or OfflineVerifier(_local_embedder(services))
    judge_calls: list[ModelCall] = []
    judge = None
    if use_judge is not False and services.llm is not None:
        judge = JudgeVerifier(services.llm, on_call=judge_calls.append)
    elif use_judge:
        raise ValueError("--judge needs an LLM: set OPENAI_API_KEY or OPENAI_BASE_URL")

    run_id = start_run(
        services.sessions,
        name=name or f"{dataset.stem} on {source}",
        dataset=str(dataset),
        source=source,
        judge=judge.name if judge else offline.name,
        git_commit=_git_commit(),
        config=_config(services, dataset, source, limit, judge.name if judge else None, offline),
    )
    results: list[QuestionResult] = []
    started = time.perf_counter()
    try:
        for question in questions:
            answer = _ask(question, source, services)
            scored = score_answer(question, answer, offline, judge)
            if judge_calls:
                scored.detail.setdefault("judge", {}).update(_judge_usage(services, judge_calls))
                judge_calls.clear()
            result = QuestionResult(
                qid=question.id,
                kind=question.kind,
                question=question.question,
                answer=answer.text,
                refused=answer.refused,
                metrics=scored.metrics,
                detail=scored.detail,
                latency_ms=answer.latency_ms,
                input_tokens=answer.usage.input_tokens,
                output_tokens=answer.usage.output_tokens,
                cost_usd=answer.usage.cost_usd,
            )
            add_result(services.sessions, run_id, result)
            results.append(result)
            if progress:
                progress(len(results), len(questions), result)
    except BaseException:
        finish_run(services.sessions, run_id, "failed", summarise(results, started))
        raise
    finish_run(services.sessions, run_id, "succeeded", summarise(results, started))
    return load_run(services.sessions, run_id)


def summarise(results: list[QuestionResult], started: float) -> dict[str, Any]:
    """A run's aggregates: overall and per kind, with counts and throughput."""
    kinds = sorted({r.kind for r in results})
    seconds = time.perf_counter() - started
    return {
        "overall": aggregate([r.metrics for r in results]),
        "by_kind": {k: aggregate([r.metrics for r in results if r.kind == k]) for k in kinds},
        "questions": len(results),
        "judge_errors": sum(r.detail.get("judge", {}).get("status") == "error" for r in results),
        "total_cost_usd": sum(r.cost_usd for r in results),
        "duration_s": round(seconds, 2),
        "questions_per_minute": round(60 * len(results) / seconds, 2) if seconds else None,
    }


def _ask(question: EvalQuestion, source: str, services: Services) -> Answer:
    groups = asker_groups(question.user_groups or ())
    events = retrieval.answer(
        question.question,
        User(id=EVAL_USER, groups=groups, name="eval"),
        question.history,
        services=services,
        filters=Filters(sources=(source,)),
        record=False,
    )
    for event in events:
        if isinstance(event, Done):
            return event.answer
    raise RuntimeError(f"the answer stream for {question.id!r} ended without a Done event")


def _require_indexed(services: Services, source: str) -> None:
    with services.sessions() as session:
        count = session.scalar(
            select(func.count()).where(Document.source == source, Document.status == "indexed")
        )
    if not count:
        raise SourceNotIndexed(
            f"source {source!r} has no indexed documents: run `footnote ingest {source}` first"
        )


def _local_embedder(services: Services) -> Embedder | None:
    """The services' embedder when it is the MiniLM the verifier was fitted with."""
    from core.embeddings.local import LocalEmbedder

    return services.embedder if isinstance(services.embedder, LocalEmbedder) else None


def _judge_usage(services: Services, calls: list[ModelCall]) -> dict[str, Any]:
    """Log each judge call to ``llm_calls`` and total them for the question's detail."""
    return {
        "calls": len(calls),
        "input_tokens": sum(c.usage.input_tokens for c in calls),
        "output_tokens": sum(c.usage.output_tokens for c in calls),
        "cost_usd": meter_calls(services.sessions, services.settings, calls),
        "malformed": [c.error for c in calls if c.error],
    }


def _config(
    services: Services,
    dataset: Path,
    source: str,
    limit: int | None,
    judge: str | None,
    offline: OfflineVerifier,
) -> dict[str, Any]:
    """What produced the run: enough to tell two runs apart and to reproduce one."""
    s = services.settings
    return {
        "settings": s.snapshot(),
        "models": {
            "embedder": services.embedder.name,
            "llm": s.llm_model if s.llm_configured else "extractive",
            "judge": judge or offline.name,
            "offline_verifier": asdict(offline.weights),
        },
        "chunking": {
            "chunk_tokens": s.chunk_tokens,
            "chunk_max_wordpieces": s.chunk_max_wordpieces,
        },
        "retrieval": {
            "top_k": s.top_k,
            "candidates": s.candidates,
            "dense_weight": s.dense_weight,
            "sparse_weight": s.sparse_weight,
            "rrf_k": s.rrf_k,
            "max_chunks_per_doc": s.max_chunks_per_doc,
        },
        "dataset": {"path": str(dataset), "sha256_16": dataset_digest(dataset), "limit": limit},
        "source": source,
        "git_commit": _git_commit(),
    }


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()
