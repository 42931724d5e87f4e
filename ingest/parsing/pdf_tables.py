"""Ruled tables in a PDF, read as rows (pdfplumber), so a table stays a table.

pdfminer reads a table's cells as separate text boxes, usually column by column: "City,
London, Manchester, Hotel cap, GBP 180…", which no reader (and no answer) can use. A
table drawn with ruling lines is found by pdfplumber from those lines, and the PDF
parser puts the whole table where its first cell was, row by row (the header first),
instead of its loose boxes.

Only pages that draw a grid of straight rules are looked at (most pages of a text PDF
draw none; charts draw curves), so a long report pays for this on its tables' pages,
not on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from pdfminer.layout import LTComponent, LTCurve, LTPage, LTRect

if TYPE_CHECKING:
    from pdfplumber.pdf import PDF

_MIN_RULES = 3
"""Straight rules a page must draw across and down (each) before it is searched for
tables: a grid needs both. A path drawn as a curve counts if it is straight (some
generators draw every rule so); bends (charts, drawings) do not."""
_THIN = 2.0
"""A rectangle at most this thick (points) is a rule; a thicker one draws four."""
_MIN_FILLED = 0.5
"""Share of non-empty cells a table needs (a box of rules around one paragraph is not one)."""
_MAX_CELL = 300
"""Characters in a cell beyond which the grid lays out a page (two columns of modules,
each paragraphs and bullets), not a table: its text boxes are read as text instead."""


@dataclass(frozen=True)
class Table:
    """A table's place on its page (PDF points from the top-left) and its rows."""

    x0: float
    top: float
    x1: float
    bottom: float
    rows: tuple[tuple[str, ...], ...]

    def holds(self, page: LTPage, box: LTComponent) -> bool:
        """Whether pdfminer's ``box`` (points from the bottom-left) lies in the table."""
        x = (box.x0 + box.x1) / 2
        y = page.height - (box.y0 + box.y1) / 2
        return self.x0 <= x <= self.x1 and self.top <= y <= self.bottom

    @property
    def text(self) -> str:
        """One line per row, cells joined by " | ", the header first: the form every
        parser gives a table's rows (``Element.rows``), and a text box never has (its
        lines are joined), so ``lines.elements_from_boxes`` knows it for a table."""
        return "\n".join(" | ".join(c.replace("|", "/") for c in row) for row in self.rows)


def draws_rules(page: LTPage) -> bool:
    """Whether ``page`` draws straight rules both across and down, as a ruled table does
    (pdfplumber's search re-reads the page, so pages without a grid are not searched)."""
    across = down = 0
    for item in page:
        if not isinstance(item, LTCurve):  # lines and rectangles are curves too
            continue
        flat, tall = item.height <= _THIN, item.width <= _THIN
        if isinstance(item, LTRect) and not (flat or tall):
            across, down = across + 2, down + 2
        else:
            across, down = across + (flat and not tall), down + (tall and not flat)
    return across >= _MIN_RULES and down >= _MIN_RULES


class TableFinder:
    """Tables of one PDF, page by page; the file is opened by pdfplumber only if asked."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._pdf: PDF | None = None

    def tables(self, number: int, page: LTPage) -> list[Table]:
        """The ruled tables of ``page`` (number ``number``, 1-based), top to bottom; none
        when it draws no rules, or when pdfplumber cannot read it (tables are a better
        reading of text pdfminer has, never a new reason for a file to fail)."""
        if not draws_rules(page):
            return []
        try:
            return self._find(number)
        except Exception:  # noqa: BLE001 (pdfplumber gave up on this page: keep the boxes)
            return []

    def _find(self, number: int) -> list[Table]:
        import pdfplumber

        if self._pdf is None:
            self._pdf = pdfplumber.open(str(self.path))
        page = self._pdf.pages[number - 1]
        found = []
        for table in page.find_tables():
            rows = tuple(
                tuple(" ".join((cell or "").split()) for cell in row) for row in table.extract()
            )
            cells = [cell for row in rows for cell in row]
            wide = len(rows) >= 2 and max(len(row) for row in rows) >= 2
            prose = max(len(c) for c in cells) > _MAX_CELL
            if wide and not prose and sum(bool(c) for c in cells) >= _MIN_FILLED * len(cells):
                found.append(Table(*table.bbox, rows=rows))
        return sorted(found, key=lambda t: t.top)

    def close(self) -> None:
        if self._pdf is not None:
            self._pdf.close()
            self._pdf = None
