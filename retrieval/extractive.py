"""The offline answerer: quote the sentences of the sources that best answer the question.

Used when no LLM is configured, and as the fallback when one fails. The retrieved
passages are cut into quotable units in reading order: sentences, list items, and table
rows (each quoted with its table's header, ``Office: Kraków; Base allowance: 26 days``,
because a bare row of numbers answers nothing). A lead-in ending in ":" is not quoted
on its own; it frames the items or rows that follow, like a heading.

Each unit is scored against the question by embedding similarity (the same embedder as
search), lexical overlap of content words with the unit and with its frame (title,
section, lead-in), the kind of answer the question asks for ("how many", "when" and the
like want a number or a date, "who" wants a name) and its passage's search rank (the
top passage holds the answer most often). The best few are quoted in reading order,
each with its ``[n]``; a question in several parts gets the best unit for each part.

Whether to answer at all is a separate judgement: the rank says which passage is best,
not that any is good. A unit's *evidence* is its score without the rank plus how well
its whole passage matches the question (shared terms, embedding similarity); when no
unit's evidence reaches ``CONFIDENCE_BAR`` the answer is an honest refusal.

Deterministic: same passages, same answer. Sentences about the page itself ("This page
explains…") and units that address a model ("ignore previous instructions…") are never
quoted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.embeddings import Embedder
from retrieval.guards import looks_like_instruction, strip_instructions
from retrieval.prompt import REFUSAL
from retrieval.text import sentences, table_cells, terms
from retrieval.types import Passage
from retrieval.vectors import embed_texts

CONFIDENCE_BAR = 0.89
"""Calibrated on data/corpus + data/evals/sample.jsonl (127 questions, MiniLM) by sweeping
the bar over ``Extract.best_score``: the best evidence of answerable questions is
0.49–1.82 (median 1.22), of unanswerable ones 0.58–1.13 (median 0.86). Every bar from
0.67 to 0.97 is 0.80–0.85 accurate; lower bars answer more and refuse less. 0.89 is the
most accurate bar that refuses most unanswerable questions: it answers 89% of the
answerable and refuses 60% of the unanswerable (0.835 accuracy); 0.97 would balance
them at 80% each. Recalibrate whenever the weights below change."""
_DENSE, _LEXICAL, _FRAME = 0.55, 0.35, 0.10
_RANK = 0.15
"""Added to units of the top-ranked passage, and ``_RANK / n`` for passage ``n``."""
_COVERAGE, _PASSAGE = 0.4, 0.6
"""Evidence weights of the unit's whole passage: the share of the question's terms it
holds (a question about something the documents never mention misses words) and its
embedding similarity to the question (paraphrases share no words)."""
_CUE = 0.06
"""Added when a unit holds the kind of answer the question asks for (a number, a name)."""
_KEEP_WITHIN = 0.7
"""Further units are quoted when they score within this fraction of the best."""
_MAX_UNITS = 4
_MIN_PART_TERMS = 2
_PART_BREAK = re.compile(
    r"\?\s+|[,;]?\s+and\s+(?=(?:where|when|what|which|who|how|is|are|do|does|can|aren't|isn't)\b)",
    re.IGNORECASE,
)
"""Where a question in several parts breaks: after a "?", or at "and where/when/is…"."""
_MIN_WORDS = 4
_LIST_MARK = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_RULE_CELL = re.compile(r"^:?-{3,}:?$")
"""A Markdown table's header rule (``| --- | :---: |``)."""

