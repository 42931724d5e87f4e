"""OCR through Tesseract: text for scanned pages and images, with its confidence.

Only pages without a text layer come here (see ``pdf``), so text files and ordinary PDFs
never pay for it. A page image is cleaned first: ruling lines are erased (Tesseract's
page segmentation reads a gridded table as one picture and returns almost nothing) and
the page is binarised at Otsu's threshold, capped at mid-grey (a coloured table
header then stays background instead of swallowing its text). Tesseract's hOCR gives
paragraphs, a font size estimate per line (``x_size``: headings are told apart as in
PDFs) and a confidence per word; words below ``_NOISE_CONF`` are scanner speckle and are dropped.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import lxml.html
import numpy as np
from PIL import Image, ImageOps, ImageSequence

from ingest.parsing.base import ParsedDocument, ParseError, register
from ingest.parsing.lines import Box, elements_from_boxes, join_lines, title_from_boxes

_TESSERACT_ENV = {"OMP_THREAD_LIMIT": "1"}
"""Tesseract's OpenMP threads would fight torch for the two cores; one page at a time
is fast enough (about 1 s an A4 page here). Set for Tesseract's process only: in ours it
would also cap torch."""

DPI = 300
"""Rendering resolution for scanned PDF pages: what Tesseract is trained for."""
MAX_SIDE = 5000
"""Largest page image side in pixels (a poster at 300 dpi would need gigabytes)."""
_SMALL_SIDE = 1600
"""Images smaller than this (screenshots) are upscaled twice: Tesseract wants text
at least ~20 px high."""
_NOISE_CONF = 20
_USABLE_CONF = 50
_MIN_USABLE_WORDS = 3
_TIMEOUT_S = 180
_LINE_FRACTION = 15
"""A dark run longer than 1/15 of the page's longer side is a ruling line, not a glyph."""

_INSTALL = "install Debian's tesseract-ocr and tesseract-ocr-eng (scripts/system_deps.sh does it)"


@dataclass
class OcrResult:
    """Boxes (page, text, size in points) and the confidence of every kept word."""

    boxes: list[Box] = field(default_factory=list)
    confidences: list[float] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)

    def extend(self, other: OcrResult) -> None:
        self.boxes += other.boxes
        self.confidences += other.confidences
        self.pages += other.pages

    def usable(self) -> bool:
        sure = [c for c in self.confidences if c >= _USABLE_CONF]
        return len(sure) >= _MIN_USABLE_WORDS

    def meta(self) -> dict[str, object]:
        """What the document records about its OCR (``Document.meta``)."""
        mean = statistics.fmean(self.confidences) if self.confidences else 0.0
        return {"ocr_pages": sorted(self.pages), "ocr_confidence": round(mean, 1)}

    def describe(self) -> str:
        mean = statistics.fmean(self.confidences) if self.confidences else 0.0
        return f"{len(self.confidences)} words, mean confidence {mean:.0f}%"


def _tesseract(*args: str, stdin: bytes = b"") -> bytes:
    """Run the ``tesseract`` command; ``ParseError`` when it fails or hangs."""
    command = shutil.which("tesseract")
    if command is None:
        raise ParseError(f"OCR needs Tesseract, which is not installed: {_INSTALL}")
    try:
        done = subprocess.run(
            [command, *args],
            input=stdin,
            capture_output=True,
            timeout=_TIMEOUT_S,
            env={**os.environ, **_TESSERACT_ENV},
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ParseError(f"OCR took over {_TIMEOUT_S} s on one page") from exc
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()
        raise ParseError(f"Tesseract failed ({detail[-1] if detail else done.returncode})")
    return done.stdout


@cache
def _tesseract_problem() -> str | None:
    """Why OCR cannot run here, or None; asked once per process."""
    try:
        languages = _tesseract("--list-langs").decode().split()
    except ParseError as exc:
        return f"{exc}: {_INSTALL}" if "not installed" not in str(exc) else str(exc)
    if "eng" not in languages:
        return f"Tesseract has no English model: {_INSTALL}"
    return None


def require_tesseract(what: str) -> None:
    """``ParseError`` naming ``what`` needed OCR when Tesseract is missing."""
    if (problem := _tesseract_problem()) is not None:
        raise ParseError(f"{what}: {problem}")


def ocr_image(image: Image.Image, page: int, dpi: float) -> OcrResult:
    """One page image through Tesseract (PNG on stdin, hOCR on stdout)."""
    buffer = io.BytesIO()
    _prepare(image).save(buffer, format="PNG", dpi=(dpi, dpi))
    hocr = _tesseract("stdin", "stdout", "-l", "eng", "--psm", "3", "hocr", stdin=buffer.getvalue())
    return _read_hocr(hocr, page, 72.0 / dpi)


def _prepare(image: Image.Image) -> Image.Image:
    """Greyscale, ruling lines erased, binarised."""
    pixels = np.asarray(image.convert("L"))
    threshold = min(max(_otsu(pixels), 96), 128)
    dark = pixels < threshold
    length = max(pixels.shape) // _LINE_FRACTION
    lines = _grow(_long_runs(dark, length) | _long_runs(dark.T, length).T, 2)
    ink = dark & ~lines
    return Image.fromarray(np.where(ink, 0, 255).astype(np.uint8))


def _grow(mask: np.ndarray, pixels: int) -> np.ndarray:
    """The mask widened by ``pixels`` each way (a ruling line's anti-aliased edges)."""
    out = mask.copy()
    for shift in range(1, pixels + 1):
        out[shift:] |= mask[:-shift]
        out[:-shift] |= mask[shift:]
        out[:, shift:] |= mask[:, :-shift]
        out[:, :-shift] |= mask[:, shift:]
    return out


def _otsu(pixels: np.ndarray) -> int:
    """The grey level that best splits ink from paper (Otsu's method)."""
    hist = np.bincount(pixels.ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256)
    weight = np.cumsum(hist)
    total = weight[-1]
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight - mean * total) ** 2 / np.maximum(weight * (total - weight), 1)
    return int(np.argmax(between))


