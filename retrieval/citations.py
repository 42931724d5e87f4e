"""Footnotes: read the ``[n]`` markers of an answer and turn them into citations.

Markers that point at no source are removed from the text (a model may invent [9]
when there were five sources). Each valid source becomes a ``Citation`` whose quote is
the sentence of that source closest to the claims that cite it, so a reader sees the
exact words behind the footnote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from retrieval.text import sentences, terms
from retrieval.types import Citation, Passage

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_SPACED_MARKER = re.compile(r"([ \t]*)\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def clean_markers(text: str, n_sources: int) -> str:
    """``text`` without the markers (or the numbers in them) that name no source."""

    def keep(match: re.Match[str]) -> str:
        numbers = [int(x) for x in re.findall(r"\d+", match.group(2))]
        valid = [n for n in numbers if 1 <= n <= n_sources]
        markers = "".join(f"[{n}]" for n in dict.fromkeys(valid))
        return match.group(1) + markers if markers else ""

    return _SPACED_MARKER.sub(keep, text)


def cited_numbers(text: str) -> list[int]:
    """Source numbers in order of first mention."""
    found = (int(x) for m in _MARKER.finditer(text) for x in re.findall(r"\d+", m.group(1)))
    return list(dict.fromkeys(found))


def extract_citations(text: str, passages: Sequence[Passage]) -> list[Citation]:
    """A citation for each source ``text`` cites, in order of first mention."""
    by_n = {p.n: p for p in passages}
    claims: dict[int, list[str]] = {}
    for sentence in sentences(text):
        for n in cited_numbers(sentence):
            claims.setdefault(n, []).append(_MARKER.sub("", sentence))
    return [
        to_citation(by_n[n], best_quote(by_n[n].text, " ".join(claims.get(n, []))))
        for n in cited_numbers(text)
        if n in by_n
    ]


def best_quote(source_text: str, claim: str) -> str:
    """The sentence of ``source_text`` sharing most terms with ``claim``."""
    candidates = sentences(source_text) or [source_text.strip()]
    wanted = set(terms(claim))
    return max(candidates, key=lambda s: len(wanted & set(terms(s))))


def to_citation(passage: Passage, quote: str) -> Citation:
    return Citation(
        n=passage.n,
        chunk_id=passage.chunk_id,
        doc_id=passage.doc_id,
        title=passage.title,
        source=passage.source,
        path=passage.path,
        section=list(passage.section),
        page=passage.page,
        quote=quote,
    )
