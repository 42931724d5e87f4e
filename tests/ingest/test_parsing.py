"""Each format's parser on a generated file: element kinds, pages, titles, metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parsing import ParseError, parse_file


def _kinds(path: Path) -> dict[str, list[str]]:
    doc, _ = parse_file(path)
    out: dict[str, list[str]] = {}
    for e in doc.elements:
        out.setdefault(e.kind, []).append(e.text)
    return out


def test_markdown_front_matter(mixed_folder: Path) -> None:
    doc, parser = parse_file(mixed_folder / "hr" / "leave.md")
    assert parser == "markdown" and doc.title == "Leave policy"
    assert doc.groups == ["hr"] and doc.date is not None
    titles = [(e.text, e.level) for e in doc.elements if e.kind == "title"]
    assert ("Annual leave", 1) in titles


def test_office_formats(mixed_folder: Path) -> None:
    docx = _kinds(mixed_folder / "expenses.docx")
    assert "Travel" in docx["title"] and "Taxi fares after 21:00" in docx["list"]
    assert docx["table"] == ["Item | Limit\nMeal | 30 EUR\nHotel | 150 EUR"]
    pptx, _ = parse_file(mixed_folder / "review.pptx")
    assert {e.page for e in pptx.elements} == {1, 2}
    xlsx = _kinds(mixed_folder / "budget.xlsx")
    assert xlsx["table"][0].startswith("Team | Budget\nPlatform | 120000")
    csv = _kinds(mixed_folder / "holidays.csv")
    assert csv["table"][0].splitlines()[0] == "Date | Holiday"


def test_pdf_pages_and_headings(mixed_folder: Path) -> None:
    doc, _ = parse_file(mixed_folder / "handbook.pdf")
    assert [(e.kind, e.page) for e in doc.elements] == [
        ("title", 1),
        ("text", 1),
        ("title", 2),
        ("text", 2),
    ]


def test_email_html_and_text(mixed_folder: Path) -> None:
    eml, _ = parse_file(mixed_folder / "closure.eml")
    assert eml.title == "Office closure on Friday"
    html = _kinds(mixed_folder / "page.html")
    assert html["list"] == ["Encrypt the disk", "Lock the screen"]
    latin, _ = parse_file(mixed_folder / "latin1.txt")
    assert "crème brûlée" in latin.elements[0].text
    notes, _ = parse_file(mixed_folder / "notes.txt")
    assert notes.elements[0].kind == "title"


def test_utf16_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes("Hello in UTF-16.".encode("utf-16-le"))
    doc, _ = parse_file(path)
    assert doc.elements[0].text == "Hello in UTF-16."


def test_markdown_is_read_without_spacy_or_language_detection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import unstructured.nlp.tokenize as tokenize
    import unstructured.partition.common.lang as lang

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("language detection ran")

    monkeypatch.setattr(lang, "detect_languages", refused)
    path = tmp_path / "notes.md"
    path.write_text(
        "# Leave\n\nBook leave in Compass. Your manager approves it.\n\n"
        "Opening hours\n\n- Ask your manager first\n",
        encoding="utf-8",
    )
    tokenize._process_cached.cache_clear()
    kinds = _kinds(path)
    assert kinds["title"] == ["Leave"]
    assert kinds["text"] == ["Book leave in Compass. Your manager approves it.", "Opening hours"]
    assert kinds["list"] == ["Ask your manager first"]
    # prose or not is the same "text" to us: spaCy is not asked
    assert tokenize._process_cached.cache_info().currsize == 0


def test_spacy_gives_sentences_with_its_sentence_recogniser(mixed_folder: Path) -> None:
    import unstructured.nlp.tokenize as tokenize

    parse_file(mixed_folder / "expenses.docx")  # Word still asks spaCy about titles
    # the parser (70 % of the time) is left out; the model's senter gives the sentences
    assert "senter" in tokenize._get_nlp().pipe_names
    assert "parser" not in tokenize._get_nlp().pipe_names


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("a.txt", b"", "empty file"),
        ("b.txt", b"   \n\n ", "only whitespace"),
        ("c.md", b"\x00\x01\x02binary", "binary content"),
        ("d.pdf", b"not a pdf", "corrupt PDF"),
        ("e.pptx", b"nope", "could not parse as pptx"),
        ("f.xyz", b"old word", "unsupported file type .xyz"),
    ],
)
def test_bad_files_raise_clear_errors(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ParseError, match=reason):
        parse_file(tmp_path / name)


@pytest.fixture(scope="module")
def faithful(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.ingest.parse_fixtures import make_fixtures

    root = tmp_path_factory.mktemp("faithful")
    make_fixtures(root)
    return root


def test_docx_text_boxes_header_footer_and_footnotes(faithful: Path) -> None:
    texts = [e.text for e in parse_file(faithful / "travel-policy.docx")[0].elements]
    assert "Ask the travel desk before you book anything unusual" in texts  # a text box
    assert texts.count("Quillfield travel policy internal") == 1  # header, once
    assert "Owned by the finance operations team" in texts  # footer
    assert texts[-1] == "Long haul flights may be booked in premium economy"  # footnote
    strict = _kinds(faithful / "visitor-policy-strict.docx")
    assert strict["title"] == ["Visitor policy"] and len(strict["text"]) == 2


def test_xlsx_sheets_are_sections(faithful: Path) -> None:
    doc, _ = parse_file(faithful / "budgets.xlsx")
    assert [(e.text, e.page) for e in doc.elements if e.kind == "title"] == [
        ("Budget", 1),
        ("Headcount", 2),
    ]
    assert "Total | 200000" in next(e.text for e in doc.elements if e.kind == "table")


def test_pptx_notes_follow_their_slide(faithful: Path) -> None:
    doc, _ = parse_file(faithful / "quarterly-review.pptx")
    texts = [(e.kind, e.text, e.page) for e in doc.elements]
    assert texts[:3] == [
        ("title", "Quarterly review", 1),
        ("text", "Revenue grew in the north region", 1),
        ("text", "Mention the new distributor in Leeds", 1),
    ]
    assert any(k == "table" and "Platform | four" in t for k, t, _ in texts)


def test_pdf_running_header_once_page_numbers_dropped_hyphens_joined(faithful: Path) -> None:
    doc, _ = parse_file(faithful / "sustainability-report.pdf")
    texts = [e.text for e in doc.elements]
    assert texts.count("Quillfield sustainability report") == 1
    assert not any(t.startswith("Page ") for t in texts)
    assert [e.text for e in doc.elements if e.kind == "title"] == [
        f"Chapter {n} waste and energy" for n in (1, 2, 3)
    ]
    body = " ".join(texts)
    assert "environmental targets" in body and "kilowatt hours" in body
    first = [e.text for e in doc.elements if e.page == 1 and e.kind == "text"]
    left, right = (next(i for i, t in enumerate(first) if t.startswith(s)) for s in ("Our", "The"))
    assert left < right  # two columns: the left one is read first, whole


def test_pdf_ruled_table_is_one_table_row_by_row(faithful: Path) -> None:
    elements = parse_file(faithful / "travel-rates.pdf")[0].elements
    assert [e.kind for e in elements] == ["title", "text", "table", "text"]
    table = elements[2]
    assert table.rows == (
        "City | Hotel cap | Meals per day",
        "London | GBP 180 | GBP 45",
        "Manchester | GBP 120 | GBP 35",
        "Dublin | EUR 170 | EUR 50",
    )
    assert table.page == 1 and elements[3].text.startswith("Receipts")


def test_pdf_pages_pdfminer_garbles_are_read_by_pdfium(faithful: Path) -> None:
    texts = [e.text for e in parse_file(faithful / "rotated-note.pdf")[0].elements]
    assert any("Sideways margin note about archived invoices" in t for t in texts)
    assert not any(len(t) == 1 for t in texts)  # not one letter per line
