"""Borderless PDF tables are read row by row; prose in columns never becomes a table."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.parsing import Element, parse_file

_HOURS = (
    ("Office", "Weekdays", "Saturday", "Manager"),
    ("Bristol", "8:00 to 18:00", "closed", "Ann Lee"),
    ("Dublin", "9:00 to 17:30", "10:00 to 14:00", "Ravi Shah"),
    ("Leeds", "8:30 to 17:00", "closed", "Tom Bell"),
)
_BEFORE = "Every office keeps the hours below. Reception closes before the building does."
_AFTER = "Public holidays follow the local calendar of each office."
_PROSE = (
    "The facilities team empties the recycling containers every Friday and publishes "
    "the monthly figures on the intranet, so every office can see how much paper, glass "
    "and metal it sent for recycling and how that compares with the other offices."
)


def _pdf(path: Path, draw: object) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    draw(pdf)  # type: ignore[operator]
    pdf.output(str(path))
    return path


def _rows(pdf: object, rows: tuple[tuple[str, ...], ...], x: float, width: float) -> None:
    for row in rows:
        for i, cell in enumerate(row):
            pdf.set_x(x + width * i)  # type: ignore[attr-defined]
            pdf.cell(width, 6, cell)  # type: ignore[attr-defined]
        pdf.ln(6)  # type: ignore[attr-defined]


def _hours(pdf: object) -> None:
    pdf.multi_cell(0, 6, _BEFORE)  # type: ignore[attr-defined]
    pdf.ln(4)  # type: ignore[attr-defined]
    _rows(pdf, _HOURS, 10, 45)
    pdf.ln(4)  # type: ignore[attr-defined]
    pdf.multi_cell(0, 6, _AFTER)  # type: ignore[attr-defined]


def _two_columns(pdf: object, width: float) -> None:
    for x in (10, 10 + width + 10):
        pdf.set_xy(x, 60)  # type: ignore[attr-defined]
        pdf.multi_cell(width, 5, _PROSE)  # type: ignore[attr-defined]


def _table_beside_prose(pdf: object) -> None:
    pdf.set_xy(10, 60)  # type: ignore[attr-defined]
    pdf.multi_cell(90, 5, _PROSE)  # type: ignore[attr-defined]
    pdf.set_xy(110, 60)  # type: ignore[attr-defined]
    for row in _HOURS[:3]:
        for i, cell in enumerate(row[:3]):
            pdf.set_x(110 + 30 * i)  # type: ignore[attr-defined]
            pdf.cell(30, 5, cell)  # type: ignore[attr-defined]
        pdf.ln(5)  # type: ignore[attr-defined]


def _hanging_list(pdf: object) -> None:
    steps = ("Sign in at reception", "Wear your badge", "Leave by the front door")
    _rows(pdf, tuple((f"{n}.", step) for n, step in enumerate(steps, 1)), 10, 20)


def _table_above_footer(path: Path) -> Path:
    """Two pages, each a table whose last row sits just above a running footer."""
    from fpdf import FPDF

    class Handbook(FPDF):
        def footer(self) -> None:
            self.set_y(-16)
            self.cell(0, 6, "Quillfield handbook")
            self.cell(0, 6, f"Page {self.page_no()} of 2", align="R")

    pdf = Handbook()
    pdf.set_auto_page_break(False)
    pdf.set_font("Helvetica", size=11)
    for _ in range(2):
        pdf.add_page()
        pdf.set_y(40)
        pdf.multi_cell(0, 6, _BEFORE)
        pdf.set_y(283 - 6 * len(_HOURS) - 4)
        _rows(pdf, _HOURS, 10, 45)
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Element]]:
    root = tmp_path_factory.mktemp("aligned")
    drawings = {
        "hours": _hours,
        "wide-columns": lambda pdf: _two_columns(pdf, 90),
        "narrow-columns": lambda pdf: _two_columns(pdf, 45),
        "beside-prose": _table_beside_prose,
        "hanging-list": _hanging_list,
    }
    parsed = {
        name: parse_file(_pdf(root / f"{name}.pdf", draw))[0].elements
        for name, draw in drawings.items()
    }
    parsed["above-footer"] = parse_file(_table_above_footer(root / "footer.pdf"))[0].elements
    return parsed


def test_borderless_table_is_one_table_row_by_row(pdfs: dict[str, list[Element]]) -> None:
    elements = pdfs["hours"]
    assert [e.kind for e in elements] == ["text", "table", "text"]
    assert elements[0].text == _BEFORE and elements[2].text == _AFTER
    assert elements[1].rows == tuple(" | ".join(row) for row in _HOURS)


@pytest.mark.parametrize("name", ["wide-columns", "narrow-columns"])
def test_two_column_prose_is_no_table_and_reads_column_by_column(
    pdfs: dict[str, list[Element]], name: str
) -> None:
    elements = pdfs[name]
    assert {e.kind for e in elements} == {"text"}
    assert [e.text for e in elements] == [_PROSE, _PROSE]


def test_table_beside_a_prose_column_leaves_the_prose_alone(
    pdfs: dict[str, list[Element]],
) -> None:
    elements = pdfs["beside-prose"]
    assert [e.text for e in elements if e.kind == "text"] == [_PROSE]
    (table,) = [e for e in elements if e.kind == "table"]
    assert table.rows == tuple(" | ".join(row[:3]) for row in _HOURS[:3])


def test_numbered_list_with_hanging_indent_is_no_table(
    pdfs: dict[str, list[Element]],
) -> None:
    assert "table" not in {e.kind for e in pdfs["hanging-list"]}


def test_a_running_footer_under_a_table_is_not_its_last_row(
    pdfs: dict[str, list[Element]],
) -> None:
    elements = pdfs["above-footer"]
    tables = [e.rows for e in elements if e.kind == "table"]
    assert tables == [tuple(" | ".join(row) for row in _HOURS)] * 2
    texts = [e.text for e in elements if e.kind == "text"]
    assert texts == [_BEFORE, "Quillfield handbook", _BEFORE]  # once, page numbers dropped
