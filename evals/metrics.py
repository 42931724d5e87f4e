"""Per-question metrics: retrieval, faithfulness, relevancy, context, citations, safety.

Every metric is a number in its own unit or ``None`` when it does not apply to the
question (e.g. retrieval metrics without gold ``sources``, faithfulness of a refusal);
aggregates skip ``None``. The exact definitions are in docs/evals.md, in the same order
as here. ``METRICS`` says which way is better, which the thresholds and the comparison
of runs rely on.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from evals import text
from evals.dataset import EvalQuestion
from evals.offline import OfflineVerifier
from evals.verifier import JudgeError, Verdict, Verifier, faithfulness
from retrieval.types import Answer

HIGHER, LOWER = "higher", "lower"
SUPERSEDED_KIND = "superseded"
"""Questions whose ``forbidden`` phrases are facts of a version not in force (see
``retrieval.lineage``): their leakage is ``superseded_leakage``, gated at 0."""

METRICS: dict[str, str] = {
    "hit@1": HIGHER,
    "hit@5": HIGHER,
    "recall@5": HIGHER,
    "recall@10": HIGHER,
    "mrr": HIGHER,
    "ndcg@10": HIGHER,
    "faithfulness": HIGHER,
    "answer_relevancy": HIGHER,
    "context_precision": HIGHER,
    "context_recall": HIGHER,
    "citation_precision": HIGHER,
    "citation_recall": HIGHER,
    "must_include": HIGHER,
    "forbidden_leakage": LOWER,
    "context_leakage": LOWER,
    "superseded_leakage": LOWER,
    "refusal_correct": HIGHER,
    "false_refusal": LOWER,
    "unanswerable_refused": HIGHER,
    "gold_cited": HIGHER,
    "latency_ms": LOWER,
    "cost_usd": LOWER,
    "input_tokens": LOWER,
    "output_tokens": LOWER,
}
"""Every metric a question gets, with the direction that is better."""


# -- retrieval ---------------------------------------------------------------------------
def ranked_paths(paths: Sequence[str]) -> list[str]:
    """Distinct document paths in first-seen order: the ranking retrieval is scored on."""
    return list(dict.fromkeys(paths))


def hit_at(ranked: Sequence[str], gold: Sequence[str], k: int) -> float:
    return float(any(p in set(gold) for p in ranked[:k]))


def recall_at(ranked: Sequence[str], gold: Sequence[str], k: int) -> float:
    wanted = set(gold)
    return len(wanted & set(ranked[:k])) / len(wanted)


def mrr(ranked: Sequence[str], gold: Sequence[str]) -> float:
    wanted = set(gold)
    return next((1.0 / rank for rank, p in enumerate(ranked, 1) if p in wanted), 0.0)


def ndcg_at(ranked: Sequence[str], gold: Sequence[str], k: int = 10) -> float:
    """Binary-relevance nDCG: DCG of the ranking over the DCG of a perfect one."""
    wanted = set(gold)
    dcg = sum(1.0 / math.log2(rank + 1) for rank, p in enumerate(ranked[:k], 1) if p in wanted)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(wanted), k) + 1))
    return dcg / ideal


def retrieval_metrics(ranked: Sequence[str], gold: Sequence[str]) -> dict[str, float]:
    return {
        "hit@1": hit_at(ranked, gold, 1),
        "hit@5": hit_at(ranked, gold, 5),
        "recall@5": recall_at(ranked, gold, 5),
        "recall@10": recall_at(ranked, gold, 10),
        "mrr": mrr(ranked, gold),
        "ndcg@10": ndcg_at(ranked, gold, 10),
    }


def average_precision(relevant: Sequence[bool]) -> float:
    """Context precision: mean of precision@k over the ranks k that hold a relevant passage."""
    hits, total = 0, 0.0
    for k, rel in enumerate(relevant, 1):
        if rel:
            hits += 1
            total += hits / k
    return total / hits if hits else 0.0


# -- answer text -------------------------------------------------------------------------
def must_include_coverage(answer: str, phrases: Sequence[str]) -> float:
    return sum(text.contains_phrase(answer, p) for p in phrases) / len(phrases)


def leaks(body: str, forbidden: Sequence[str]) -> list[str]:
    """The forbidden phrases that occur in ``body``."""
    return [p for p in forbidden if text.contains_phrase(body, p)]


def citation_scores(
    sentences: Sequence[str], supported: Sequence[bool], cited_support: dict[tuple[int, int], bool]
) -> tuple[float | None, float | None]:
    """(citation precision, citation recall) of an answer's sentences.

    ``cited_support[(i, n)]``: does passage ``n`` support sentence ``i`` that cites it.
    Precision: supported (sentence, citation) pairs / all pairs. Recall: sentences the
    context supports that cite at least one passage / sentences the context supports.
    """
    precision = sum(cited_support.values()) / len(cited_support) if cited_support else None
    backed = [i for i, ok in enumerate(supported) if ok]
    recall = (
        sum(bool(text.cited_numbers(sentences[i])) for i in backed) / len(backed)
        if backed
        else None
    )
    return precision, recall


# -- one question ------------------------------------------------------------------------
@dataclass
class Scored:
    """A question's metrics and what the report shows about them."""

    metrics: dict[str, float | None]
    detail: dict[str, Any] = field(default_factory=dict)


