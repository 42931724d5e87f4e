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
