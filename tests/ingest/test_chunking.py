"""Chunking: sections, sizes, whole tables and lists, the embedder window."""

from __future__ import annotations

from core.tokens import count_tokens
from ingest.chunking import Limits, chunk_document
from ingest.parsing import Element, ParsedDocument


def _words(text: str) -> int:
    return len(text.split())


def _limits(target: int = 40, window: int | None = None) -> Limits:
    return Limits(target, count_tokens, _words if window else None, window)


def test_sections_and_prefix() -> None:
    doc = ParsedDocument(
        [
            Element("title", "Handbook", level=0),
            Element("title", "Leave", level=1),
            Element("text", "Take 28 days."),
            Element("title", "Sick", level=2),
            Element("text", "Call in."),
            Element("title", "Pay", level=1),
            Element("text", "Paid monthly."),
        ],
        title="Handbook",
    )
    chunks = chunk_document(doc, _limits())
    assert [c.section for c in chunks] == [("Leave",), ("Leave", "Sick"), ("Pay",)]
    assert chunks[1].embed_text == "Handbook › Leave › Sick\n\nCall in."
    assert chunks[1].text == "Call in."


def test_long_text_splits_between_sentences() -> None:
    text = " ".join(f"Sentence number {i} is here." for i in range(40))
    chunks = chunk_document(ParsedDocument([Element("text", text)], title="T"), _limits(40))
    assert len(chunks) > 1
    assert all(c.text.endswith(".") and c.token_count <= 40 for c in chunks)
    assert " ".join(c.text for c in chunks) == text


def test_list_stays_with_its_lead_in() -> None:
    doc = ParsedDocument(
        [
            Element("text", "Bring the following:"),
            Element("list", "Passport"),
            Element("list", "Laptop"),
        ],
        title="T",
    )
    (chunk,) = chunk_document(doc, _limits())
    assert chunk.text == "Bring the following:\n- Passport\n- Laptop"


def test_tables_whole_when_they_fit_else_rows_with_header() -> None:
    rows = ("Team | Budget", *(f"Team {i} | {i * 1000}" for i in range(30)))
    doc = ParsedDocument([Element("table", "\n".join(rows), rows=rows)], title="T")
    whole = chunk_document(doc, _limits(target=20, window=1000))
    assert len(whole) == 1  # over the size target, but fits the window: stays whole
    split = chunk_document(doc, _limits(target=40, window=60))
    assert len(split) > 1
    assert all(c.text.startswith("Team | Budget\n") for c in split)
    assert all(_words(c.embed_text) <= 60 for c in split)


def test_window_is_respected_even_for_one_huge_sentence() -> None:
    text = "word " * 500
    chunks = chunk_document(
        ParsedDocument([Element("text", text)], title="A long title"), _limits(400, window=50)
    )
    assert all(_words(c.embed_text) <= 50 for c in chunks)
    assert sum(_words(c.text) for c in chunks) == 500


def test_pages_are_not_mixed() -> None:
    doc = ParsedDocument([Element("text", "One.", page=1), Element("text", "Two.", page=2)])
    assert [c.page for c in chunk_document(doc, _limits())] == [1, 2]


def test_wordpiece_windows_are_summed_exactly_from_pieces() -> None:
    """The window is counted once per piece and summed: exact for MiniLM's wordpieces,
    whose tokenizer splits on whitespace first (accents, CJK, URLs, runs of punctuation)."""
    from core.embeddings.local import LocalEmbedder

    counter = LocalEmbedder().input_token_counter()
    pieces = [
        "Café crème: 25 days (pro-rata).",
        "東京 office hours are 9–5.",
        "See https://intranet.example.com/hr?id=42&x=y#leave now!!!",
        "supercalifragilisticexpialidocious" * 4,
        "- a list item\n- another",
    ]
    limits = Limits(10_000, count_tokens, counter, 256)
    for joiner in (" ", "\n", "\n\n"):
        doc = ParsedDocument([Element("text", joiner.join(pieces))], title="Handbook › Leave")
        (chunk,) = chunk_document(doc, limits)
        assert counter(chunk.embed_text) <= 256
    long_text = " ".join(pieces * 12)
    doc = ParsedDocument([Element("text", long_text)], title="Handbook")
    chunks = chunk_document(doc, Limits(10_000, count_tokens, counter, 64))
    assert len(chunks) > 1 and all(counter(c.embed_text) <= 64 for c in chunks)
