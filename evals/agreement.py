"""How well a scorer agrees with human labels: AUROC, balanced accuracy and F1.

Plain numpy (AUROC by the rank-sum identity, ties counted half) so the figures in
docs/evals.md need nothing beyond what Footnote already installs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Agreement:
    n: int
    positives: int
    auroc: float | None
    """None when the labels are all one class."""
    balanced_accuracy: float
    f1: float
    threshold: float

    def to_dict(self) -> dict[str, float | int | None]:
        return asdict(self)


def auroc(scores: Sequence[float], labels: Sequence[int]) -> float | None:
    """The probability that a random positive outscores a random negative."""
    s = np.asarray(scores, dtype=np.float64)
    y = np.asarray(labels, dtype=bool)
    pos, neg = int(y.sum()), int((~y).sum())
    if pos == 0 or neg == 0:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=np.float64)
    ranks[order] = np.arange(1, len(s) + 1)
    for value in np.unique(s):  # average ranks over ties
        tied = s == value
        ranks[tied] = ranks[tied].mean()
    return float((ranks[y].sum() - pos * (pos + 1) / 2) / (pos * neg))


def balanced_accuracy(predicted: Sequence[bool], labels: Sequence[int]) -> float:
    """Mean of the recall on positives and on negatives (a class missing counts 0)."""
    p = np.asarray(predicted, dtype=bool)
    y = np.asarray(labels, dtype=bool)
    tpr = float((p & y).sum() / y.sum()) if y.any() else 0.0
    tnr = float((~p & ~y).sum() / (~y).sum()) if (~y).any() else 0.0
    return (tpr + tnr) / 2


def f1(predicted: Sequence[bool], labels: Sequence[int]) -> float:
    """F1 of the positive class (faithful)."""
    p = np.asarray(predicted, dtype=bool)
    y = np.asarray(labels, dtype=bool)
    tp = float((p & y).sum())
    denominator = float(p.sum() + y.sum())
    return 2 * tp / denominator if denominator else 0.0


def agreement(
    scores: Sequence[float], predicted: Sequence[bool], labels: Sequence[int], threshold: float
) -> Agreement:
    return Agreement(
        n=len(labels),
        positives=int(sum(bool(v) for v in labels)),
        auroc=auroc(scores, labels),
        balanced_accuracy=balanced_accuracy(predicted, labels),
        f1=f1(predicted, labels),
        threshold=threshold,
    )
