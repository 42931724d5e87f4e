"""PDF through pdfminer.six: text boxes per page, headings told apart by font size.

unstructured's PDF path needs its ``[pdf]`` extra, which pulls torchvision and breaks
with the CPU torch here; its fast strategy is pdfminer underneath anyway. We read the
same text boxes, keep their page numbers, and call a short box a heading when its
font is clearly larger than the body text (larger font → higher heading level).
"""

from __future__ import annotations

import re
import statistics
from pathlib import Path

from pdfminer.high_level import extract_pages
from pdfminer.layout import LAParams, LTChar, LTTextContainer, LTTextLine
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError

from ingest.parsing.base import Element, ParsedDocument, ParseError, register

_HEADING_RATIO = 1.15
_HEADING_MAX_CHARS = 120
_BULLET = re.compile(r"^\s*(?:[•\-–*▪◦]|\d{1,2}[.)])\s+")


def _line_size(line: LTTextLine) -> float:
    sizes = [ch.size for ch in line if isinstance(ch, LTChar) and ch.get_text().strip()]
    return statistics.median(sizes) if sizes else 0.0


def _runs(box: LTTextContainer) -> list[tuple[str, float]]:
    """A text box split where the font size changes (pdfminer glues a heading to its body)."""
    runs: list[tuple[list[str], float]] = []
    for line in box:
        if not isinstance(line, LTTextLine) or not line.get_text().strip():
            continue
        size = _line_size(line)
        if runs and abs(runs[-1][1] - size) < 0.5:
            runs[-1][0].append(line.get_text())
        else:
            runs.append(([line.get_text()], size))
    return [(" ".join(" ".join(lines).split()), size) for lines, size in runs]


class PdfParser:
    name = "pdf"
    extensions = (".pdf",)

    def parse(self, path: Path) -> ParsedDocument:
        boxes: list[tuple[int, str, float]] = []
        try:
            for page_no, page in enumerate(extract_pages(str(path), laparams=LAParams()), 1):
                for box in page:
                    if isinstance(box, LTTextContainer):
                        boxes.extend((page_no, text, size) for text, size in _runs(box) if text)
        except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
            raise ParseError("encrypted PDF: save an unprotected copy to ingest it") from exc
        except PDFSyntaxError as exc:
            raise ParseError(f"corrupt PDF ({exc}): re-export or repair it") from exc
        if not boxes:
            raise ParseError(
                "no extractable text: a scanned PDF? OCR is not supported, "
                "export it with a text layer"
            )
        return ParsedDocument(_elements(boxes), title=_title(path, boxes))


def _elements(boxes: list[tuple[int, str, float]]) -> list[Element]:
    body = statistics.median(size for _, text, size in boxes for _ in range(len(text)))
    heading_sizes = sorted(
        {round(s, 1) for _, t, s in boxes if _is_heading(t, s, body)}, reverse=True
    )
    out: list[Element] = []
    for page, text, size in boxes:
        if _is_heading(text, size, body):
            out.append(Element("title", text, page, level=heading_sizes.index(round(size, 1))))
        elif _BULLET.match(text):
            out.append(Element("list", text, page))
        else:
            out.append(Element("text", text, page))
    return out


def _is_heading(text: str, size: float, body: float) -> bool:
    return (
        size >= body * _HEADING_RATIO
        and len(text) <= _HEADING_MAX_CHARS
        and not text.endswith((".", ",", ";"))
    )


def _title(path: Path, boxes: list[tuple[int, str, float]]) -> str:
    first_page = [b for b in boxes if b[0] == 1]
    largest = max(first_page, key=lambda b: b[2])
    return largest[1] if len(largest[1]) <= _HEADING_MAX_CHARS else path.stem


register(PdfParser())
