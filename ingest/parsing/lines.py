"""Laid-out text to elements: shared by the PDF text layer and OCR.

Both give boxes of text with a page and a font size. A short box whose font is clearly
larger than the body text is a heading (larger font → higher level), a box that starts
with a bullet or a number is a list item (several bullets in one box, several items;
a lowercase box right after an unfinished item, that item's wrapped rest), the rest is
running text. Lines are joined with hyphenation undone: ``infor-`` + ``mation`` is one
word again.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from pathlib import Path

from ingest.parsing.base import Element

Box = tuple[int, str, float]
"""(page, text, font size in points)."""

HEADING_RATIO = 1.15
_HEADING_MAX_CHARS = 120
_GLYPHS = "•●○■□▪◦►▶➢✓✔"
_BULLET = re.compile(rf"^\s*(?:[{_GLYPHS}\-–*]|\d{{1,2}}[.)])\s+")
_NEXT_BULLET = re.compile(rf"\s+(?=[{_GLYPHS}]\s)")
"""A bullet glyph inside a run: pdfminer put two list items in one text box."""
_ENDS_SENTENCE = (".", "!", "?")
_WORD = re.compile(r"\w+")
_HYPHENATED = re.compile(r"[^\W\d_]-$")


def word_bag(text: str) -> Counter[str]:
    """The words of a text, Unicode-normalised and case-folded, punctuation dropped."""
    return Counter(_WORD.findall(unicodedata.normalize("NFKC", text).casefold()))


def join_lines(lines: list[str]) -> str:
    """One paragraph from its lines, words broken by a hyphen at a line end joined."""
    out = ""
    for raw in lines:
        line = " ".join(raw.split())
        if not line:
            continue
        if out and _HYPHENATED.search(out) and line[0].islower():
            out = out[:-1] + line
        else:
            out = f"{out} {line}" if out else line
    return out


def elements_from_boxes(boxes: list[Box]) -> list[Element]:
    body = statistics.median(size for _, text, size in boxes for _ in range(len(text)))
    heading_sizes = sorted(
        {round(s, 1) for _, t, s in boxes if _is_heading(t, s, body)}, reverse=True
    )
    out: list[Element] = []
    for page, text, size in boxes:
        if "\n" in text:  # a table's rows (``pdf_tables``): a text box's lines are joined
            rows = tuple(text.split("\n"))
            out.append(Element("table", text, page, rows=rows))
        elif _is_heading(text, size, body):
            out.append(Element("title", text, page, level=heading_sizes.index(round(size, 1))))
        elif _BULLET.match(text):
            out += [Element("list", item, page) for item in _NEXT_BULLET.split(text)]
        elif _continues_item(out, text, page):
            out[-1] = Element("list", join_lines([out[-1].text, text]), page)
        else:
            out.append(Element("text", text, page))
    return out


def _continues_item(out: list[Element], text: str, page: int) -> bool:
    """Whether ``text`` is the wrapped rest of the list item before it: pdfminer makes a
    hanging indent's continuation lines a text box of their own."""
    last = out[-1] if out else None
    return (
        last is not None
        and last.kind == "list"
        and last.page == page
        and not last.text.endswith(_ENDS_SENTENCE)
        and text[:1].islower()
    )


def _is_heading(text: str, size: float, body: float) -> bool:
    return (
        size >= body * HEADING_RATIO
        and len(text) <= _HEADING_MAX_CHARS
        and not text.endswith((".", ",", ";"))
    )


def title_from_boxes(boxes: list[Box], path: Path) -> str:
    """The largest text on the first page that has any, if it is short enough."""
    first = min(page for page, _, _ in boxes)
    largest = max((b for b in boxes if b[0] == first), key=lambda b: b[2])
    return largest[1] if len(largest[1]) <= _HEADING_MAX_CHARS else path.stem
