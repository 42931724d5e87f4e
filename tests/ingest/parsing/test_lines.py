"""Laid-out boxes (PDF text layer, OCR) to elements: list items as a reader sees them."""

from __future__ import annotations

from ingest.parsing.lines import Box, elements_from_boxes


def _elements(*texts: str) -> list[tuple[str, str]]:
    boxes: list[Box] = [(1, text, 10.0) for text in texts]
    return [(e.kind, e.text) for e in elements_from_boxes(boxes)]


def test_round_bullets_are_list_items_and_two_in_one_box_are_two() -> None:
    assert _elements("● What are product types? ● Who is involved?", "Plain text.") == [
        ("list", "● What are product types?"),
        ("list", "● Who is involved?"),
        ("text", "Plain text."),
    ]


def test_wrapped_rest_of_an_item_joins_it_and_a_new_sentence_does_not() -> None:
    assert _elements(
        "● The importance and benefits of",
        "product development and quality assur-",
        "ance",
        "● Which products are tested.",
        "then more text that starts in lowercase",
    ) == [
        ("list", "● The importance and benefits of product development and quality assurance"),
        ("list", "● Which products are tested."),
        ("text", "then more text that starts in lowercase"),
    ]


def test_a_hyphen_inside_a_sentence_is_not_a_bullet() -> None:
    assert _elements("Costs - as agreed - are paid monthly.") == [
        ("text", "Costs - as agreed - are paid monthly.")
    ]
