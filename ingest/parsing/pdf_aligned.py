"""Tables drawn without rules: short text in aligned columns, read as rows.

A borderless table (a price list, opening hours, a form's answers) has no lines for
pdfplumber to follow, and pdfminer makes each of its cells a text box of its own, read
column by column: "Office, Bristol, Dublin, Weekdays, 8:00 to 18:00…". Here such a run
of lines is found from the text alone: three or more consecutive rows, each split by
wide gaps into cells, the gaps falling at the same places in every row (an empty band
down the page between the columns).

Prose must never become a table, so the test is conservative. Two-column prose has
aligned rows and a gap down the page too, but its lines are long, carry sentences on
(lowercase starts) or fill the column's width: such a column is left out and the rest
tried again (a table beside the other column of a paper stays a table, the prose stays
prose), and the cells of a table must be short (``_MAX_MEDIAN_CELL`` characters at the
median). A column of only bullets or list numbers does not count, so a hanging-indent
list stays a list. A row of one cell (a wrapped cell, a paragraph) ends the run. A first
or last row in the page's top or bottom band joins only if its cells line up with the
columns: a table's header at the top of a page does, a running footer does not.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from pdfminer.layout import LTComponent, LTPage, LTTextContainer, LTTextLineHorizontal

from ingest.parsing.pdf_tables import Table

_MIN_ROWS = 3
_MIN_COLUMNS = 2
_MAX_MEDIAN_CELL = 40
"""Characters of a table's median non-empty cell."""
_PROSE_CELL = 60
_MIN_PROSE_CELL = 12
_PROSE_LOWER = 0.3
_JUSTIFIED_CELL = 25
_FULL = 0.9
_JUSTIFIED_SHARE = 0.6
"""A column is running text if its median line is longer than ``_PROSE_CELL``
characters; or at least ``_MIN_PROSE_CELL`` with ``_PROSE_LOWER`` of its lines starting
lowercase; or at least ``_JUSTIFIED_CELL`` with ``_JUSTIFIED_SHARE`` of its lines
filling ``_FULL`` of the column's width."""
_MIN_FILLED = 0.5
"""Share of a table's rows each column must fill (a stray word is not a column)."""
_ROW_GAP = 2.2
"""Rows of one table are at most this many line heights apart (baseline to baseline)."""
_ALIGN = 2.0
"""Points within which cells of a column share an edge or a middle."""
_MARKER = re.compile(r"^\W*(?:(?:\d{1,3}|[a-z]|[ivx]{1,4})[.)])?\W*$", re.IGNORECASE)
"""A cell that is only a bullet or a list number ("•", "3.", "b)", "(iv)"); a bare
number is a value ("Rooms: 3")."""


@dataclass(frozen=True)
class _Line:
    """One line of a text box: the pieces pdfminer cut it into at wide gaps, rejoined."""

    x0: float
    y0: float
    x1: float
    y1: float
    text: str

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    def get_text(self) -> str:
        return self.text


_Row = TypeVar("_Row", LTTextLineHorizontal, _Line)
_Margin = Callable[[LTPage, Any], bool]
"""Whether a line (anything with ``y0`` and ``y1``) lies in the page's top or bottom band."""
_Edge = Callable[[list[_Line]], bool]


def _lines(page: LTPage, keep: Callable[[LTComponent], bool]) -> list[_Line]:
    out = []
    for box in page:
        if not isinstance(box, LTTextContainer):
            continue
        pieces = [li for li in box if isinstance(li, LTTextLineHorizontal) and keep(li)]
        for row in rows_of([li for li in pieces if li.get_text().strip()]):
            text = " ".join(" ".join(li.get_text().split()) for li in row)
            x0, x1 = min(li.x0 for li in row), max(li.x1 for li in row)
            out.append(_Line(x0, min(li.y0 for li in row), x1, max(li.y1 for li in row), text))
    return out


def rows_of(lines: Iterable[_Row]) -> list[list[_Row]]:
    """Lines grouped into rows by their vertical middle, top to bottom, each left to right
    (lines side by side: lines that overlap across, as slanted text does, are not a row).

    Also the reading order inside one text box: pdfminer cuts a justified line of a
    narrow column into pieces at its wide word gaps and may list them right to left."""
    rows: list[list[_Row]] = []
    for line in sorted(lines, key=lambda li: -(li.y0 + li.y1) / 2):
        middle = (line.y0 + line.y1) / 2
        if rows:
            last = rows[-1][0]
            level = abs((last.y0 + last.y1) / 2 - middle) <= 0.4 * min(last.height, line.height)
            if level and not any(li.x0 < line.x1 and line.x0 < li.x1 for li in rows[-1]):
                rows[-1].append(line)
                continue
        rows.append([line])
    return [sorted(row, key=lambda li: li.x0) for row in rows]


def _columns(rows: list[list[_Line]]) -> list[tuple[float, float]]:
    """The x-ranges the rows' cells cover, merged where they overlap: the gaps left
    between them run down the whole run of rows."""
    spans = sorted((li.x0, li.x1) for row in rows for li in row)
    merged: list[tuple[float, float]] = []
    for x0, x1 in spans:
        if merged and x0 <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], x1))
        else:
            merged.append((x0, x1))
    return merged


