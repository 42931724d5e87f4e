"""Footnotes: read the ``[n]`` markers of an answer and turn them into citations.

Markers that point at no source are removed from the text (a model may invent [9]
when there were five sources). Each valid source becomes a ``Citation`` whose quote is
the sentence of that source closest to the claims that cite it, so a reader sees the
exact words behind the footnote. A citation links to its document's ``link`` (a web
page's URL, or a ``link:`` in a file's front matter) when it has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.db import Document
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


def with_links(citations: list[Citation], sessions: sessionmaker[Session]) -> list[Citation]:
    """``citations`` with the ``link`` of their documents."""
    links = document_links({c.doc_id for c in citations}, sessions)
    return [replace(c, link=links[c.doc_id]) if c.doc_id in links else c for c in citations]


def document_links(doc_ids: Iterable[str], sessions: sessionmaker[Session]) -> dict[str, str]:
    """The ``link`` of each document that has one (http(s) only: a link is shown to
    people as something to click, so a ``javascript:`` one is never kept)."""
    wanted = set(doc_ids)
    if not wanted:
        return {}
    with sessions() as session:
        rows = session.execute(
            select(Document.id, Document.meta).where(Document.id.in_(wanted))
        ).all()
    links = {doc_id: str((meta or {}).get("link") or "") for doc_id, meta in rows}
    return {doc_id: link for doc_id, link in links.items() if link.startswith(_WEB)}


_WEB = ("http://", "https://")
