"""The grading seam: a verifier splits an answer into claims and checks each claim
against the retrieved context; it also grades answer relevancy and which passages are
relevant (for context precision).

Two implementations: ``OfflineVerifier`` (embeddings + word overlap + name/number
agreement, calibrated on BEGIN; no network) and ``JudgeVerifier`` (an LLM with JSON
output). Metrics depend only on ``Verifier``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from retrieval.types import Passage


@dataclass(frozen=True)
class Verdict:
    """Whether one claim is supported by the context, and by which passage."""

    claim: str
    supported: bool
    score: float
    """Support in [0, 1]: the offline verifier's calibrated probability, the judge's 0/1."""
    passage: int | None = None
    """Index into the context list of the best supporting passage (None: none)."""
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class JudgeError(RuntimeError):
    """The LLM judge gave no usable answer (after its retry); the caller falls back."""


class Verifier(Protocol):
    name: str

    def claims(self, answer: str) -> list[str]:
        """The checkable claims of an answer (may be empty)."""
        ...

    def verify(self, claims: Sequence[str], context: Sequence[str]) -> list[Verdict]:
        """One verdict per claim, in order, against the passages in ``context``."""
        ...

    def verify_many(
        self, checks: Sequence[tuple[Sequence[str], Sequence[str]]]
    ) -> list[list[Verdict]]:
        """``verify`` for many (claims, context) checks (batched where that is cheaper)."""
        ...

    def answer_relevancy(self, question: str, answer: str) -> float:
        """How well the answer addresses the question, in [0, 1]."""
        ...

    def relevant_passages(
        self, question: str, passages: Sequence[Passage], gold: Sequence[str]
    ) -> list[bool] | None:
        """Per retrieved passage, is it relevant (None: this verifier cannot tell)."""
        ...


def faithfulness(verdicts: Sequence[Verdict]) -> float | None:
    """Supported claims / claims; None when there is nothing to check."""
    if not verdicts:
        return None
    return sum(v.supported for v in verdicts) / len(verdicts)