def _cells(rows: list[list[_Line]], columns: list[tuple[float, float]]) -> list[list[str]]:
    out = []
    for row in rows:
        cells = [""] * len(columns)
        for line in row:
            i = next(i for i, (x0, x1) in enumerate(columns) if x0 <= line.x0 <= x1)
            text = " ".join(line.get_text().split())
            cells[i] = f"{cells[i]} {text}".strip()
        out.append(cells)
    return out


def _is_prose(rows: list[list[_Line]], column: tuple[float, float]) -> bool:
    """Lines of running text: long, mostly carrying a sentence on from the line above (a
    lowercase start), or long and filling the column's width (justified), as a column of
    a two-column page does and a table's cells rarely do."""
    lines = [li for row in rows for li in row if column[0] <= li.x0 <= column[1]]
    texts = [" ".join(li.get_text().split()) for li in lines]
    median = statistics.median(len(t) for t in texts)
    lowered = sum(t[0].islower() for t in texts) / len(texts)
    full = sum(li.width >= _FULL * (column[1] - column[0]) for li in lines) / len(lines)
    return (
        median > _PROSE_CELL
        or (median >= _MIN_PROSE_CELL and lowered >= _PROSE_LOWER)
        or (median >= _JUSTIFIED_CELL and full >= _JUSTIFIED_SHARE)
    )


def _lined_up(rows: list[list[_Line]], r: int) -> bool:
    """Whether every cell of row ``r`` falls in one column of the other rows and shares
    its left edge, right edge or middle with most of that column's cells."""
    rest = rows[:r] + rows[r + 1 :]
    columns = _columns(rest)
    for line in rows[r]:
        touched = [(a, b) for a, b in columns if a < line.x1 and line.x0 < b]
        if len(touched) != 1:
            return False
        x0, x1 = touched[0]
        others = [li for row in rest for li in row if x0 <= li.x0 <= x1]
        edges = (lambda li: li.x0, lambda li: li.x1, lambda li: li.x0 + li.x1)
        if not any(
            sum(abs(edge(o) - edge(line)) <= _ALIGN for o in others) >= len(others) / 2
            for edge in edges
        ):
            return False
    return True


def _as_table(page: LTPage, rows: list[list[_Line]], edge: _Edge) -> Table | None:
    """``rows`` as a table, or None if they do not look like one. Columns of prose beside
    it (the other column of a two-column page) are left out and the rest tried again; so
    is a first or last row in the page's margin (``edge``) whose cells do not line up
    with the columns: a running header or footer, not the table's header."""
    if len(rows) < _MIN_ROWS:
        return None
    for end in (0, len(rows) - 1):
        if edge(rows[end]) and not _lined_up(rows, end):
            return _as_table(page, rows[1:] if end == 0 else rows[:-1], edge)
    columns = _columns(rows)
    if len(columns) < _MIN_COLUMNS:
        return None
    cells = _cells(rows, columns)
    prose = [x for x in columns if _is_prose(rows, x)]
    if prose:
        kept = [li for row in rows for li in row if not any(a <= li.x0 <= b for a, b in prose)]
        return _as_table(page, rows_of(kept), edge) if len(prose) < len(columns) else None
    if any(sum(bool(c) for c in row) < _MIN_COLUMNS for row in cells):
        return None
    filled = [sum(bool(row[i]) for row in cells) for i in range(len(columns))]
    if min(filled) < _MIN_FILLED * len(rows):
        return None
    real = [i for i in range(len(columns)) if not all(_MARKER.match(r[i]) for r in cells)]
    lengths = [len(c) for row in cells for c in row if c]
    if len(real) < _MIN_COLUMNS or statistics.median(lengths) > _MAX_MEDIAN_CELL:
        return None
    lines = [li for row in rows for li in row]
    return Table(
        x0=min(li.x0 for li in lines),
        top=page.height - max(li.y1 for li in lines),
        x1=max(li.x1 for li in lines),
        bottom=page.height - min(li.y0 for li in lines),
        rows=tuple(tuple(row) for row in cells),
    )


def aligned_tables(page: LTPage, ruled: list[Table], margin: _Margin) -> list[Table]:
    """The borderless tables of ``page``, top to bottom, outside its ruled tables;
    ``margin`` says whether a line lies in the page's top or bottom band."""
    lines = _lines(page, lambda li: not any(t.holds(page, li) for t in ruled))

    def edge(row: list[_Line]) -> bool:
        return any(margin(page, li) for li in row)

    found: list[Table] = []
    run: list[list[_Line]] = []
    for row in [*rows_of(lines), []]:
        height = statistics.median(li.height for li in row) if row else 0.0
        close = run and row and run[-1][0].y0 - row[0].y0 <= _ROW_GAP * height
        if len(row) >= _MIN_COLUMNS and (not run or close):
            run.append(row)
            continue
        if run and (table := _as_table(page, run, edge)):
            found.append(table)
        run = [row] if len(row) >= _MIN_COLUMNS else []
    return found
