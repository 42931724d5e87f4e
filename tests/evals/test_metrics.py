"""Metric definitions on hand-made cases with known answers."""

from __future__ import annotations

import pytest

from evals.dataset import EvalQuestion
from evals.metrics import (
    METRICS,
    average_precision,
    citation_scores,
    hit_at,
    mrr,
    ndcg_at,
    ranked_paths,
    recall_at,
    score_answer,
)
from evals.offline import OfflineVerifier
from retrieval.types import Usage
from tests.evals.conftest import make_answer, passage

LEAVE = "Full-time staff get 25 days of annual leave a year, plus public holidays."
WIFI = "Visitors use the Quill-Guest network; its password changes every Monday."


def test_ranking_is_distinct_paths_in_order() -> None:
    assert ranked_paths(["a", "b", "a", "c", "b"]) == ["a", "b", "c"]


def test_retrieval_metrics_known_values() -> None:
    ranked = ["x", "gold1", "y", "gold2"]
    gold = ["gold1", "gold2"]
    assert hit_at(ranked, gold, 1) == 0.0
    assert hit_at(ranked, gold, 2) == 1.0
    assert recall_at(ranked, gold, 2) == 0.5
    assert recall_at(ranked, gold, 10) == 1.0
    assert mrr(ranked, gold) == 0.5
    # DCG = 1/log2(3) + 1/log2(5); ideal = 1 + 1/log2(3)
    assert ndcg_at(ranked, gold) == pytest.approx((0.63093 + 0.43068) / (1 + 0.63093), abs=1e-4)
    assert mrr([], gold) == 0.0
    assert ndcg_at([], gold) == 0.0


def test_average_precision() -> None:
    assert average_precision([True, False, True]) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision([False, False]) == 0.0
    assert average_precision([]) == 0.0


def test_citation_scores() -> None:
    sentences = ["A fact [1].", "Another fact.", "A third [2]."]
    precision, recall = citation_scores(
        sentences, [True, True, False], {(0, 1): True, (2, 2): False}
    )
    assert precision == 0.5
    assert recall == 0.5  # two supported sentences, one of them cites
    assert citation_scores([], [], {}) == (None, None)


def _question(**fields: object) -> EvalQuestion:
    values: dict[str, object] = {"id": "q1", "question": "How much annual leave do I get?"}
    values.update(fields)
    return EvalQuestion(**values)  # type: ignore[arg-type]


def test_a_grounded_cited_answer(hash_verifier: OfflineVerifier) -> None:
    passages = [passage(1, "hr/leave.md", LEAVE), passage(2, "it/wifi.md", WIFI)]
    answer = make_answer(
        f"{LEAVE} [1]", passages, usage=Usage("m", 100, 0, 20, 0.002), latency_ms=40
    )
    q = _question(sources=("hr/leave.md",), must_include=("25 days", "sick pay"), reference=LEAVE)
    m = score_answer(q, answer, hash_verifier).metrics
    assert set(m) == set(METRICS)
    assert m["hit@1"] == m["mrr"] == m["ndcg@10"] == 1.0
    assert m["faithfulness"] == 1.0
    assert m["citation_precision"] == m["citation_recall"] == 1.0
    assert m["context_precision"] == 1.0
    assert m["context_recall"] == 1.0
    assert m["must_include"] == 0.5
    assert m["refusal_correct"] == 1.0
    assert m["forbidden_leakage"] is None
    assert (m["cost_usd"], m["latency_ms"], m["input_tokens"]) == (0.002, 40, 100)


def test_an_invented_number_is_unsupported_and_a_wrong_citation_counts(
    hash_verifier: OfflineVerifier,
) -> None:
    passages = [passage(1, "hr/leave.md", LEAVE), passage(2, "it/wifi.md", WIFI)]
    text = f"{LEAVE} [2] Part-time staff get 40 days of annual leave a year."
    scored = score_answer(_question(), make_answer(text, passages), hash_verifier)
    m = scored.metrics
    assert m["faithfulness"] == 0.5
    assert m["citation_precision"] == 0.0  # [2] is the Wi-Fi passage
    assert m["citation_recall"] == 0.0
    unsupported = [c for c in scored.detail["claims"] if not c["supported"]]
    assert unsupported[0]["reason"] == "names or numbers not in the context"


def test_empty_answer_has_no_claims(hash_verifier: OfflineVerifier) -> None:
    m = score_answer(_question(), make_answer("", [passage(1, "a.md", LEAVE)]), hash_verifier)
    assert m.metrics["faithfulness"] is None
    assert m.metrics["citation_precision"] is None
    assert m.metrics["refusal_correct"] == 1.0  # not refused, and answerable


def test_no_context(hash_verifier: OfflineVerifier) -> None:
    q = _question(sources=("hr/leave.md",), reference=LEAVE, must_include=("25 days",))
    m = score_answer(q, make_answer("You get 25 days of leave."), hash_verifier).metrics
    assert m["hit@5"] == 0.0 and m["mrr"] == 0.0
    assert m["faithfulness"] == 0.0
    assert m["context_precision"] is None
    assert m["context_recall"] == 0.0
    assert m["must_include"] == 1.0


def test_refusals_and_leakage(hash_verifier: OfflineVerifier) -> None:
    secret = passage(1, "finance/plan.md", "We plan to acquire Routewise for £12M.")
    unanswerable = _question(answerable=False, forbidden=("Routewise",))
    refused = score_answer(
        unanswerable, make_answer("I could not find this.", refused=True), hash_verifier
    ).metrics
    assert refused["refusal_correct"] == 1.0
    assert refused["forbidden_leakage"] == 0.0 and refused["context_leakage"] == 0.0
    assert refused["faithfulness"] is None and refused["context_recall"] is None

    leaked = score_answer(
        unanswerable, make_answer("We will buy Routewise [1].", [secret]), hash_verifier
    )
    assert leaked.metrics["refusal_correct"] == 0.0
    assert leaked.metrics["forbidden_leakage"] == 1.0
    assert leaked.metrics["context_leakage"] == 1.0
    assert leaked.detail["leaked"]["answer"] == ["Routewise"]

    wrongly_refused = score_answer(
        _question(), make_answer("I could not find this.", refused=True), hash_verifier
    ).metrics
    assert wrongly_refused["refusal_correct"] == 0.0
