"""Sentences and terms: the small text tools the answer path shares.

Sentences are the unit the context budget trims by (a source is never cut mid-sentence)
and the unit the extractive answerer quotes. Table rows, list items and headings stand
alone: ingest stores a table as one line per row, cells joined by `` | ``, header first
(``ingest.parsing.structured``), and a row is never cut into sentences. Terms are
lower-cased content words with a light suffix strip, used for lexical overlap
(extractive scoring, follow-up rewriting, choosing the quote of a citation).
"""

from __future__ import annotations

import re

_STANDALONE_LINE = re.compile(r"\s*(?:[-*•+]|\d+[.)]|#{1,6}|\|)\s")
"""List items, numbered steps, headings and Markdown table rows: each starts a new block."""
_ITEM_MARK = re.compile(r"(?:[-*•+]|\d+[.)])\s+")
CELL_SEPARATOR = " | "
"""How ingest joins the cells of a table row."""
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"“'(\[]?[A-Z0-9])")
_ABBREVIATIONS = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|dept|no|mr|mrs|ms|dr|st|inc|ltd|co)\.|\b[A-Z]\.)$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z0-9][a-z0-9'’-]*")
_CONTRACTION = re.compile(r"(?:n['’]t|['’](?:s|m|d|ll|re|ve))$")
""""what's", "I've", "don't": the word is its head ("what"), and "n't" words are
auxiliaries: none of them carries content."""

_STOPWORD_TEXT = """a about above after again against all am an and any are as at be because
    been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves get gets got also may might must shall us let lets tell know please want
    need one many much per actually even really exactly basically honestly definitely
    literally simply quite maybe perhaps anyway okay ok truly totally probably"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""Function words, and the filler adverbs people put in questions ("who *actually*
decides?", "who would I *even* take it to?"): rare in documents, so a chance match
would weigh as much as the question's subject."""


def sentences(text: str) -> list[str]:
    """``text`` split into sentences; list items, table rows and headings stand alone."""
    return [sentence for _, sentence in block_sentences(text)]


def block_sentences(text: str) -> list[tuple[int, str]]:
    """Each sentence of ``text`` with the number of the block (paragraph, list item,
    row, heading) it sits in: sentences of one block belong together."""
    out: list[tuple[int, str]] = []
    for number, block in enumerate(_blocks(text)):
        flat = " ".join(block.split())
        if not flat:
            continue
        if table_cells(block) is not None:
            out.append((number, block.strip()))
            continue
        mark = _ITEM_MARK.match(flat)  # "1. Upload it." is one sentence, not "1." and a rest
        prefix, flat = (mark.group(), flat[mark.end() :]) if mark else ("", flat)
        pending = prefix.strip()
        for piece in _SENTENCE_END.split(flat):
            pending = f"{pending} {piece}".strip() if pending else piece
            if not _ABBREVIATIONS.search(pending):
                out.append((number, pending))
                pending = ""
        if pending:
            out.append((number, pending))
    return out


def table_cells(line: str) -> list[str] | None:
    """The cells of a table row (``a | b | c``, or Markdown's ``| a | b |``), else None."""
    body = line.strip()
    if "\n" in body or CELL_SEPARATOR.strip() not in body:
        return None
    if body.startswith("|") and body.endswith("|"):
        body = body[1:-1]
    elif CELL_SEPARATOR not in body:
        return None
    return [cell.strip() for cell in body.split("|")]


def _blocks(text: str) -> list[str]:
    """Paragraphs, with list items, headings and table rows on their own."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        row = table_cells(line) is not None
        standalone = row or bool(_STANDALONE_LINE.match(line + " "))
        if not line.strip() or standalone:
            blocks.append([])
        blocks[-1].append(line)
        if row or (standalone and line.lstrip().startswith("#")):
            blocks.append([])
    return ["\n".join(b) for b in blocks if any(x.strip() for x in b)]


def _stem(word: str) -> str:
    for suffix, keep in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)] + keep
    return word


def terms(text: str) -> list[str]:
    """Content words of ``text``, lower-cased and lightly stemmed, in order."""
    words = (_word(w) for w in _WORD.findall(text.lower()))
    return [_stem(w) for w in words if w and w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


def _word(raw: str) -> str:
    """``raw`` without edge punctuation and contraction ("" for "don't")."""
    word = raw.strip("'’-")
    contraction = _CONTRACTION.search(word)
    if contraction is None:
        return word
    return "" if contraction.group().startswith("n") else word[: contraction.start()]
