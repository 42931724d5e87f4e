"""DOCX packages repaired before unstructured reads them."""

from __future__ import annotations

from pathlib import Path

from ingest.parsing import parse_file
from tests.ingest.parse_fixtures import _rewrite_zip

_RESTART = '<w:tcPr><w:vMerge w:val="restart"/></w:tcPr>'
_CONTINUE = "<w:tcPr><w:vMerge/></w:tcPr>"


def test_short_row_beside_a_merged_cell_keeps_the_rest_of_the_table(tmp_path: Path) -> None:
    """Row two lacks the cell under a vertical merge, as some generators write it:
    unstructured used to drop the rows after it ("Leeds")."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=4, cols=2)
    for r, (a, b) in enumerate(
        [("Office", "Region"), ("London", "South"), ("Manchester", ""), ("Leeds", "")]
    ):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    path = tmp_path / "offices.docx"
    document.save(path)

    def edit(name: str, data: bytes) -> bytes:
        if name != "word/document.xml":
            return data
        text = data.decode()
        rows = text.split("<w:tr>")  # [before, header, London, Manchester, Leeds]
        london, manchester, leeds = rows[2], rows[3], rows[4]
        rows[2] = london.replace("<w:tc>", "<w:tc>" + _RESTART, 2).replace(_RESTART, "", 1)
        rows[3] = manchester[: manchester.rindex("<w:tc>")] + "</w:tr>"
        rows[4] = leeds[: leeds.rindex("<w:tc>")] + "<w:tc>" + _CONTINUE + "<w:p/></w:tc></w:tr>"
        rows[4] += leeds[leeds.index("</w:tr>") + len("</w:tr>") :]
        return "<w:tr>".join(rows).encode()

    _rewrite_zip(path, edit, {})
    (element,) = [e for e in parse_file(path)[0].elements if e.kind == "table"]
    assert "Manchester" in element.text and "Leeds" in element.text
    assert element.rows[0] == "Office | Region"
