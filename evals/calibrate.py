"""Fit the offline verifier's constants on BEGIN dev and report its agreement there.

    python -m evals.calibrate /work/shared/datasets/faithfulness-dev

BEGIN (google/BEGIN-dataset) labels dialogue responses by whether a knowledge snippet
fully supports them; "Fully attributable" is faithful (1), "Not fully attributable" and
"Generic" are not (0). The fit is a logistic regression on the weakest claim's semantic
and lexical signals, then the threshold with the best balanced accuracy. Nothing else
is tuned on, and the dataset is never copied into the repository. The printed weights
are what ``evals.offline.CALIBRATED`` holds.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np

import core  # noqa: F401  (offline environment before torch)
from evals.agreement import Agreement, auroc
from evals.offline import CALIBRATED, OfflineVerifier, OfflineWeights
from evals.pairs import Pair, pair_agreement, score_from_verdicts

_FAITHFUL = "Fully attributable"
_FOLDS = 5
_SEED = 0


def load_begin(folder: Path) -> list[Pair]:
    """All ``*.tsv`` files of a BEGIN folder (TSV without quoting; fields are stripped)."""
    files = sorted(folder.glob("*.tsv"))
    if not files:
        raise FileNotFoundError(f"no BEGIN .tsv files in {folder}")
    pairs: list[Pair] = []
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        header = [h.strip() for h in lines[0].split("\t")]
        col = {name: header.index(name) for name in ("knowledge", "response", "begin_label")}
        for line in lines[1:]:
            fields = [f.strip() for f in line.split("\t")]
            if len(fields) != len(header):
                continue
            label = int(fields[col["begin_label"]] == _FAITHFUL)
            pairs.append(Pair([fields[col["knowledge"]]], fields[col["response"]], label))
    return pairs


def calibrate(pairs: list[Pair], verifier: OfflineVerifier) -> tuple[OfflineWeights, dict]:
    """Fitted weights and a report: agreement in-sample and the cross-validated AUROC."""
    claims = [verifier.claims(p.answer) for p in pairs]
    signals = verifier.signals([(c, p.context) for c, p in zip(claims, pairs, strict=True)])
    keep = [i for i, c in enumerate(claims) if c]
    labels = np.array([pairs[i].label for i in keep], dtype=np.float64)
    features = np.array([_weakest(signals[i]) for i in keep])

    def scored(weights: OfflineWeights, rows: list[int]) -> list:
        v = OfflineVerifier(verifier.embedder, weights)
        return [score_from_verdicts(v.verdicts(claims[i], signals[i])) for i in rows]

    bias, semantic, lexical = _logistic_fit(features, labels)
    weights = OfflineWeights(round(bias, 2), round(semantic, 2), round(lexical, 2), 0.5)
    best: tuple[float, Agreement] | None = None
    for threshold in np.round(np.arange(0.05, 0.96, 0.05), 2):
        candidate = replace(weights, threshold=float(threshold))
        result = pair_agreement(
            [pairs[i] for i in keep], scored(candidate, keep), candidate.threshold
        )
        assert result is not None
        if best is None or result.balanced_accuracy > best[1].balanced_accuracy:
            best = (float(threshold), result)
    assert best is not None
    weights = replace(weights, threshold=best[0])

    folds = np.array_split(np.random.default_rng(_SEED).permutation(len(keep)), _FOLDS)
    held_out = np.zeros(len(keep))
    for fold in folds:
        train = np.setdiff1d(np.arange(len(keep)), fold)
        b, s, lx = _logistic_fit(features[train], labels[train])
        fold_weights = OfflineWeights(b, s, lx, weights.threshold)
        for j, score in zip(fold, scored(fold_weights, [keep[j] for j in fold]), strict=True):
            held_out[j] = score.support
    report = {
        "pairs": len(pairs),
        "scored": len(keep),
        "in_sample": best[1].to_dict(),
        "cross_validated_auroc": auroc(held_out, labels.astype(int)),
        "shipped_auroc": auroc([s.support for s in scored(CALIBRATED, keep)], labels.astype(int)),
    }
    return weights, report


def _weakest(signals: np.ndarray) -> list[float]:
    """Per signal, the weakest claim's value at its best passage: what decides the label."""
    best = signals.max(axis=1)
    return [float(best[:, 0].min()), float(best[:, 1].min())]


def _logistic_fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-3) -> tuple[float, ...]:
    """Logistic regression by Newton's method, a whisper of L2 on the weights."""
    design = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(design.shape[1])
    penalty = l2 * np.diag([0.0] + [1.0] * x.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-design @ w))
        gradient = design.T @ (p - y) + penalty @ w
        hessian = (design * (p * (1 - p))[:, None]).T @ design + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return tuple(float(v) for v in w)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="the BEGIN folder (faithfulness-dev)")
    args = parser.parse_args()
    weights, report = calibrate(load_begin(args.folder), OfflineVerifier())
    print(f"pairs: {report['pairs']} (scored {report['scored']})")
    print(f"in-sample agreement: {report['in_sample']}")
    print(f"5-fold cross-validated AUROC: {report['cross_validated_auroc']:.4f}")
    print(f"AUROC of the shipped constants: {report['shipped_auroc']:.4f}")
    print(f"CALIBRATED = {weights!r}")


if __name__ == "__main__":
    main()
