"""Parsing: one file in, a list of structural elements and document metadata out.

``parse_file(path)`` picks the parser registered for the file's extension and turns
every failure into a ``ParseError`` with a reason a person can act on. Formats:
PDF (pdfminer; scanned pages through OCR), images (OCR with Tesseract), DOCX, PPTX,
XLSX, CSV/TSV, HTML, Markdown (and MDX; site-generator markup taken out,
``ingest.parsing.markup``), text and e-mail (.eml, Outlook .msg) through
unstructured's fast strategy, and .doc .ppt .xls (LibreOffice) and .rtf .odt .epub
.rst .org (pandoc) converted first.
"""

from __future__ import annotations

from pathlib import Path

from ingest.parsing import converted, ocr, pdf, plaintext, structured  # noqa: F401  (register the parsers)
from ingest.parsing.base import (
    Element,
    ParsedDocument,
    ParseError,
    Parser,
    parser_for,
    supported_extensions,
)
from ingest.parsing.limits import parse_bounded


def parse_file(path: Path) -> tuple[ParsedDocument, str]:
    """The parsed document and the name of the parser that read it."""
    parser = parser_for(path)
    if parser is None:
        raise ParseError(
            f"unsupported file type {path.suffix or '(no extension)'}; "
            f"supported: {' '.join(supported_extensions())}"
        )
    if path.stat().st_size == 0:
        raise ParseError("empty file (0 bytes)")
    try:
        doc = parse_bounded(parser, path)
    except ParseError:
        raise
    except Exception as exc:  # noqa: BLE001 (any library failure is this file's failure)
        lines = str(exc).strip().splitlines()
        detail = f"{type(exc).__name__}: {lines[0][:300]}" if lines else type(exc).__name__
        raise ParseError(
            f"could not parse as {parser.name} ({detail}): "
            "corrupt, password-protected or not really this format?"
        ) from exc
    if not any(e.text.strip() for e in doc.elements):
        raise ParseError("no text extracted (empty document, or only images)")
    doc.title = doc.title.strip() or path.stem.replace("-", " ").replace("_", " ")
    return doc, parser.name


__all__ = [
    "Element",
    "ParseError",
    "ParsedDocument",
    "Parser",
    "parse_file",
    "supported_extensions",
]