def _long_runs(dark: np.ndarray, length: int) -> np.ndarray:
    """Pixels that lie in a horizontal run of at least ``length`` dark pixels."""
    rows, width = dark.shape
    padded = np.zeros((rows, width + 2), np.int8)
    padded[:, 1:-1] = dark
    edges = np.diff(padded, axis=1).ravel()  # rows of width + 1: +1 starts, -1 ends
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    long = (ends - starts) >= length
    delta = np.zeros(edges.size + 1, np.int32)
    np.add.at(delta, starts[long], 1)
    np.add.at(delta, ends[long], -1)
    return (np.cumsum(delta[:-1]) > 0).reshape(rows, width + 1)[:, :width]


def _title_value(title: str, key: str) -> str | None:
    for part in title.split(";"):
        name, _, value = part.strip().partition(" ")
        if name == key:
            return value
    return None


def _read_hocr(hocr: bytes, page: int, points_per_px: float) -> OcrResult:
    """Paragraph boxes and word confidences from Tesseract's hOCR."""
    result = OcrResult(pages=[page])
    root = lxml.html.fromstring(hocr)
    for par in root.find_class("ocr_par"):
        lines: list[str] = []
        sizes: list[float] = []
        for line in par:
            words = []
            for word in line.find_class("ocrx_word"):
                text = word.text_content().strip()
                conf = float(_title_value(word.get("title", ""), "x_wconf") or 0)
                if text and conf >= _NOISE_CONF:
                    words.append(text)
                    result.confidences.append(conf)
            if words:
                lines.append(" ".join(words))
                size = _title_value(line.get("title", ""), "x_size")
                sizes.append(float(size) * points_per_px if size else 0.0)
        if lines:
            result.boxes.append((page, join_lines(lines), statistics.median(sizes)))
    return result


def _frames(image: Image.Image) -> Iterable[Image.Image]:
    for frame in ImageSequence.Iterator(image):
        yield ImageOps.exif_transpose(frame.convert("L"))


def _scaled(frame: Image.Image, dpi: float) -> tuple[Image.Image, float]:
    """The frame at a size Tesseract reads well, and its resolution after scaling."""
    side = max(frame.size)
    factor = 2.0 if side < _SMALL_SIDE else min(1.0, MAX_SIDE / side)
    if factor == 1.0:
        return frame, dpi
    size = (max(1, round(frame.width * factor)), max(1, round(frame.height * factor)))
    return frame.resize(size, Image.Resampling.LANCZOS), dpi * factor


class ImageParser:
    """PNG, JPEG and TIFF (every frame a page): all of their text comes from OCR."""

    name = "image"
    extensions = (".png", ".jpg", ".jpeg", ".tif", ".tiff")

    def parse(self, path: Path) -> ParsedDocument:
        require_tesseract("an image has text only through OCR")
        result = OcrResult()
        with Image.open(path) as image:
            dpi = float((image.info.get("dpi") or (DPI, DPI))[0]) or DPI
            for page, frame in enumerate(_frames(image), 1):
                scaled, scaled_dpi = _scaled(frame, dpi)
                result.extend(ocr_image(scaled, page, scaled_dpi))
        if not result.usable():
            raise ParseError(
                f"no usable text after OCR ({result.describe()}): a photo, handwriting "
                "or a poor scan? Rescan at 300 dpi"
            )
        return ParsedDocument(
            elements_from_boxes(result.boxes),
            title=title_from_boxes(result.boxes, path),
            meta=result.meta(),
        )


register(ImageParser())


def ocr_pdf_pages(path: Path, pages: list[int], total: int) -> OcrResult:
    """OCR of a PDF's scanned ``pages`` (1-based of ``total``), rendered by PDFium."""
    import pypdfium2 as pdfium

    which = "the only page" if total == 1 else f"page(s) {', '.join(map(str, pages))}"
    require_tesseract(f"no extractable text on {which} (scanned images)")
    result = OcrResult()
    document = pdfium.PdfDocument(str(path))
    try:
        for number in pages:
            page = document[number - 1]
            width, height = page.get_size()
            scale = min(DPI / 72, MAX_SIDE / max(width, height, 1))
            image = page.render(scale=scale, grayscale=True).to_pil()
            result.extend(ocr_image(image, number, scale * 72))
            page.close()
    finally:
        document.close()
    return result
