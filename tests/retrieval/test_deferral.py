"""A value the documents only say where to find: refused, with the pointer quoted."""

from __future__ import annotations

import pytest

from core.embeddings import Embedder
from retrieval.deferral import defers
from retrieval.extractive import extractive_answer
from retrieval.prompt import REFUSAL
from retrieval.types import Passage

OFFSITES = [
    "Each team can hold two offsites a year, in the UK or abroad.",
    "Budget guidelines for offsites are kept on the finance page.",
    "Book travel for an offsite through the travel desk.",
    "Offsites should be planned with your manager well ahead.",
]


@pytest.mark.parametrize(
    "sentence",
    [
        "The current mileage rates can be found on the finance wiki.",
        "Your notice period is set out in your employment contract.",
        "The overtime rates are listed in the pay policy.",
        "We always include a pay range in the advert.",
        "Here's a guide to what we can fund for your home desk.",
    ],
)
def test_sentences_that_point_elsewhere_defer(sentence: str) -> None:
    assert defers(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Everyone gets 25 days of holiday a year.",
        "Claims are paid in the next payroll run.",
        "Your manager will find a cover for your shifts.",
        "The budget is £500 per person for each offsite.",
    ],
)
def test_sentences_that_give_the_value_do_not(sentence: str) -> None:
    assert not defers(sentence)


def _passage() -> Passage:
    return Passage(
        "c1", "d1", "\n\n".join(OFFSITES), "Offsites", "t", "offsites.md", [], None, [], 1.0, n=1
    )


def test_a_value_kept_elsewhere_is_refused_and_the_pointer_quoted(minilm: Embedder) -> None:
    extract = extractive_answer(
        "What's the budget per person for a team offsite?", [_passage()], minilm, bar=0
    )
    assert extract.refused
    assert extract.text.startswith(
        f"{REFUSAL} They say where it is kept: “Budget guidelines for offsites are kept on"
    )
    assert extract.closest[0].sentence == OFFSITES[1]


def test_a_value_the_passage_gives_is_answered(minilm: Embedder) -> None:
    extract = extractive_answer(
        "How many offsites can my team have each year?", [_passage()], minilm, bar=0
    )
    assert not extract.refused and "two offsites a year" in extract.text
