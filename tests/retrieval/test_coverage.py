"""The word a question turns on, met or not by the retrieved text (real MiniLM: the
check is about what the model's vectors say, so a hash embedder cannot test it)."""

from __future__ import annotations

import numpy as np
import pytest

from core.embeddings import Embedder
from retrieval.coverage import common_terms, unaddressed
from retrieval.extractive import extractive_answer
from retrieval.prompt import REFUSAL
from retrieval.text import terms
from retrieval.types import Passage
from retrieval.vectors import embed_texts

HOLIDAY = [
    "Everyone gets 25 days of holiday a year, plus bank holidays.",
    "Book holiday in the HR system at least two weeks ahead.",
    "Up to five unused days can be carried over into the next year.",
    "Part-time staff get a pro-rata share of the allowance.",
]
OFFICE = [
    "You can work from the office any day you like.",
    "Visitors must sign in at reception.",
    "Please keep the kitchen tidy.",
    "Desks are booked through the office app.",
]
EXPENSES = [
    "Expense claims must be submitted within 30 days of the purchase.",
    "Receipts are needed for every claim.",
    "Train travel is booked in standard class.",
]
HIRING = [
    "Acme hires through its careers page.",
    "Acme interviews every candidate twice, once with the team.",
    "Offers at Acme are made by the People team within a week.",
]


def _unmet(
    question: str, texts: list[str], embedder: Embedder, units: int | None = None
) -> str | None:
    vectors = embed_texts(embedder, texts)
    stacked = np.stack([vectors[t] for t in texts])
    return unaddressed(question, terms(question), embedder, texts, stacked, units)


@pytest.mark.parametrize(
    ("question", "texts", "word"),
    [
        ("Is there a day off for jury service?", HOLIDAY, "jury"),
        ("Can I take a day off for my graduation ceremony?", HOLIDAY, "graduation"),
        ("Is there a gym membership on offer for staff?", OFFICE, "gym"),
    ],
)
def test_a_subject_the_passages_never_speak_of_is_named(
    question: str, texts: list[str], word: str, minilm: Embedder
) -> None:
    assert _unmet(question, texts, minilm) == word


def test_the_organisations_own_words_are_common_to_the_documents_found() -> None:
    documents = [set(terms(text)) for text in HIRING]
    assert "acme" in common_terms(documents)
    assert common_terms(documents[:2]) == set()  # too few documents to tell


def test_a_name_every_document_holds_is_passed_over(minilm: Embedder) -> None:
    # The company's name moves the question most, and every document found says it;
    # the question turns on "visas", which none speaks of.
    passages = [
        Passage(f"c{i}", f"d{i}", text, "Hiring", "t", f"hiring-{i}.md", [], None, [], 1.0, n=i)
        for i, text in enumerate(HIRING, start=1)
    ]
    extract = extractive_answer("Does Acme sponsor work visas?", passages, minilm, bar=0)
    assert extract.refused and extract.unmet == "visas"


def test_a_close_word_counts_only_in_the_best_units(minilm: Embedder) -> None:
    # "holiday" says "vacation" in other words, but only where an answer would be: the
    # first ``units`` texts (the rest are passages, long and about many things).
    question = "How many days of vacation do I get each year?"
    assert _unmet(question, HOLIDAY, minilm, units=len(HOLIDAY)) is None
    assert _unmet(question, HOLIDAY, minilm, units=0) == "vacation"


@pytest.mark.parametrize(
    ("question", "texts"),
    [
        ("How many days of vacation do I get each year?", HOLIDAY),  # holiday, other words
        ("Will this eat into my vacation?", HOLIDAY),  # an idiom around the subject
        ("If I don't use all my time off, can I keep some for January?", HOLIDAY),
        ("What is actually the deadline for submitting expenses?", EXPENSES),  # a filler
        ("How long do I have to claim back money I spent?", EXPENSES),
    ],
)
def test_a_question_asked_in_other_words_is_met(
    question: str, texts: list[str], minilm: Embedder
) -> None:
    assert _unmet(question, texts, minilm) is None


def test_the_answerer_refuses_naming_the_word_and_still_shows_the_closest(
    minilm: Embedder,
) -> None:
    passage = Passage(
        "c1",
        "d1",
        "\n\n".join(HOLIDAY),
        "Holiday",
        "t",
        "holiday.md",
        ["Allowance"],
        None,
        [],
        1.0,
        n=1,
    )
    extract = extractive_answer("Is there a day off for jury service?", [passage], minilm, bar=0)
    assert extract.refused and extract.unmet == "jury"
    assert extract.text.startswith(f"{REFUSAL} None of the passages I found speaks of “jury”.")
    assert extract.closest and extract.closest[0].n == 1
    answered = extractive_answer(
        "How many days of vacation do I get each year?", [passage], minilm, bar=0
    )
    assert not answered.refused and "25 days" in answered.text
