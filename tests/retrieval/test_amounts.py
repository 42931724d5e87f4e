"""An amount of money asked for that the documents speak of but never state: refused."""

from __future__ import annotations

import pytest

from core.embeddings import Embedder
from retrieval.amounts import states_amount, wants_amount
from retrieval.extractive import extractive_answer
from retrieval.prompt import REFUSAL
from retrieval.types import Passage

EQUIPMENT = [
    "Everyone gets a laptop and a desk budget when they join.",
    "Order your laptop through the IT desk in your first week.",
    "Keep receipts for anything you buy for your desk for 12 months.",
    "Ask your manager before buying a second monitor.",
]


@pytest.mark.parametrize(
    "ask",
    [
        "How much is the desk budget?",
        "What's the daily allowance for meals abroad?",
        "What salary does a senior tester earn?",
        "How much does the parking permit cost?",
        "What is the mileage rate for a motorbike?",
    ],
)
def test_asks_for_money_want_an_amount(ask: str) -> None:
    assert wants_amount(ask)


@pytest.mark.parametrize(
    "ask",
    [
        "How many weeks of full pay do I get?",
        "How many days of holiday can I carry over?",
        "How many expense forms do I need for one trip?",
        "What's the API rate limit per customer?",
    ],
)
def test_asks_for_counts_do_not(ask: str) -> None:
    assert not wants_amount(ask)


@pytest.mark.parametrize(
    ("unit", "item"),
    [
        ("The allowance is £35 a day.", False),
        ("We match contributions up to 6%.", False),
        ("Parking costs 80p an hour.", False),
        ("Bus passes are free for everyone.", False),
        ("Level: T3; Title: Senior Tester; Leeds (GBP): 48,000 – 56,000", True),
        ("Vehicle: Motorbike; Rate: 0.24; Unit: EUR per km", True),
    ],
)
def test_amounts_are_recognised(unit: str, item: bool) -> None:
    assert states_amount(unit, item=item)


@pytest.mark.parametrize(
    ("unit", "item"),
    [
        ("We provide a laptop and desk budget from day 1.", False),
        ("Salaries are reviewed every 12 months.", False),
        ("Step 2: send the form to your manager", True),
    ],
)
def test_other_numbers_are_not_amounts(unit: str, item: bool) -> None:
    assert not states_amount(unit, item=item)


def _passage(lines: list[str]) -> Passage:
    text = "\n\n".join(lines)
    return Passage("c1", "d1", text, "Equipment", "t", "equipment.md", [], None, [], 1.0, n=1)


def test_an_amount_spoken_of_but_not_given_is_refused(minilm: Embedder) -> None:
    extract = extractive_answer(
        "How much is the desk budget?", [_passage(EQUIPMENT)], minilm, bar=0
    )
    assert extract.refused
    assert extract.text.startswith(f"{REFUSAL} The passages I found speak of it but give no amount")
    assert extract.closest


def test_an_amount_given_is_answered(minilm: Embedder) -> None:
    lines = [*EQUIPMENT[:1], "The desk budget is £400, spent in your first three months."]
    extract = extractive_answer("How much is the desk budget?", [_passage(lines)], minilm, bar=0)
    assert not extract.refused and "£400" in extract.text
