"""The shapes the answer path speaks: who asks, what was found, what is streamed back.

These are the contract between ``retrieval`` and its callers (the app, the CLI and the
evals): an answer is a stream of events, and the last one, ``Done``, carries the whole
``Answer``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from core.access import EVERYONE


@dataclass(frozen=True)
class User:
    """Who is asking; ``groups`` bound everything they may see (always includes "all")."""

    id: str
    groups: tuple[str, ...] = (EVERYONE,)
    name: str = ""


@dataclass(frozen=True)
class Turn:
    role: Literal["user", "assistant"]
    content: str


@dataclass
class Passage:
    """A retrieved chunk, numbered ``n`` (1-based) once it is placed in the prompt."""

    chunk_id: str
    doc_id: str
    text: str
    title: str
    source: str
    path: str
    section: list[str]
    page: int | None
    groups: list[str]
    score: float
    """The rank-fusion score. The list's order is the ranking: its first ``top_k`` are
    ordered by the lists' own scores (``retrieval.search``), so do not re-sort by this."""
    n: int = 0
    chunk_ids: list[str] = field(default_factory=list)
    """Every chunk merged into this passage (adjacent chunks of one section), in order."""
    ordinal: int = 0
    """The first chunk's position in its document."""
    status: str = ""
    """Set by ``retrieval.lineage`` on a superseded version kept in: "superseded on …"."""


@dataclass(frozen=True)
class Filters:
    """Optional narrowing of a search, on top of the asker's access groups.

    Dates are epoch seconds, compared with the document's ``doc_date``.
    """

    sources: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    date_from: float | None = None
    date_to: float | None = None


@dataclass(frozen=True)
class Citation:
    """A footnote: the source ``[n]`` points at, with the passage it quotes."""

    n: int
    chunk_id: str
    doc_id: str
    title: str
    source: str
    path: str
    section: list[str]
    page: int | None
    quote: str
    link: str = ""
    """Where a person opens the source: a web page's URL (a document's ``link``), or ""."""
    status: str = "current"
    """current | superseded by <title> (<date>) | proposed … (``retrieval.lineage``)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "n": self.n,
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "title": self.title,
            "source": self.source,
            "path": self.path,
            "section": list(self.section),
            "page": self.page,
            "quote": self.quote,
            "link": self.link,
        }


@dataclass(frozen=True)
class Usage:
    model: str = ""
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            model=self.model or other.model,
            input_tokens=self.input_tokens + other.input_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            output_tokens=self.output_tokens + other.output_tokens,
            cost_usd=self.cost_usd + other.cost_usd,
        )


Mode = Literal["llm", "extractive", "fallback"]
"""llm: generated; extractive: no LLM configured; fallback: the LLM failed mid-way."""


@dataclass
class Answer:
    question: str
    standalone_question: str
    text: str
    citations: list[Citation]
    passages: list[Passage]
    """What the answer was grounded on, in prompt order (the eval's retrieved context)."""
    mode: Mode
    refused: bool
    usage: Usage = field(default_factory=Usage)
    latency_ms: float = 0.0
    left_out: list[str] = field(default_factory=list)
    """Chunk ids retrieved but dropped to fit the token budget."""
    notices: list[str] = field(default_factory=list)
    answer_id: int | None = None
    """The row in the ``answers`` table, once logged (feedback points at it)."""


# -- the stream -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Token:
    text: str


@dataclass(frozen=True)
class CitationEvent:
    citation: Citation


@dataclass(frozen=True)
class UsageEvent:
    usage: Usage


@dataclass(frozen=True)
class Notice:
    """Something the person should know, e.g. the LLM failed and the extract stands in."""

    kind: Literal["extractive", "fallback", "budget", "redacted", "info", "lineage", "conflict"]
    message: str


@dataclass(frozen=True)
class Done:
    answer: Answer


Event = Token | CitationEvent | UsageEvent | Notice | Done
