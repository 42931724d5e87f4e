"""Office, web, e-mail and text formats through unstructured (``strategy="fast"``).

unstructured does the format work; this module maps its element types onto ours:
titles keep their depth (they become the section path), list items stay list items
(the chunker keeps them with their lead-in), and tables become one line per row from
their HTML so the header can be repeated when a huge table is split.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import lxml.html

from ingest.parsing import docx_package, mail
from ingest.parsing.base import Element, ElementKind, ParsedDocument, ParseError, register
from ingest.parsing.markup import strip_site_markup
from ingest.parsing.partitioners import NO_LANGUAGE, partitioner
from ingest.parsing.text import read_text, split_front_matter, to_epoch

_SKIPPED = {"PageBreak", "Image", "PageNumber"}
_RUNNING = {"Header", "Footer"}
"""A document's headers and footers are text a person reads, but once, not per section."""
_NAV = re.compile(r"<(/?)nav\b", re.IGNORECASE)
_DATE_KEYS = ("date", "last_reviewed_at", "updated", "last_updated", "created")


def _cell_text(cell: Any) -> str:
    """A cell's text on one line. Line breaks inside spreadsheet cells reach us escaped
    (a literal backslash-n), which would glue "June\\n2023" into one unfindable word;
    a ``<br>`` has no text of its own, which would glue "answer<br>questions"."""
    for br in cell.iter("br"):
        br.tail = " " + (br.tail or "")
    return " ".join(cell.text_content().replace("\\n", " ").split())


def _table_rows(html: str | None, fallback: str) -> tuple[str, ...]:
    """One line per row, cells joined by " | ", columns empty in every row left out.

    A table with one column left is a page laid out with a table (old HTML does that
    for whole essays): its rows come back without " | ", and ``to_elements`` makes
    them text."""
    if not html:
        return (fallback,) if fallback else ()
    table = [
        [_cell_text(cell) for cell in tr if cell.tag in ("td", "th")]
        for tr in lxml.html.fromstring(html).iter("tr")
    ]
    width = max((len(row) for row in table), default=0)
    used = [i for i in range(width) if any(i < len(row) and row[i] for row in table)]
    return tuple(" | ".join(row[i] for i in used if i < len(row)) for row in table if any(row))


def to_elements(raw: list[Any]) -> list[Element]:
    """Our element model from unstructured's elements."""
    out: list[Element] = []
    running: set[str] = set()
    sheet = None
    for item in raw:
        category = type(item).__name__
        text = (item.text or "").strip()
        if category in _SKIPPED or not text:
            continue
        if category in _RUNNING:
            if text in running:
                continue
            running.add(text)
        page = getattr(item.metadata, "page_number", None)
        if (name := getattr(item.metadata, "page_name", None)) and name != sheet:
            sheet = name  # a worksheet: its name is the section
            out.append(Element("title", name, page, level=0))
        kind: ElementKind = "text"
        if category == "Title":
            if not (out and out[-1].kind == "title" and out[-1].text == text):  # sheet = title
                out.append(Element("title", text, page, level=item.metadata.category_depth or 0))
            continue
        if category == "Table":
            rows = _table_rows(getattr(item.metadata, "text_as_html", None), text)
            if any(" | " in row for row in rows):
                out.append(Element("table", "\n".join(rows), page, rows=rows))
            else:  # one column: a layout table, or a list
                out += [Element("text", row, page) for row in rows]
            continue
        if category == "ListItem":
            kind = "list"
        out.append(Element(kind, text, page))
    return out


def _first_title(elements: list[Element]) -> str:
    return next((e.text for e in elements if e.kind == "title"), "")


class _Unstructured:
    """A parser that hands the file to one unstructured partition function."""

    def __init__(self, name: str, extensions: tuple[str, ...], module: str) -> None:
        self.name = name
        self.extensions = extensions
        self._module = module

    def parse(self, path: Path) -> ParsedDocument:
        partition = partitioner(self._module, f"partition_{self._module}")
        raw = partition(filename=str(path), languages=NO_LANGUAGE, **self._options())
        elements = to_elements(raw)
        doc = ParsedDocument(elements, title=_first_title(elements))
        if raw and self._module in ("email", "msg"):
            meta = raw[0].metadata
            doc.title = meta.subject or doc.title
            doc.meta = {"from": meta.sent_from, "to": meta.sent_to}
        return doc

    def _options(self) -> dict[str, Any]:
        return {"strategy": "fast"} if self._module in ("docx", "pptx") else {}


class _Docx(_Unstructured):
    """DOCX through unstructured, after ``docx_package`` made it readable; then its notes."""

    def parse(self, path: Path) -> ParsedDocument:
        copy = docx_package.readable_copy(path)
        try:
            doc = super().parse(copy or path)
        finally:
            if copy is not None:
                copy.unlink(missing_ok=True)
        doc.elements += [Element("text", note) for note in docx_package.notes(path)]
        return doc


