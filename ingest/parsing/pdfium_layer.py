"""PDFium's text layer: a second reading of a PDF, page by page, for pdfminer's misses.

pdfminer gives font sizes and layout, so it reads PDFs first; but it loses the text of
some pages (rotated text, negative coordinates, some embedded CMaps) and gives up on
some damaged files. PDFium's plain text of each page (fast) says where that happened.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ingest.parsing.lines import Box, word_bag

_BETTER_MIN_WORDS = 3
_BETTER_COVERAGE = 0.8
"""pdfminer's words must cover this share of PDFium's on a page, or PDFium's text wins."""


def text_layer(path: Path) -> list[str] | None:
    """Every page's text as PDFium reads it (fast), or None if PDFium cannot read the file
    or one of its pages (a looping page tree): it is a second opinion, never a new reason
    for a file that pdfminer reads to fail."""
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError:
        return None
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            pages.append(textpage.get_text_bounded())
            textpage.close()
            page.close()
        return pages
    except pdfium.PdfiumError:
        return None
    finally:
        document.close()


def pages_read_better(mined_boxes: list[Box], layer: list[str], scans: list[int]) -> set[int]:
    """Pages where pdfminer lost the text PDFium finds: rotated text, negative coordinates,
    some embedded CMaps. There PDFium's text (without font sizes) replaces pdfminer's."""
    mined: dict[int, Counter[str]] = {}
    for page, text, _ in mined_boxes:
        mined.setdefault(page, Counter()).update(word_bag(text))
    better = set()
    for number, text in enumerate(layer, 1):
        found = word_bag(text)
        wanted = sum(found.values())
        if number in scans or wanted < _BETTER_MIN_WORDS:
            continue
        covered = sum((found & mined.get(number, Counter())).values())
        if covered < _BETTER_COVERAGE * wanted:
            better.add(number)
    return better
