"""PDF through pdfminer.six: text boxes per page, headings told apart by font size.

unstructured's PDF path needs its ``[pdf]`` extra, which pulls torchvision and breaks
with the CPU torch here; its fast strategy is pdfminer underneath anyway. We read the
same text boxes, keep their page numbers, and call a short box a heading when its
font is clearly larger than the body text (see ``lines``). Vertical text (a sideways
arXiv stamp, a rotated table heading) is read as lines too, not one letter per line.

A page with (almost) no text layer whose area is mostly picture is a scan: that page
alone is rendered with PDFium and read by OCR, so a report with one scanned appendix
keeps its text layer everywhere else, and ordinary PDFs never pay for OCR.

PDFium's text layer (``pdfium_layer``) checks pdfminer page by page: where pdfminer
lost most of a page's words, or could not read the file at all, PDFium's text is used.

A table is read row by row, not cell by cell: drawn with ruling lines (``pdf_tables``)
or as short text in aligned columns (``pdf_aligned``).

Running headers and footers are kept once and page numbers dropped: repeated on every
page they would be the most frequent words of the document and crowd every chunk.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pdfminer.high_level import extract_pages
from pdfminer.layout import (
    LAParams,
    LTChar,
    LTComponent,
    LTContainer,
    LTImage,
    LTPage,
    LTTextContainer,
    LTTextLine,
    LTTextLineHorizontal,
)
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

from ingest.parsing import ocr, pdfium_layer
from ingest.parsing.base import ParsedDocument, ParseError, register
from ingest.parsing.lines import (
    HEADING_RATIO,
    Box,
    elements_from_boxes,
    join_lines,
    title_from_boxes,
)
from ingest.parsing.pdf_aligned import aligned_tables, rows_of
from ingest.parsing.pdf_tables import Table, TableFinder

_SCAN_MAX_CHARS = 24
"""A page with fewer text-layer characters than this may be a scan (a stamp, a page number)."""
_SCAN_MIN_IMAGE_AREA = 0.25
"""...if pictures cover at least this share of it; a page with no text at all needs only
``_TEXTLESS_MIN_IMAGE_AREA`` (a pasted screenshot of a table)."""
_TEXTLESS_MIN_IMAGE_AREA = 0.02
_MARGIN_BAND = 0.1
"""Running headers and footers sit in the top or bottom tenth of the page."""
_RUNNING_SHARE = 0.5
_DIGITS = re.compile(r"\d+")
_PAGE_NUMBER = re.compile(r"^\W*(?:page\s*)?#(?:\s*(?:of|/)\s*#)?\W*$")


def _line_size(line: LTTextLine) -> float:
    sizes = [ch.size for ch in line if isinstance(ch, LTChar) and ch.get_text().strip()]
    return statistics.median(sizes) if sizes else 0.0


def _runs(lines: list[LTTextLine]) -> list[tuple[str, float]]:
    """A text box's lines, in reading order, split where the font size changes
    (pdfminer glues a heading to its body)."""
    across = all(isinstance(line, LTTextLineHorizontal) for line in lines)
    runs: list[tuple[list[str], float]] = []
    for row in rows_of(lines) if across else [[line] for line in lines]:  # type: ignore[arg-type]
        size, text = _line_size(row[0]), " ".join(line.get_text().strip() for line in row)
        if runs and abs(runs[-1][1] - size) < 0.5:
            runs[-1][0].append(text)
        else:
            runs.append(([text], size))
    return [(text, size) for lines, size in runs if (text := join_lines(lines))]


def _images(item: LTComponent) -> Iterator[LTImage]:
    if isinstance(item, LTImage):
        yield item
    elif isinstance(item, LTContainer):
        for child in item:
            yield from _images(child)


def _is_scan(page: LTPage, boxes: list[Box]) -> bool:
    chars = sum(len(text.replace(" ", "")) for _, text, _ in boxes)
    if chars >= _SCAN_MAX_CHARS:
        return False
    area = page.width * page.height
    covered = sum(image.width * image.height for image in _images(page)) / max(area, 1)
    return covered >= (_SCAN_MIN_IMAGE_AREA if chars else _TEXTLESS_MIN_IMAGE_AREA)


@dataclass(frozen=True)
class _Placed:
    """A text run and whether it lies wholly in the top or bottom band of its page."""

    page: int
    text: str
    size: float
    in_margin: bool

    @property
    def box(self) -> Box:
        return (self.page, self.text, self.size)

    @property
    def key(self) -> str:
        """The run with its numbers blanked: "Page 3 of 9" and "Page 4 of 9" match."""
        return _DIGITS.sub("#", self.text.casefold())


def _margin(page: LTPage, box: LTComponent) -> bool:
    band = page.height * _MARGIN_BAND
    return box.y0 >= page.y1 - band or box.y1 <= page.y0 + band


def _without_running_lines(placed: list[_Placed], pages: int) -> list[Box]:
    """Running headers once, page numbers ("3", "Page 3 of 9") never.

    A line in the top or bottom band that repeats, numbers aside, on at least half the
    pages (and on two or more) is a running header or footer: a person reads it once.
    Headings are exempt ("Chapter 2" atop every chapter is not a running header).
    """
    if not placed:
        return []
    body = statistics.median(p.size for p in placed)
    on_pages: dict[str, set[int]] = {}
    for p in placed:
        if p.in_margin and p.size <= body * HEADING_RATIO:
            on_pages.setdefault(p.key, set()).add(p.page)
    running = {
        key
        for key, where in on_pages.items()
        if len(where) >= 2 and len(where) >= _RUNNING_SHARE * pages
    }
    kept: list[Box] = []
    seen: set[str] = set()
    for p in placed:
        if p.in_margin and _PAGE_NUMBER.match(p.key):
            continue
        if p.key in running:
            if p.key in seen:
                continue
            seen.add(p.key)
        kept.append(p.box)
    return kept


def _layout(path: Path) -> tuple[list[_Placed], list[int], int]:
    """pdfminer's text runs with their place, the pages that are scans, the page count."""
    laid_out: list[_Placed] = []
    scans: list[int] = []
    total = 0
    finder = TableFinder(path)
    try:
        for total, page in enumerate(
            extract_pages(str(path), laparams=LAParams(detect_vertical=True)), 1
        ):
            tables = finder.tables(total, page)
            found = _page_runs(total, page, tables + aligned_tables(page, tables, _margin))
            if _is_scan(page, [p.box for p in found]):
                scans.append(total)
            else:
                laid_out += found
    finally:
        finder.close()
    return laid_out, scans, total