_WANTS_NUMBER = re.compile(
    r"\b(?:how (?:many|much|long|often|soon|far|old|big|large|high|low|fast|quickly)"
    r"|what (?:percentage|percent|proportion|share|amount|rate|number|year|date|day|time|"
    r"month|age|limit|price|cost)|(?:which|what) (?:date|day|year|month)"
    r"|when|until|by what)\b",
    re.IGNORECASE,
)
_WANTS_NAME = re.compile(r"\b(?:who|whom|whose)\b", re.IGNORECASE)
_NUMBER = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"hundred|thousand|million|half|twice|weekly|monthly|daily|annually|january|february|"
    r"march|april|may|june|july|august|september|october|november|december|monday|tuesday|"
    r"wednesday|thursday|friday)\b",
    re.IGNORECASE,
)
_NAME = re.compile(r"\b[A-Z][a-z]+(?:[-'’][A-Za-z]+)? [A-Z][a-z]+|[\w.+-]+@[\w-]+\.[\w.]+")
"""Two capitalised words in a row (a person, a team) or an e-mail address."""
_META_SENTENCE = re.compile(
    r"^(?:this|the) (?:page|document|guide|section|article|faq|note|notes|wiki|doc|file)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Pick:
    n: int
    position: int
    sentence: str
    score: float
    """How well the unit answers, for choosing what to quote (includes the passage rank)."""
    evidence: float
    """Whether anything answers at all (held against the refusal bar): the score without
    the rank, plus how well the unit's whole passage matches the question."""


@dataclass(frozen=True)
class Extract:
    text: str
    picks: list[Pick]
    refused: bool
    best_score: float


@dataclass(frozen=True)
class Unit:
    """A quotable unit of a passage and the lead-in or table header that frames it."""

    position: int
    text: str
    frame: str


def score_sentences(question: str, passages: Sequence[Passage], embedder: Embedder) -> list[Pick]:
    """Every quotable unit of ``passages`` with its score, unsorted."""
    wanted = set(terms(question))
    candidates = [(p, u) for p in passages for u in quotable_units(p.text)]
    if not candidates or not wanted:
        return []
    covered = {id(p): _share(wanted, " ".join([p.text, p.title, *p.section])) for p in passages}
    units = [u.text for _, u in candidates]
    vectors = embed_texts(embedder, [question, *units, *(p.text for p in passages)])
    asked = vectors[question]
    near = {id(p): float(vectors[p.text] @ asked) for p in passages}
    cue = _cue(question)
    picks = []
    for passage, unit in candidates:
        cosine = float(np.clip(vectors[unit.text] @ asked, 0, 1))
        lexical = _share(wanted, unit.text)
        framed = _share(wanted, " ".join([passage.title, *passage.section, unit.frame]))
        score = _DENSE * cosine + _LEXICAL * lexical + _FRAME * framed
        if cue is not None and cue.search(unit.text):
            score += _CUE
        rank = _RANK / max(passage.n, 1)
        evidence = score + _COVERAGE * covered[id(passage)] + _PASSAGE * near[id(passage)]
        picks.append(Pick(passage.n, unit.position, unit.text, score + rank, evidence))
    return picks


def _share(wanted: set[str], text: str) -> float:
    """The share of the question's terms ``wanted`` that occur in ``text``."""
    return len(wanted & set(terms(text))) / len(wanted)


def extractive_answer(
    question: str,
    passages: Sequence[Passage],
    embedder: Embedder,
    bar: float = CONFIDENCE_BAR,
) -> Extract:
    """The best units, cited, in reading order; or the refusal.

    A question in several parts ("…, and when is …?") also gets the best unit for each
    part whose evidence clears the bar, so the second half is not crowded out.
    """
    scored = sorted(score_sentences(question, passages, embedder), key=lambda p: -p.score)
    evidence = max((p.evidence for p in scored), default=0.0)
    if evidence < bar:
        return Extract(REFUSAL, [], refused=True, best_score=evidence)
    chosen: list[Pick] = [scored[0]]
    for part in _parts(question):
        answers = [p for p in score_sentences(part, passages, embedder) if p.evidence >= bar]
        if answers:
            _add(chosen, max(answers, key=lambda p: p.score))
    for pick in scored:
        if len(chosen) >= _MAX_UNITS or pick.score < scored[0].score * _KEEP_WITHIN:
            break
        _add(chosen, pick)
    chosen.sort(key=lambda p: (p.n, p.position))
    text = " ".join(_cited(p.sentence, p.n) for p in chosen)
    return Extract(text, chosen, refused=False, best_score=evidence)


def _add(chosen: list[Pick], pick: Pick) -> None:
    """Append ``pick`` unless it says what a chosen unit says (same content words)."""
    if all(set(terms(pick.sentence)) != set(terms(c.sentence)) for c in chosen):
        chosen.append(pick)


def _parts(question: str) -> list[str]:
    """The sub-questions of a question in several parts; [] for a single question."""
    parts = [p for p in _PART_BREAK.split(question) if len(terms(p)) >= _MIN_PART_TERMS]
    return parts if len(parts) > 1 else []


def quotable_units(text: str) -> list[Unit]:
    """The units of ``text`` worth quoting, in reading order.

    Table rows come with their header (the first row of each table); a lead-in ending
    in ":" frames the list items or rows after it; headings, header rows, very short
    fragments and instruction-like text are left out.
    """
    text = strip_instructions(text)
    units: list[Unit] = []
    header: list[str] | None = None
    lead = ""
    for position, raw in enumerate(sentences(text)):
        cells = table_cells(raw)
        if cells is not None:
            if all(_RULE_CELL.match(c) for c in cells if c):
                continue
            if header is None:
                header = cells
                continue
            unit = _row(header, cells)
        else:
            header = None
            if _HEADING.match(raw):
                lead = ""
                continue
            item = _LIST_MARK.match(raw)
            unit = _LIST_MARK.sub("", raw).strip()
            if unit.endswith(":"):
                lead = unit
                continue
            if not item:
                lead = ""
        if _quotable(unit):
            units.append(Unit(position, unit, lead))
    return units


def _quotable(unit: str) -> bool:
    """Long enough to say something, about the subject rather than the page, and not
    addressed to a model."""
    return (
        len(unit.split()) >= _MIN_WORDS
        and not _META_SENTENCE.match(unit)
        and not looks_like_instruction(unit)
    )


def _row(header: list[str], cells: list[str]) -> str:
    """A table row as ``Header: value; …`` (as it is when the shapes disagree)."""
    if len(header) != len(cells):
        return " | ".join(cells)
    return "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True) if c)


def _cue(question: str) -> re.Pattern[str] | None:
    """What a unit must hold to answer the kind of question asked (None: no preference)."""
    if _WANTS_NAME.search(question):
        return _NAME
    if _WANTS_NUMBER.search(question):
        return _NUMBER
    return None


def _cited(sentence: str, n: int) -> str:
    """``sentence [n].``: the marker goes before the sentence's closing punctuation."""
    body = sentence.rstrip()
    if body[-1:] in (".", "!", "?"):
        return f"{body[:-1]} [{n}]{body[-1]}"
    return f"{body} [{n}]."