class _Email(_Unstructured):
    """E-mail through unstructured, or, when one of its attachments makes unstructured
    fail, the message's own text through the standard library (``mail``)."""

    def parse(self, path: Path) -> ParsedDocument:
        try:
            return super().parse(path)
        except Exception as exc:  # noqa: BLE001 (an attachment unstructured cannot read)
            doc = mail.parse_plain(path)
            if not doc.elements:
                raise
            doc.meta["fallback"] = f"read by the standard library ({type(exc).__name__})"
            return doc


class _DecodedText:
    """Text formats that we decode ourselves first (binary sniffing, encoding fallback)."""

    def __init__(self, name: str, extensions: tuple[str, ...], module: str) -> None:
        self.name = name
        self.extensions = extensions
        self._module = module

    def parse(self, path: Path) -> ParsedDocument:
        text = read_text(path)
        meta: dict[str, Any] = {}
        if self._module == "md":
            meta, text = split_front_matter(text)
            text = strip_site_markup(text, mdx=path.suffix.lower() == ".mdx")
        if not text.strip():
            raise ParseError("no text: the file is empty or only whitespace")
        partition = partitioner(self._module, f"partition_{self._module}")
        if self._module in ("csv", "tsv"):
            import pandas.errors  # loaded by unstructured's CSV partitioner anyway

            try:
                raw = partition(file=io.BytesIO(text.encode("utf-8")), languages=NO_LANGUAGE)
            except pandas.errors.ParserError:
                return ParsedDocument(_ragged_table(text, self._module == "tsv"))
        else:
            raw = partition(text=text, languages=NO_LANGUAGE)
        elements = to_elements(raw)
        if not elements and self._module == "html" and _NAV.search(text):
            # unstructured drops <nav> as boilerplate; on an index page it is all there is.
            elements = to_elements(partition(text=_NAV.sub(r"<\1div", text), languages=NO_LANGUAGE))
        groups = meta.get("groups")
        if isinstance(groups, str):
            groups = [groups]
        date = next((to_epoch(meta[k]) for k in _DATE_KEYS if k in meta), None)
        plain = {k: p for k, v in meta.items() if (p := _plain(v)) is not None}
        return ParsedDocument(
            elements,
            title=str(meta.get("title") or _first_title(elements)),
            date=date,
            groups=[str(g) for g in groups] if isinstance(groups, list) else None,
            meta=plain,
        )


class _Pptx(_Unstructured):
    """PPTX through unstructured, each slide's speaker notes after the slide's own text.

    unstructured can emit notes, but before the slide's title, where they would land in
    the previous slide's section; python-pptx reads them for us instead.
    """

    def parse(self, path: Path) -> ParsedDocument:
        from pptx import Presentation

        doc = super().parse(path)
        notes = {
            number: text
            for number, slide in enumerate(Presentation(str(path)).slides, 1)
            if slide.has_notes_slide and (text := slide.notes_slide.notes_text_frame.text.strip())
        }
        out: list[Element] = []
        for i, element in enumerate(doc.elements):
            out.append(element)
            following = doc.elements[i + 1].page if i + 1 < len(doc.elements) else None
            if element.page in notes and following != element.page:
                out.append(Element("text", notes.pop(element.page), element.page))
        out += [Element("text", text, page) for page, text in notes.items()]
        doc.elements = out
        return doc


register(_DecodedText("markdown", (".md", ".markdown", ".mdx"), "md"))
register(_DecodedText("html", (".html", ".htm"), "html"))
register(_DecodedText("csv", (".csv",), "csv"))
register(_DecodedText("tsv", (".tsv",), "tsv"))
register(_Docx("docx", (".docx",), "docx"))
register(_Pptx("pptx", (".pptx",), "pptx"))
register(_Unstructured("xlsx", (".xlsx",), "xlsx"))
register(_Email("email", (".eml",), "email"))
register(_Unstructured("msg", (".msg",), "msg"))


def _ragged_table(text: str, tabs: bool) -> list[Element]:
    """A CSV whose rows have different numbers of fields (pandas refuses it; a person
    reads it fine): one table, a row per line, the delimiter sniffed as unstructured does."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = "\t" if tabs else csv.Sniffer().sniff(first).delimiter
    except csv.Error:
        delimiter = ","
    rows = tuple(
        " | ".join(c.strip() for c in row)
        for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        if any(c.strip() for c in row)
    )
    return [Element("table", "\n".join(rows), rows=rows)]


def _plain(value: Any) -> Any:
    """A front-matter value as JSON for ``Document.meta``: scalars, dates as ISO strings
    (``updated:``, ``effective:`` order versions), lists of those (``supersedes:``)."""
    if isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v) for v in value]
    return None
