"""The offline answerer: quote the sentences of the sources that best answer the question.

Used when no LLM is configured, and as the fallback when one fails. Each sentence of
the retrieved passages is scored against the question by embedding similarity (the
same embedder as search) plus lexical overlap of content words; the best few are
quoted in reading order, each with its ``[n]``. When even the best sentence scores
below ``CONFIDENCE_BAR`` the answer is an honest refusal. Deterministic: same
passages, same answer. Sentences that address a model ("ignore previous
instructions…") are never quoted as an answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.embeddings import Embedder
from retrieval.guards import looks_like_instruction
from retrieval.prompt import REFUSAL
from retrieval.text import sentences, terms
from retrieval.types import Passage

CONFIDENCE_BAR = 0.46
"""Calibrated on data/corpus + data/evals/sample.jsonl (127 questions, MiniLM): the best
sentence of answerable questions scores 0.18–0.91 (median 0.55), of unanswerable ones
0.26–0.53 (median 0.39). Bars from 0.45 to 0.51 all balance about 0.78 accuracy; 0.46
answers 77% of the answerable and refuses 80% of the unanswerable."""
_DENSE, _LEXICAL, _HEADING = 0.55, 0.35, 0.10
_KEEP_WITHIN = 0.85
"""Further sentences are quoted when they score within this fraction of the best."""
_MAX_SENTENCES = 3
_MIN_WORDS = 4
_LIST_MARK = re.compile(r"^\s*(?:[-*•+]|\d+[.)]|#{1,6})\s+")


@dataclass(frozen=True)
class Pick:
    n: int
    position: int
    sentence: str
    score: float


@dataclass(frozen=True)
class Extract:
    text: str
    picks: list[Pick]
    refused: bool
    best_score: float


def score_sentences(question: str, passages: Sequence[Passage], embedder: Embedder) -> list[Pick]:
    """Every quotable sentence of ``passages`` with its score, unsorted."""
    candidates: list[tuple[Passage, int, str]] = []
    for passage in passages:
        for position, raw in enumerate(sentences(passage.text)):
            sentence = _LIST_MARK.sub("", raw).strip()
            if len(sentence.split()) >= _MIN_WORDS and not looks_like_instruction(sentence):
                candidates.append((passage, position, sentence))
    wanted = set(terms(question))
    if not candidates or not wanted:
        return []
    vectors = embedder.embed([question] + [c[2] for c in candidates])
    similarity = vectors[1:] @ vectors[0]
    picks = []
    for (passage, position, sentence), cosine in zip(candidates, similarity, strict=True):
        lexical = len(wanted & set(terms(sentence))) / len(wanted)
        heading = len(wanted & set(terms(" ".join([passage.title, *passage.section])))) / len(
            wanted
        )
        score = _DENSE * float(np.clip(cosine, 0, 1)) + _LEXICAL * lexical + _HEADING * heading
        picks.append(Pick(passage.n, position, sentence, score))
    return picks


def extractive_answer(
    question: str,
    passages: Sequence[Passage],
    embedder: Embedder,
    bar: float = CONFIDENCE_BAR,
) -> Extract:
    """The best sentences, cited, in reading order; or the refusal."""
    scored = sorted(score_sentences(question, passages, embedder), key=lambda p: -p.score)
    best = scored[0].score if scored else 0.0
    if best < bar:
        return Extract(REFUSAL, [], refused=True, best_score=best)
    chosen: list[Pick] = []
    for pick in scored:
        if len(chosen) == _MAX_SENTENCES or pick.score < best * _KEEP_WITHIN:
            break
        if all(set(terms(pick.sentence)) != set(terms(c.sentence)) for c in chosen):
            chosen.append(pick)
    chosen.sort(key=lambda p: (p.n, p.position))
    text = " ".join(_cited(p.sentence, p.n) for p in chosen)
    return Extract(text, chosen, refused=False, best_score=best)


def _cited(sentence: str, n: int) -> str:
    """``sentence [n].``: the marker goes before the sentence's closing punctuation."""
    body = sentence.rstrip()
    if body[-1:] in (".", "!", "?"):
        return f"{body[:-1]} [{n}]{body[-1]}"
    return f"{body} [{n}]."
