"""The offline faithfulness verifier: no LLM, no network, deterministic.

A claim is scored against each passage of the context with three signals:

- semantic: the best cosine similarity between the claim and a sentence of the passage
  (all-MiniLM-L6-v2, the model ingest already uses);
- lexical: the share of the claim's content words (stemmed, no stopwords) in the passage;
- agreement: the share of the claim's numbers, dates and names found in the passage.

``support = sigmoid(bias + semantic_w * semantic + lexical_w * lexical) * agreement``,
and a claim is supported when ``support >= threshold`` and it invents no number, date or
name (agreement == 1). The claim's score is its best passage's. The few constants below
are fitted on BEGIN dev (see ``evals.calibrate``); docs/evals.md reports the agreement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from core.embeddings import Embedder
from evals import text
from evals.verifier import Verdict
from retrieval.types import Passage
from retrieval.vectors import embed_texts


@dataclass(frozen=True)
class OfflineWeights:
    bias: float
    semantic: float
    lexical: float
    threshold: float


# Fitted on BEGIN dev (/work/shared/datasets/faithfulness-dev: 1,229 labelled responses,
# logistic regression on the weakest claim's signals, threshold at the best balanced
# accuracy). Reproduce with: python -m evals.calibrate /work/shared/datasets/faithfulness-dev
CALIBRATED = OfflineWeights(bias=-7.66, semantic=3.25, lexical=6.62, threshold=0.3)


@dataclass(frozen=True)
class _Item:
    """One claims-against-context check, prepared for batched embedding."""

    claims: list[str]
    passages: list[list[str]]
    """Per passage: its sentences (what the claim is compared with)."""
    context: list[str]


class OfflineVerifier:
    name = "offline"

    def __init__(self, embedder: Embedder | None = None, weights: OfflineWeights = CALIBRATED):
        self._embedder = embedder
        self.weights = weights

    @property
    def embedder(self) -> Embedder:
        """The local MiniLM the weights were fitted with, loaded on first use."""
        if self._embedder is None:
            self._embedder = _minilm()
        return self._embedder

    def claims(self, answer: str) -> list[str]:
        return text.claims(answer)

    def answer_relevancy(self, question: str, answer: str) -> float:
        """Cosine similarity of question and answer (markers stripped), floored at 0."""
        body = text.strip_citations(answer)
        vectors = self._embed([question, body])
        return round(max(0.0, float(vectors[question] @ vectors[body])), 4)

    def relevant_passages(
        self, question: str, passages: Sequence[Passage], gold: Sequence[str]
    ) -> list[bool] | None:
        """A passage is relevant when it comes from a gold source document."""
        return [p.path in set(gold) for p in passages] if gold else None

    def verify(self, claims: Sequence[str], context: Sequence[str]) -> list[Verdict]:
        return self.verify_many([(claims, context)])[0]

    def verify_many(
        self, checks: Sequence[tuple[Sequence[str], Sequence[str]]]
    ) -> list[list[Verdict]]:
        """Verdicts for many (claims, context) checks with one batched embedding call."""
        return [
            self.verdicts(claims, signals)
            for (claims, _), signals in zip(checks, self.signals(checks), strict=True)
        ]

    def verdicts(self, claims: Sequence[str], signals: np.ndarray) -> list[Verdict]:
        """Verdicts from precomputed ``signals`` (so calibration embeds only once)."""
        out: list[Verdict] = []
        for i, claim in enumerate(claims):
            if signals.shape[1] == 0:
                out.append(Verdict(claim, False, 0.0, None, "no context"))
                continue
            scores = self._support(signals[i])
            best = int(np.argmax(scores))
            agreement = float(signals[i, best, 2])
            supported = bool(scores[best] >= self.weights.threshold and agreement == 1.0)
            reason = "" if agreement == 1.0 else "names or numbers not in the context"
            out.append(Verdict(claim, supported, round(float(scores[best]), 4), best, reason))
        return out

    def signals(self, checks: Sequence[tuple[Sequence[str], Sequence[str]]]) -> list[np.ndarray]:
        """Per check, an array ``(claims, passages, 3)`` of semantic, lexical, agreement.

        Public for ``evals.calibrate``, which fits the weights on these same signals.
        """
        items = [_prepare(claims, context) for claims, context in checks]
        vectors = self._embed_all(items)
        out: list[np.ndarray] = []
        for item in items:
            sig = np.zeros((len(item.claims), len(item.passages), 3), dtype=np.float64)
            for i, claim in enumerate(item.claims):
                words = text.content_words(claim)
                terms = text.key_terms(claim)
                c = vectors[claim]
                for j, sentences in enumerate(item.passages):
                    passage = item.context[j]
                    sig[i, j, 0] = max(float(c @ vectors[s]) for s in sentences)
                    found = text.content_words(passage)
                    sig[i, j, 1] = len(words & found) / len(words) if words else 0.0
                    available = text.context_terms(passage)
                    sig[i, j, 2] = len(terms & available) / len(terms) if terms else 1.0
            out.append(sig)
        return out

    def _support(self, signals: np.ndarray) -> np.ndarray:
        """Support per passage from its ``(semantic, lexical, agreement)`` signals."""
        w = self.weights
        logit = w.bias + w.semantic * signals[:, 0] + w.lexical * signals[:, 1]
        return signals[:, 2] / (1.0 + np.exp(-logit))

    def _embed_all(self, items: Sequence[_Item]) -> dict[str, np.ndarray]:
        return self._embed([t for it in items for t in [*it.claims, *_flat(it.passages)]])

    def _embed(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Vectors by text, from the process-wide cache the extractive answerer fills too:
        a run checks the same passages many times, and quoted sentences are claims."""
        return embed_texts(self.embedder, texts)


@lru_cache(maxsize=1)
def _minilm() -> Embedder:
    """One MiniLM per process for every verifier that was not handed an embedder."""
    from core.embeddings.local import LocalEmbedder

    return LocalEmbedder()


def _prepare(claims: Sequence[str], context: Sequence[str]) -> _Item:
    passages = [text.sentences(passage) or [passage] for passage in context]
    return _Item([text.strip_citations(c) for c in claims], passages, list(context))


def _flat(nested: Sequence[Sequence[str]]) -> list[str]:
    return [x for inner in nested for x in inner]
