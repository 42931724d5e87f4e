"""Sentences and terms, the text tools the answer path shares."""

from __future__ import annotations

from retrieval.text import sentences, table_cells, terms


def test_table_rows_stand_alone_and_are_never_cut_into_sentences() -> None:
    text = "Rates are below.\nCity | Note\nDublin | Rate no. 3. Applies to all\nSee the policy."
    assert sentences(text) == [
        "Rates are below.",
        "City | Note",
        "Dublin | Rate no. 3. Applies to all",
        "See the policy.",
    ]


def test_table_cells_of_ingest_rows_and_markdown_rows() -> None:
    assert table_cells("Dublin | 25 days | ") == ["Dublin", "25 days", ""]
    assert table_cells("| Dublin | 25 days |") == ["Dublin", "25 days"]
    assert table_cells("Either this|that") is None and table_cells("plain text") is None


def test_contractions_are_not_terms() -> None:
    assert terms("What's Quillfield's plan? I've been told it isn't ready") == [
        "quillfield",
        "plan",
        "told",
        "ready",
    ]


def test_filler_adverbs_are_not_terms() -> None:
    # Rare in documents, so a chance match would weigh heavily ("It would be impossible
    # to list everything…" for "Who would I even take it to?").
    assert terms("Who would I even take it to?") == ["take"]
    assert terms("Who actually decides, exactly?") == ["decide"]