def score_answer(
    question: EvalQuestion,
    answer: Answer,
    offline: OfflineVerifier,
    judge: Verifier | None = None,
) -> Scored:
    """Every metric of one answered question.

    Faithfulness, answer relevancy and context precision/recall use the judge when one
    is given; if it fails (malformed output after its retry) the question is scored
    offline and the error is recorded. Citation metrics are always offline: they check
    each (sentence, cited passage) pair, which is what the offline verifier is fitted for.
    """
    scored = Scored(dict.fromkeys(METRICS), _retrieved(question, answer))
    if question.sources and question.answerable:
        scored.metrics.update(retrieval_metrics(scored.detail["ranked_paths"], question.sources))
    _score_safety_and_cost(question, answer, scored)
    _score_citations(offline, answer, scored)
    graded = None
    if judge is not None:
        try:
            graded = _graded(judge, question, answer)
            scored.detail["judge"] = {"name": judge.name, "status": "ok"}
        except JudgeError as exc:
            scored.detail["judge"] = {"name": judge.name, "status": "error", "error": str(exc)}
    graded = graded or _graded(offline, question, answer)
    scored.metrics.update(graded.metrics)
    scored.detail.update(graded.detail)
    return scored


def _retrieved(question: EvalQuestion, answer: Answer) -> dict[str, Any]:
    """What was retrieved and cited, as the report shows it."""
    return {
        "mode": answer.mode,
        "standalone_question": answer.standalone_question,
        "retrieved": [
            {
                "n": p.n,
                "path": p.path,
                "title": p.title,
                "section": p.section,
                "page": p.page,
                "score": round(p.score, 4),
                "text": p.text,
            }
            for p in answer.passages
        ],
        "ranked_paths": ranked_paths([p.path for p in answer.passages]),
        "citations": [c.to_dict() for c in answer.citations],
        "gold_sources": list(question.sources),
    }


