"""The QA benchmark: a folder of documents and its question set, answered side by side.

``footnote bench qa`` ingests each corpus into its own data directory under
``data_dir/bench/qa-<name>`` (incremental: a re-run re-embeds nothing), runs its eval
set through ``evals.run_eval`` — the one answer path, exactly as ``footnote eval run`` —
and reports the answer figures that matter for an offline answerer on documents nobody
here wrote: gold file cited, ``must_include``, refusal on unanswerable questions, the
false-refusal rate, with bootstrap intervals, overall and per kind.

The default sets are the sample corpus (always) and the dxw handbook with its 60
questions (when ``../shared/datasets`` is present): a change that helps one and hurts
the other shows up in one table.

Each set's retrieval is also ranked three ways in the same run — the hybrid search as
configured, dense only and BM25 only (``compare_retrieval``: where the first gold file
ranks among the documents found) — so fusion is held to never losing to its own parts.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.access import asker_groups
from core.services import Services
from core.settings import PROJECT_ROOT, Settings, SourceConfig
from evals.dataset import load_dataset
from evals.runner import run_eval
from evals.store import Run
from retrieval.search import Fusion, Searcher, search_filter
from retrieval.types import Filters, User

HEADLINE = (
    "gold_cited",
    "must_include",
    "unanswerable_refused",
    "false_refusal",
    "refusal_correct",
    "hit@5",
    "faithfulness",
    "citation_precision",
    "latency_p95_ms",
)
"""The figures a QA report shows, in order (``latency_p95_ms`` is a run aggregate)."""

SHARED_DATASETS = PROJECT_ROOT.parent / "shared" / "datasets"


@dataclass(frozen=True)
class QaSet:
    """A corpus folder and the eval set asked of it."""

    name: str
    corpus: Path
    dataset: Path

    @property
    def present(self) -> bool:
        return self.corpus.is_dir() and self.dataset.is_file()


def default_sets() -> list[QaSet]:
    """The sample corpus, and the dxw handbook set when the shared datasets are here."""
    sets = [
        QaSet("sample", PROJECT_ROOT / "data" / "corpus", PROJECT_ROOT / "data/evals/sample.jsonl"),
        QaSet(
            "dxw",
            SHARED_DATASETS / "handbook-dxw" / "src",
            SHARED_DATASETS / "handbook-dxw-qa" / "qa.jsonl",
        ),
    ]
    return [s for s in sets if s.present]


def bench_services(settings: Settings, qa: QaSet) -> Services:
    """Services whose data dir and single source belong to ``qa`` alone."""
    values = settings.model_dump()
    values.update(
        data_dir=settings.data_dir / "bench" / f"qa-{qa.name}",
        sources={qa.name: SourceConfig(path=qa.corpus.resolve(), groups=["all"])},
        database_url=None,
        qdrant_url=None,
    )
    return Services(Settings(**values))


def run_set(
    settings: Settings,
    qa: QaSet,
    *,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
    with_retrieval: bool = False,
) -> tuple[Run, dict[str, dict[str, float]]]:
    """Ingest ``qa.corpus`` (incrementally) and answer its questions: the stored run, and
    (``with_retrieval``) the three-way retrieval comparison."""
    from ingest import run_job

    say = progress or (lambda _msg: None)
    services = bench_services(settings, qa)
    try:
        say(f"{qa.name}: ingesting {qa.corpus}")
        job = run_job(services, qa.name, requested_by="bench qa")
        if job.status != "succeeded":
            raise RuntimeError(f"ingesting {qa.corpus} failed: {job.error}")
        say(f"{qa.name}: {job.added + job.updated + job.unchanged} documents; asking")
        run = run_eval(
            qa.dataset,
            qa.name,
            services=services,
            limit=limit,
            name=f"bench qa {qa.name}",
            use_judge=False,
        )
        return run, (compare_retrieval(services, qa) if with_retrieval else {})
    finally:
        services.close()


def compare_retrieval(services: Services, qa: QaSet) -> dict[str, dict[str, float]]:
    """Hybrid, dense-only and BM25-only search of every answerable question with gold
    files: the share with a gold file first, in the first five documents, and the mean
    reciprocal rank of the first gold file within ten (``{mode: {metric: value}}``)."""
    searcher = Searcher(services.index, services.embedder, services.settings)
    hybrid = Fusion.from_settings(services.settings)
    modes = {
        "hybrid": hybrid,
        "dense": replace(hybrid, sparse_weight=0.0),
        "bm25": replace(hybrid, dense_weight=0.0),
    }
    ranks: dict[str, list[int]] = {mode: [] for mode in modes}
    for q in load_dataset(qa.dataset):
        if not q.answerable or not q.sources or q.history:
            continue
        flt = search_filter(
            User("eval", asker_groups(q.user_groups or ())), Filters(sources=(qa.name,))
        )
        for mode, fusion in modes.items():
            paths = list(
                dict.fromkeys(
                    h.payload.get("path") for h, _ in searcher.hits(q.question, flt, fusion)
                )
            )
            ranks[mode].append(next((i for i, p in enumerate(paths, 1) if p in q.sources), 0))
    return {
        mode: {
            "hit@1": round(statistics.fmean(r == 1 for r in found), 3),
            "hit@5": round(statistics.fmean(0 < r <= 5 for r in found), 3),
            "mrr@10": round(statistics.fmean(1 / r if 0 < r <= 10 else 0.0 for r in found), 3),
        }
        for mode, found in ranks.items()
        if found
    }


def summary(run: Run) -> dict[str, Any]:
    """The headline figures of a run, overall and per kind: ``{scope: {metric: est}}``."""
    scopes = {"overall": run.aggregates.get("overall", {})}
    scopes.update(run.aggregates.get("by_kind", {}))
    return {
        scope: {m: values[m] for m in HEADLINE if values.get(m) is not None}
        for scope, values in scopes.items()
    }


def run_sets(
    settings: Settings,
    sets: Sequence[QaSet],
    *,
    limit: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, dict[str, Any]]:
    """Every set's summary by set name, with its retrieval comparison under
    ``"retrieval"`` (what the CLI prints side by side)."""
    out: dict[str, dict[str, Any]] = {}
    for qa in sets:
        run, retrieval = run_set(settings, qa, limit=limit, progress=progress, with_retrieval=True)
        out[qa.name] = {**summary(run), "retrieval": retrieval}
    return out