def _page_runs(number: int, page: LTPage, tables: list[Table]) -> list[_Placed]:
    """The page's runs in pdfminer's order, a table's lines replaced by the whole table,
    row by row, where its first line was."""
    found: list[_Placed] = []
    placed: set[int] = set()
    for box in page:
        if not isinstance(box, LTTextContainer):
            continue
        outside: list[LTTextLine] = []
        for line in box:
            if not isinstance(line, LTTextLine) or not line.get_text().strip():
                continue
            inside = next((i for i, t in enumerate(tables) if t.holds(page, line)), None)
            if inside is None:
                outside.append(line)
                continue
            found += [_Placed(number, t, s, _margin(page, box)) for t, s in _runs(outside)]
            outside = []
            if inside not in placed:
                placed.add(inside)
                found.append(_Placed(number, tables[inside].text, _line_size(line), False))
        found += [_Placed(number, t, s, _margin(page, box)) for t, s in _runs(outside)]
    return found


class PdfParser:
    name = "pdf"
    extensions = (".pdf",)

    def parse(self, path: Path) -> ParsedDocument:
        failure: Exception | None = None
        laid_out: list[_Placed] = []
        scans: list[int] = []
        total = 0
        try:
            laid_out, scans, total = _layout(path)
        except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
            raise ParseError("encrypted PDF: save an unprotected copy to ingest it") from exc
        except Exception as exc:  # noqa: BLE001 (pdfminer gave up; PDFium may not)
            failure = exc
        layer = pdfium_layer.text_layer(path)
        if failure is not None:
            if layer is None:
                if isinstance(failure, RecursionError):
                    raise failure  # the worker reports it as "too deeply nested"
                detail = f"{type(failure).__name__}: {str(failure)[:200]}"
                raise ParseError(f"corrupt PDF ({detail}): re-export or repair it") from failure
            laid_out, total = [], len(layer)
            scans = [n for n, text in enumerate(layer, 1) if not text.strip()]
            better = {n for n in range(1, total + 1) if n not in scans}
        else:
            better = pdfium_layer.pages_read_better([p.box for p in laid_out], layer or [], scans)
        boxes = _without_running_lines([p for p in laid_out if p.page not in better], total)
        if better and layer:
            size = statistics.median(b[2] for b in boxes) if boxes else 10.0
            boxes += [(n, join_lines(layer[n - 1].splitlines()), size) for n in sorted(better)]
            boxes = sorted((b for b in boxes if b[1]), key=lambda b: b[0])
        meta: dict[str, object] = {}
        if scans:
            read = ocr.ocr_pdf_pages(path, scans, total)
            if not boxes and not read.usable():
                raise ParseError(
                    f"no extractable text: no text layer, and OCR of {len(scans)} scanned "
                    f"page(s) found no usable text ({read.describe()}): blank, handwriting "
                    "or a poor scan? Rescan at 300 dpi"
                )
            boxes = sorted(boxes + read.boxes, key=lambda b: b[0])
            meta = read.meta()
        if not boxes:
            raise ParseError(
                "no extractable text: no text layer and no scanned pages "
                "(only drawings, or blank pages?)"
            )
        return ParsedDocument(
            elements_from_boxes(boxes), title=title_from_boxes(boxes, path), meta=meta
        )


register(PdfParser())
