"""Extractive answers on the sample corpus with the real embedder (data/evals/sample.jsonl).

Aggregate bars, not per-question ones: the eval set grows, and the extractive answerer
is calibrated on it without being fitted to each question.
"""

from __future__ import annotations

import json
import re

import pytest

from core.services import Services
from retrieval import answer
from retrieval.types import Answer, Done, Turn, User
from tests.conftest import SAMPLE_EVALS

pytestmark = pytest.mark.slow


@pytest.fixture
def sample(sample_copy: Services) -> Services:
    """The ingested sample corpus, a copy: answering caches question vectors."""
    return sample_copy


def _rows(*kinds: str) -> list[dict]:
    rows = [json.loads(line) for line in SAMPLE_EVALS.read_text().splitlines() if line.strip()]
    return [r for r in rows if r["kind"] in kinds]


def _answer(services: Services, row: dict) -> Answer:
    user = User("eval", groups=tuple(row.get("user_groups") or ["all"]))
    history = [Turn(t["role"], t["content"]) for t in row.get("history") or []]
    events = list(answer(row["question"], user, history, services=services, record=False))
    assert isinstance(events[-1], Done)
    return events[-1].answer


def test_facts_are_answered_and_unknowns_refused(sample: Services) -> None:
    answered, refused, found = [], [], []
    for row in _rows("fact", "unanswerable"):
        result = _answer(sample, row)
        assert result.mode == "extractive"
        if row["answerable"]:
            answered.append(not result.refused)
            wanted = row.get("must_include") or []
            found.append(all(w.lower() in result.text.lower() for w in wanted))
        else:
            refused.append(result.refused)
    # measured: 1.0 answered, 0.94 with every phrase, 0.24 refused. CONFIDENCE_BAR is set
    # to refuse at most one answerable question in ten on a real handbook; on this set
    # that refuses few of the near-topic unknowns (docs/evals.md has the trade).
    assert sum(answered) / len(answered) >= 0.9
    assert sum(found) / len(found) >= 0.75
    assert sum(refused) / len(refused) >= 0.15


def test_a_table_answer_quotes_the_row_with_its_header(sample: Services) -> None:
    row = {"question": "How many days of annual leave do I get in Krakow?"}
    result = _answer(sample, row)
    assert "Office: Kraków; Base allowance: 26 days" in result.text
    assert not re.search(r":\s*\[\d+\]", result.text)  # no lead-in quoted on its own


def test_restricted_facts_never_reach_outsiders(sample: Services) -> None:
    for row in _rows("restricted"):
        result = _answer(sample, row)
        for secret in row.get("forbidden") or []:
            assert secret not in result.text, row["id"]
            assert all(secret not in p.text for p in result.passages), row["id"]
