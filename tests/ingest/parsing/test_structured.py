"""Formats unstructured partitions, where its reading needs help."""

from __future__ import annotations

from pathlib import Path

from ingest.parsing import parse_file


def test_csv_with_ragged_rows_is_one_table(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_text("Name, Room\nAnn Lee, 204\nReception\nRavi Shah, 310, mornings only\n")
    (table,) = parse_file(path)[0].elements
    assert table.kind == "table"
    assert table.rows == (
        "Name | Room",
        "Ann Lee | 204",
        "Reception",
        "Ravi Shah | 310 | mornings only",
    )


def test_html_layout_table_is_text_with_its_line_breaks_as_spaces(tmp_path: Path) -> None:
    """Old intranet pages lay a whole essay out in one table cell beside empty ones."""
    path = tmp_path / "essay.html"
    path.write_text(
        "<html><body><table><tr><td></td><td><img src='x.gif'></td><td>"
        "Good ideas come from noticing what<br>seems strange, or missing, or broken."
        "</td></tr></table></body></html>",
        encoding="utf-8",
    )
    elements = parse_file(path)[0].elements
    assert [(e.kind, e.text) for e in elements] == [
        ("text", "Good ideas come from noticing what seems strange, or missing, or broken.")
    ]


def test_columns_empty_in_every_row_are_left_out(tmp_path: Path) -> None:
    path = tmp_path / "rates.html"
    rows = [("City", "", "Rate"), ("Leeds", "", "45"), ("York", "", "40")]
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    path.write_text(f"<html><body><table>{body}</table></body></html>", encoding="utf-8")
    (table,) = parse_file(path)[0].elements
    assert table.rows == ("City | Rate", "Leeds | 45", "York | 40")


def test_a_sheet_titled_with_its_own_name_has_one_heading(tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Stanley Cups"
    for row in (("Stanley Cups",), ("Team", "Cups"), ("Blues", 1), ("Flyers", 2)):
        sheet.append(row)
    path = tmp_path / "cups.xlsx"
    book.save(path)
    titles = [e.text for e in parse_file(path)[0].elements if e.kind == "title"]
    assert titles == ["Stanley Cups"]
