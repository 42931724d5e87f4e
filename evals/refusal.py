"""Calibrate the offline answerer's refusal, and check it is not fitted to one corpus.

``python -m evals.refusal`` takes the QA sets of ``footnote bench qa`` (the sample
corpus, and the dxw handbook when ``../shared/datasets`` is present), searches every
question as the extractive answer path does (search, then ``Searcher.widen``) and
collects the answerer's confidence features (``retrieval.extractive``'s
``confidence_features``). It then fits the logistic regression that ``_CONFIDENCE``
there holds on all sets together, and — the check
that matters — fits on each set alone and measures on the others. For each fit it
prints, at the bar that keeps false refusals on the fitting set at or under 10 %, the
false-refusal rate and the share of unanswerable questions refused on every set.

Follow-up questions (those with ``history``) are left out: their standalone form comes
from the chat memory, not from the question alone.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from core.access import asker_groups
from core.settings import get_settings
from evals.dataset import load_dataset
from evals.qa_bench import QaSet, bench_services, default_sets
from retrieval.extractive import confidence_features
from retrieval.search import Searcher
from retrieval.types import Filters, User

_MAX_FALSE_REFUSALS = 0.10


@dataclass(frozen=True)
class Sample:
    corpus: str
    answerable: bool
    features: tuple[float, ...]


def collect(sets: Sequence[QaSet]) -> list[Sample]:
    """Every question's features (questions with nothing to quote are left out)."""
    from ingest import run_job

    out: list[Sample] = []
    for qa in sets:
        services = bench_services(get_settings(), qa)
        try:
            run_job(services, qa.name, requested_by="evals.refusal")
            searcher = Searcher(services.index, services.embedder, services.settings)
            for q in load_dataset(qa.dataset):
                if q.history:
                    continue
                user = User("eval", groups=asker_groups(q.user_groups or ()))
                only = Filters(sources=(qa.name,))
                found = searcher.widen(searcher.search(q.question, user, only), user, only)
                numbered = [replace(p, n=i) for i, p in enumerate(found, start=1)]
                features = confidence_features(q.question, numbered, services.embedder)
                if features is not None:
                    out.append(Sample(qa.name, q.answerable, features))
        finally:
            services.close()
    return out


def fit(samples: Sequence[Sample], l2: float = 1.0) -> np.ndarray:
    """Logistic regression with balanced classes and a small ridge: [bias, w...]."""
    x = np.array([(1.0, *s.features) for s in samples])
    y = np.array([float(s.answerable) for s in samples])
    weight = np.where(y == 1, 0.5 / max(y.mean(), 1e-9), 0.5 / max(1 - y.mean(), 1e-9))
    w = np.zeros(x.shape[1])
    ridge = np.eye(x.shape[1]) * l2
    ridge[0, 0] = 0.0
    for _ in range(50):  # Newton's method: a handful of steps converge
        p = 1 / (1 + np.exp(-x @ w))
        gradient = x.T @ (weight * (p - y)) + ridge @ w
        hessian = (x * (weight * p * (1 - p))[:, None]).T @ x + ridge
        w -= np.linalg.solve(hessian, gradient)
    return w


def confidence(w: np.ndarray, s: Sample) -> float:
    return 1 / (1 + math.exp(-(w[0] + float(np.dot(w[1:], s.features)))))


def bar_for(w: np.ndarray, samples: Sequence[Sample]) -> float:
    """The highest bar whose false-refusal rate on ``samples`` is at most 10 %."""
    scores = sorted(confidence(w, s) for s in samples if s.answerable)
    allowed = int(_MAX_FALSE_REFUSALS * len(scores))
    return scores[allowed] if scores else 0.5


def rates(w: np.ndarray, bar: float, samples: Sequence[Sample]) -> tuple[float, float]:
    """(false-refusal rate, share of unanswerable questions refused) at ``bar``."""
    answerable = [confidence(w, s) < bar for s in samples if s.answerable]
    unanswerable = [confidence(w, s) < bar for s in samples if not s.answerable]
    return _mean(answerable), _mean(unanswerable)


def _mean(values: Sequence[bool]) -> float:
    return sum(values) / len(values) if values else float("nan")


def report(samples: Sequence[Sample]) -> list[str]:
    corpora = sorted({s.corpus for s in samples})
    fits = {"all": samples, **{c: [s for s in samples if s.corpus == c] for c in corpora}}
    lines = [
        "| fitted on | weights (bias, features) | bar | "
        + " | ".join(f"{c}: false refusals / unanswerable refused" for c in corpora)
        + " |",
        "|---|---|---:|" + "---:|" * len(corpora),
    ]
    for name, part in fits.items():
        w = fit(part)
        bar = bar_for(w, part)
        cells = []
        for c in corpora:
            fr, ur = rates(w, bar, [s for s in samples if s.corpus == c])
            cells.append(f"{fr:.2f} / {ur:.2f}")
        weights = ", ".join(f"{v:.2f}" for v in w)
        lines.append(f"| {name} | {weights} | {bar:.2f} | " + " | ".join(cells) + " |")
    return lines


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    samples = collect(default_sets())
    print("\n".join(report(samples)))


if __name__ == "__main__":
    main()
