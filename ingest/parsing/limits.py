"""Limits on what one file may make a parser do, checked before and after it runs.

Parsers and the NLP inside unstructured (spaCy, NLTK) are fast on documents and slow or
recursive on pathological ones: a 5 MB single-line Markdown file stalled a job for
minutes, a 100k-deep nested list took 33 s to end in a ``RecursionError``, a zip bomb
renamed ``.docx`` unpacks to gigabytes. So, around every parse:

- before: an Office file (a zip) whose members unpack to more than ``max_unzipped_mb``
  fails; HTML tags or Markdown lists and quotes nested deeper than ``max_nesting`` fail
  ("too deeply nested"); a CSV/TSV row wider than ``max_columns`` fails; lines of text
  formats longer than ``max_line_chars`` are cut (the parser reads a capped copy);
- after: elements longer than ``max_element_chars`` are cut, and text the SQL and the
  index cannot store (lone surrogates, NUL) is replaced.

What was cut is recorded in the document's ``meta`` (``capped``). The time and memory
budgets are ``ingest.isolation``'s: it runs the parse in a worker process it can kill.
"""

from __future__ import annotations

import csv
import re
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path

from core.settings import Settings, get_settings
from ingest.parsing.base import Element, ParsedDocument, ParseError, Parser
from ingest.parsing.text import read_text

_ZIPPED = {".docx", ".pptx", ".xlsx"}
_LINE_CAPPED = {".md", ".markdown", ".mdx", ".txt", ".text", ".csv", ".tsv"}
"""Formats whose lines mean something: HTML is often one minified line, so it is not cut."""
_HTML_NESTED = {".html", ".htm", ".md", ".markdown", ".mdx"}
_MD_NESTED = {".md", ".markdown", ".mdx"}
_DELIMITED = {".csv": ",", ".tsv": "\t"}
_SNIFF_ROWS = 20

_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)(?:[^<>]*?)(/?)>")
_VOID = "area base br col embed hr img input link meta param source track wbr"
_OPTIONAL_END = "p li dt dd tr td th option optgroup thead tbody tfoot colgroup rt rp"
_UNNESTED = frozenset(f"{_VOID} {_OPTIONAL_END}".split())
"""Tags that never nest, or whose end tag HTML lets authors leave out."""
_MD_PREFIX = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)]|>)(?:[ \t]+|$))+")
_MD_MARKER = re.compile(r"[-*+>]|\d{1,9}[.)]")


_configured: Settings | None = None


def configure(settings: Settings) -> None:
    """Use these settings' limits in this process (the parse worker gets the job's)."""
    global _configured
    _configured = settings


def _limits() -> Settings:
    return _configured or get_settings()


def parse_bounded(parser: Parser, path: Path) -> ParsedDocument:
    """``parser.parse(path)`` within the limits; ``ParseError`` saying which one failed."""
    limits = _limits()
    suffix = path.suffix.lower()
    if suffix in _ZIPPED:
        _check_unzipped(path, limits)
    if suffix not in _LINE_CAPPED | _HTML_NESTED:
        return _capped(parser.parse(path), limits, 0)
    text = read_text(path)
    _check_nesting(text, suffix, limits)
    if suffix in _DELIMITED:
        _check_columns(text, _DELIMITED[suffix], limits)
    capped, cut = _cut_lines(text, limits.max_line_chars) if suffix in _LINE_CAPPED else (text, 0)
    if not cut:
        return _capped(parser.parse(path), limits, 0)
    with tempfile.TemporaryDirectory(prefix="footnote-capped-") as folder:
        copy = Path(folder) / path.name
        copy.write_text(capped, encoding="utf-8")
        return _capped(parser.parse(copy), limits, cut)


def _check_unzipped(path: Path, limits: Settings) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the parser says what it is
    if total > limits.max_unzipped_mb * 1024 * 1024:
        raise ParseError(
            f"unpacks to {total / 1e6:.0f} MB > max_unzipped_mb {limits.max_unzipped_mb:g} "
            "(a zip bomb?): check the file, or raise FOOTNOTE_MAX_UNZIPPED_MB"
        )


def nesting_depth(text: str, suffix: str) -> int:
    """How deep HTML tags (and, in Markdown, list items and quotes) nest in ``text``."""
    depth = deepest = 0
    if suffix in _HTML_NESTED:
        for closing, name, self_closing in _TAG.findall(text):
            if name.lower() in _UNNESTED or self_closing:
                continue
            depth = max(depth - 1, 0) if closing else depth + 1
            deepest = max(deepest, depth)
    if suffix in _MD_NESTED:
        for line in text.splitlines():
            prefix = _MD_PREFIX.match(line)
            if prefix is None:
                continue
            indent = len(line) - len(line.lstrip(" \t"))
            markers = len(_MD_MARKER.findall(prefix.group()))
            deepest = max(deepest, indent // 2 + markers)
    return deepest


def _check_nesting(text: str, suffix: str, limits: Settings) -> None:
    depth = nesting_depth(text, suffix)
    if depth > limits.max_nesting:
        raise ParseError(
            f"too deeply nested: {depth} levels > max_nesting {limits.max_nesting}; "
            "flatten the document, or raise FOOTNOTE_MAX_NESTING"
        )


def _check_columns(text: str, delimiter: str, limits: Settings) -> None:
    csv.field_size_limit(max(len(text), 131072))
    head = text.splitlines()[:_SNIFF_ROWS]
    widest = max((len(row) for row in csv.reader(head, delimiter=delimiter)), default=0)
    if widest > limits.max_columns:
        raise ParseError(
            f"too wide: {widest} columns > max_columns {limits.max_columns}; "
            "split the table, or raise FOOTNOTE_MAX_COLUMNS"
        )


def _cut_lines(text: str, cap: int) -> tuple[str, int]:
    """``text`` with every line cut to ``cap`` characters, and how many were cut."""
    lines = text.split("\n")
    cut = sum(len(line) > cap for line in lines)
    if not cut:
        return text, 0
    return "\n".join(line[:cap] for line in lines), cut


def _storable(text: str) -> str:
    """Text SQL and the index can store: no lone surrogates (from odd encodings), no NUL."""
    return text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")


def _capped(doc: ParsedDocument, limits: Settings, lines_cut: int) -> ParsedDocument:
    cap = limits.max_element_chars
    elements: list[Element] = []
    cut = 0
    for element in doc.elements:
        text = _storable(element.text)
        rows = tuple(_storable(r) for r in element.rows)
        if len(text) > cap:
            cut += 1
            text = text[:cap]
            kept, size = [], 0
            for row in rows:
                size += len(row) + 1
                if size > cap:
                    break
                kept.append(row)
            rows = tuple(kept)
        elements.append(replace(element, text=text, rows=rows))
    doc.elements = elements
    doc.title = _storable(doc.title)
    if lines_cut or cut:
        doc.meta = {
            **doc.meta,
            "capped": f"{lines_cut} line(s) cut to {limits.max_line_chars} characters, "
            f"{cut} element(s) to {cap}",
        }
    return doc
