"""The parser seam: what every format parser returns, and the registry by extension.

A parser turns one file into a flat list of ``Element``s (title, text, list item or
table, with its page) plus document metadata. Everything after parsing (sections,
chunks, ids) is format-blind, so adding a format means adding one ``Parser`` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

ElementKind = Literal["title", "text", "list", "table"]


class ParseError(Exception):
    """A file that cannot be ingested; the message is shown to people as the reason."""


@dataclass(frozen=True)
class Element:
    """One structural piece of a document.

    ``level`` is the heading depth of a title (0 = top). A table keeps its rows, the
    first being the header, so the chunker can split a huge one by rows.
    """

    kind: ElementKind
    text: str
    page: int | None = None
    level: int = 0
    rows: tuple[str, ...] = ()


@dataclass
class ParsedDocument:
    elements: list[Element]
    title: str = ""
    date: float | None = None
    """Epoch seconds the document says it is from (front matter, e-mail date), if any."""
    groups: list[str] | None = None
    """Access groups the document itself declares (Markdown front matter ``groups:``)."""
    meta: dict[str, Any] = field(default_factory=dict)


class Parser(Protocol):
    name: str
    extensions: tuple[str, ...]

    def parse(self, path: Path) -> ParsedDocument: ...


_REGISTRY: dict[str, Parser] = {}


def register(parser: Parser) -> Parser:
    for ext in parser.extensions:
        _REGISTRY[ext.lower()] = parser
    return parser


def parser_for(path: Path) -> Parser | None:
    return _REGISTRY.get(path.suffix.lower())


def supported_extensions() -> list[str]:
    return sorted(_REGISTRY)
