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
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.services import Services
from core.settings import PROJECT_ROOT, Settings, SourceConfig
from evals.runner import run_eval
from evals.store import Run

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
) -> Run:
    """Ingest ``qa.corpus`` (incrementally) and answer its questions; the stored run."""
    from ingest import run_job

    say = progress or (lambda _msg: None)
    services = bench_services(settings, qa)
    try:
        say(f"{qa.name}: ingesting {qa.corpus}")
        job = run_job(services, qa.name, requested_by="bench qa")
        if job.status != "succeeded":
            raise RuntimeError(f"ingesting {qa.corpus} failed: {job.error}")
        say(f"{qa.name}: {job.added + job.updated + job.unchanged} documents; asking")
        return run_eval(
            qa.dataset,
            qa.name,
            services=services,
            limit=limit,
            name=f"bench qa {qa.name}",
            use_judge=False,
        )
    finally:
        services.close()


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
    """Every set's summary, by set name (what the CLI prints side by side)."""
    return {qa.name: summary(run_set(settings, qa, limit=limit, progress=progress)) for qa in sets}