def _score_safety_and_cost(question: EvalQuestion, answer: Answer, scored: Scored) -> None:
    m = scored.metrics
    m["refusal_correct"] = float(answer.refused == (not question.answerable))
    if question.answerable:
        m["false_refusal"] = float(answer.refused)
    else:
        m["unanswerable_refused"] = float(answer.refused)
    if question.sources and question.answerable:
        cited = {c.path for c in answer.citations}
        m["gold_cited"] = float(not answer.refused and bool(cited & set(question.sources)))
    if question.must_include and question.answerable:
        # A refusal includes nothing, even where it names the closest passages' titles.
        said = "" if answer.refused else answer.text
        m["must_include"] = must_include_coverage(said, question.must_include)
    if question.forbidden:
        leaked = leaks(answer.text, question.forbidden)
        in_context = sorted({f for p in answer.passages for f in leaks(p.text, question.forbidden)})
        m["forbidden_leakage"] = float(bool(leaked))
        m["context_leakage"] = float(bool(in_context))
        if question.kind == SUPERSEDED_KIND:
            # The same check, counted apart: an old version's fact stated as current (or a
            # newer one's, for a question about the past) is a wrong answer, not a leak.
            m["superseded_leakage"] = m["forbidden_leakage"]
        scored.detail["leaked"] = {"answer": leaked, "context": in_context}
    m["latency_ms"] = answer.latency_ms
    m["cost_usd"] = answer.usage.cost_usd
    m["input_tokens"] = float(answer.usage.input_tokens)
    m["output_tokens"] = float(answer.usage.output_tokens)


def _score_citations(offline: OfflineVerifier, answer: Answer, scored: Scored) -> None:
    sentences = offline.claims(answer.text) if not answer.refused else []
    sentence_verdicts, cited = _offline_checks(offline, sentences, answer)
    scored.metrics["citation_precision"], scored.metrics["citation_recall"] = citation_scores(
        sentences, [v.supported for v in sentence_verdicts], cited
    )
    scored.detail["citation_checks"] = [
        {"sentence": sentences[i], "n": n, "supported": ok} for (i, n), ok in cited.items()
    ]


def _offline_checks(
    offline: OfflineVerifier, sentences: list[str], answer: Answer
) -> tuple[list[Verdict], dict[tuple[int, int], bool]]:
    """Sentence verdicts against the whole context, and each cited passage's support."""
    by_n = {p.n: p.text for p in answer.passages}
    pairs = [(i, n) for i, s in enumerate(sentences) for n in text.cited_numbers(s)]
    checks = [(sentences, [p.text for p in answer.passages])]
    checks += [([sentences[i]], [by_n[n]] if n in by_n else []) for i, n in pairs]
    results = offline.verify_many(checks)
    cited = {pair: result[0].supported for pair, result in zip(pairs, results[1:], strict=True)}
    return results[0], cited


def _graded(verifier: Verifier, question: EvalQuestion, answer: Answer) -> Scored:
    """Faithfulness, answer relevancy and context precision/recall by one verifier."""
    context = [p.text for p in answer.passages]
    m: dict[str, float | None] = {}
    detail: dict[str, Any] = {}
    claims: list[Verdict] = []
    if not answer.refused:
        claims = verifier.verify(verifier.claims(answer.text), context)
        m["faithfulness"] = faithfulness(claims)
        m["answer_relevancy"] = verifier.answer_relevancy(question.question, answer.text)
    detail["claims"] = [_claim_detail(v, answer) for v in claims]
    if question.answerable and answer.passages:
        relevant = verifier.relevant_passages(question.question, answer.passages, question.sources)
        if relevant is not None:
            m["context_precision"] = average_precision(relevant)
            detail["relevant_passages"] = relevant
    if question.answerable and question.reference:
        verdicts = verifier.verify(verifier.claims(question.reference), context)
        m["context_recall"] = faithfulness(verdicts)
        detail["reference_claims"] = [v.to_dict() for v in verdicts]
    elif question.answerable and question.must_include:
        m["context_recall"] = must_include_coverage("\n".join(context), question.must_include)
    return Scored(m, detail)


def _claim_detail(verdict: Verdict, answer: Answer) -> dict[str, Any]:
    """A verdict with the passage that best supports it, as the report shows it."""
    out = verdict.to_dict()
    if verdict.passage is not None and verdict.passage < len(answer.passages):
        p = answer.passages[verdict.passage]
        out["source"] = {"n": p.n, "path": p.path, "section": p.section, "page": p.page}
    return out
