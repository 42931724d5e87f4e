"""Plain text: paragraphs, bullet lists and stand-alone heading lines.

unstructured's text partitioner classifies every paragraph with spaCy, which took
53 s for a 3 MB novel here and still mistook ``Important points:`` for a title. Plain
text has little structure to find, so a few line rules do the job in milliseconds.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.parsing.base import Element, ParsedDocument, ParseError, register
from ingest.parsing.text import read_text

_PARAGRAPH = re.compile(r"\n\s*\n")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_HEADING_MAX_CHARS = 80


def _is_heading(lines: list[str]) -> bool:
    line = lines[0].strip()
    return (
        len(lines) == 1
        and len(line) <= _HEADING_MAX_CHARS
        and not line.endswith((".", ",", ";", ":", "!", "?", '"'))
        and not _BULLET.match(line)
        and any(c.isalpha() for c in line)
        and (line.isupper() or line.istitle())
    )


class PlainTextParser:
    name = "text"
    extensions = (".txt", ".text")

    def parse(self, path: Path) -> ParsedDocument:
        text = read_text(path).replace("\r\n", "\n")
        if not text.strip():
            raise ParseError("no text: the file is empty or only whitespace")
        elements: list[Element] = []
        for paragraph in _PARAGRAPH.split(text):
            lines = [line for line in paragraph.splitlines() if line.strip()]
            if not lines:
                continue
            if _is_heading(lines):
                elements.append(Element("title", lines[0].strip()))
            elif all(_BULLET.match(line) for line in lines):
                elements.extend(Element("list", line.strip()) for line in lines)
            else:
                elements.append(Element("text", " ".join(line.strip() for line in lines)))
        return ParsedDocument(elements)


register(PlainTextParser())
