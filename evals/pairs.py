"""Standalone (context, answer) pairs: the scorer on its own, for checking it against
human labels (``footnote eval faithfulness``) and for calibrating it (BEGIN).

A pairs file is JSONL: ``{"context": "..." | ["...", ...], "answer": "...", "label": 1}``
with ``label`` optional (1/0 or true/false: is the answer fully supported?).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from evals.agreement import Agreement, agreement
from evals.offline import CALIBRATED, OfflineVerifier
from evals.verifier import Verdict, Verifier, faithfulness


@dataclass(frozen=True)
class Pair:
    context: list[str]
    answer: str
    label: int | None = None


@dataclass(frozen=True)
class PairScore:
    verdicts: list[Verdict]
    faithfulness: float | None
    """Supported claims / claims (None: the answer has no claims)."""
    support: float
    """The weakest claim's score: the threshold-free score AUROC ranks by."""
    faithful: bool
    """Every claim supported (an answer without claims claims nothing false)."""


def load_pairs(path: Path) -> list[Pair]:
    """Read a pairs file; a bad line stops with its line number and what to fix."""
    pairs: list[Pair] = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                context = row["context"]
                answer = row["answer"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(
                    f"{path}:{number}: expected a JSON object with 'context' and 'answer' ({exc})"
                ) from exc
            contexts = [context] if isinstance(context, str) else list(context)
            pairs.append(Pair(contexts, str(answer), _label(row.get("label"), path, number)))
    return pairs


def _label(value: object, path: Path, number: int) -> int | None:
    if value is None:
        return None
    if value in (1, True, "1", "true", "True"):
        return 1
    if value in (0, False, "0", "false", "False"):
        return 0
    raise ValueError(f"{path}:{number}: label must be 1/0 or true/false, got {value!r}")


def score_pairs(pairs: Sequence[Pair], verifier: Verifier) -> list[PairScore]:
    checks = [(verifier.claims(p.answer), p.context) for p in pairs]
    return [score_from_verdicts(v) for v in verifier.verify_many(checks)]


def score_from_verdicts(verdicts: list[Verdict]) -> PairScore:
    return PairScore(
        verdicts=verdicts,
        faithfulness=faithfulness(verdicts),
        support=min((v.score for v in verdicts), default=1.0),
        faithful=all(v.supported for v in verdicts),
    )


def pair_agreement(
    pairs: Sequence[Pair], scores: Sequence[PairScore], threshold: float
) -> Agreement | None:
    """Agreement with the labels of the labelled pairs (None when none is labelled)."""
    labelled = [(p.label, s) for p, s in zip(pairs, scores, strict=True) if p.label is not None]
    if not labelled:
        return None
    return agreement(
        [s.support for _, s in labelled],
        [s.faithful for _, s in labelled],
        [int(label) for label, _ in labelled],
        threshold,
    )


def score_file(
    path: Path, threshold: float | None = None
) -> tuple[list[Pair], list[PairScore], Agreement | None]:
    """Score a pairs file with the offline verifier (its calibrated threshold, or yours)."""
    weights = CALIBRATED if threshold is None else replace(CALIBRATED, threshold=threshold)
    pairs = load_pairs(path)
    scores = score_pairs(pairs, OfflineVerifier(weights=weights))
    return pairs, scores, pair_agreement(pairs, scores, weights.threshold)
