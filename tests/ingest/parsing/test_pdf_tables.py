"""Ruled PDF tables: rules drawn as paths count, a grid laying out prose is no table."""

from __future__ import annotations

from pathlib import Path

from ingest.parsing import parse_file

_ROWS = (("Office", "Desks"), ("Bristol", "140"), ("Dublin", "60"))
_PROSE = (
    "This module introduces the learner to the principles of product development and "
    "quality assurance, explores what kinds of products might be developed and tested, "
    "considers potential challenges and gives guidance on ensuring standards and "
    "efficiency throughout the development process, step by step, with worked examples. "
)


def _rule(pdf: object, a: tuple[float, float], b: tuple[float, float], path: bool) -> None:
    """A straight rule, as a line or as a three-point path (which pdfminer reports as a
    curve, as it does for some generators' tables)."""
    if path:
        middle = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
        pdf.polyline([a, middle, b])  # type: ignore[attr-defined]
    else:
        pdf.line(*a, *b)  # type: ignore[attr-defined]


def _grid(pdf: object, rows: int, widths: tuple[float, ...], height: float, path: bool) -> None:
    right, bottom = 20 + sum(widths), 80 + rows * height
    for r in range(rows + 1):
        _rule(pdf, (20, 80 + r * height), (right, 80 + r * height), path)
    x = 20.0
    for width in (0.0, *widths):
        x += width
        _rule(pdf, (x, 80), (x, bottom), path)


def _pdf(
    path: Path,
    cells: tuple[tuple[str, ...], ...],
    widths: tuple[float, ...],
    height: float,
    paths: bool = False,
) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.set_y(60)
    pdf.cell(0, 8, "Desks per office are counted every spring.", new_x="LMARGIN", new_y="NEXT")
    _grid(pdf, len(cells), widths, height, paths)
    for r, row in enumerate(cells):
        x = 20.0
        for width, cell in zip(widths, row, strict=True):
            pdf.set_xy(x + 1, 80 + r * height + 1)
            pdf.multi_cell(width - 2, 5, cell)
            x += width
    pdf.output(str(path))
    return path


def test_rules_drawn_as_paths_make_a_table(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "desks.pdf", _ROWS, (60, 40), 10, paths=True)
    elements = parse_file(path)[0].elements
    assert [e.kind for e in elements] == ["text", "table"]
    assert elements[1].rows == tuple(" | ".join(row) for row in _ROWS)


def test_a_grid_laying_out_long_prose_is_read_as_text(tmp_path: Path) -> None:
    path = _pdf(
        tmp_path / "modules.pdf", ((_PROSE, _PROSE), ("Part two", "Part three")), (85, 85), 60
    )
    kinds = [e.kind for e in parse_file(path)[0].elements]
    assert "table" not in kinds
