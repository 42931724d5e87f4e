"""The offline answerer: quote the sentences of the sources that answer the question.

Used when no LLM is configured, and as the fallback when one fails. It works in three
steps, each written for questions and documents in general, not for one corpus:

1. **Read the question** (``retrieval.question``): the asks (a question in several
   parts gets one per part), the kind of answer each wants (a number, a duration, a
   frequency, a time, a person, a place, a name, the steps, a yes or no), and the
   context around them.
2. **Score every quotable unit** of the retrieved passages — sentences, list items, and
   table rows quoted with their header — for each ask: embedding similarity to the ask
   and to the whole question, the share of the ask's words the unit holds (weighted by
   how rare each word is among the candidate units, so "birthday" counts for more than
   "leave"), the share of the context's words, whether the unit has the shape of the
   answer the ask wants, and how well its whole passage matches. Units are quoted
   verbatim, so an answer can never say what the sources do not.
3. **Choose and join**: the best unit of the first passage leads, then the best unit of
   each ask, in the order the question asks them; a unit brings the neighbour that
   carries the rest of its answer (a list's lead-in, the sentence a "This…" leans on,
   the next sentence when it has the shape the ask wants and the unit has not, a short
   list whole, a procedure's steps in order); then the runners-up that score at least
   ``_KEEP_WITHIN`` of their ask's best, up to ``_UNITS`` plus ``_UNITS_PER_ASK`` per
   ask, and beyond that, up to ``_MAX_UNITS``, those within ``_MORE_WITHIN`` of their
   ask's best (when several units score alike, the answer is spread over them); last,
   the best unit of each of the first ``_DOCUMENTS`` documents not yet quoted, when it
   scores within ``_KEEP_WITHIN`` of the best (the page that answers is not always the
   one whose units fill the places). Each unit is cited with its ``[n]``.

Whether to answer at all is separate (``confidence``): the best unit always exists, but
a question the documents do not cover has no passage that holds its rarest words and no
unit close to it in meaning. The weights of that judgement were fitted on two corpora at
once — our sample and a real staff handbook — and checked across them (docs/evals.md).
Past that bar the answer is still refused when the word the question turns on is one no
retrieved passage speaks of (``retrieval.coverage``: "birthday" against the holiday
page), and the refusal names it. It is refused too when a value is asked for and the
best units only say where it is kept (``retrieval.deferral``: "can be found in
Basecamp"), and the refusal quotes that sentence; and when an amount of money is asked
for, a date or a notice period, and none of them states one (``retrieval.values``: "We
provide a home office budget"). A refusal still shows what came closest, so the person
can judge.

Deterministic: same passages, same answer. Sentences about the page itself ("This page
explains…") and units that address a reader or a model are never quoted.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.embeddings import Embedder
from retrieval.coverage import common_terms, unaddressed
from retrieval.deferral import LOOK_AT as VALUE_LOOK_AT
from retrieval.deferral import VALUE_KINDS, defers
from retrieval.guards import looks_like_instruction, strip_instructions
from retrieval.prompt import REFUSAL
from retrieval.question import FORM_WORDS, Ask, Kind, Question, analyse, cue
from retrieval.text import block_sentences, table_cells, terms
from retrieval.types import Passage
from retrieval.values import states, wanted
from retrieval.vectors import embed_texts

# -- scoring a unit for an ask ---------------------------------------------------------------
_DENSE_ASK, _DENSE_QUESTION = 0.30, 0.55
"""Embedding similarity of the unit to the ask alone and to the whole question (an ask
like "how do I ask for it?" leans on the question's other sentences)."""
_LEXICAL, _CONTEXT, _FRAME_SHARE = 0.45, 0.30, 0.5
"""Weighted share of the ask's words in the unit; of the context's words in the unit or
its frame; a word found only in the frame (title, section, lead-in) counts this much."""
_ROOT = 6
"""Letters the shorter of two terms must have for one beginning with the other to count
as forms of one word: at 5, short stems joined unrelated words and the sample set lost a
refusal (docs/evals.md, session 11)."""
_CUE = 0.20
"""Added when the unit has the shape of the answer the ask wants."""
_PASSAGE, _PASSAGE_WORDS, _RANK = 0.40, 0.05, 0.15
"""The unit's passage: its similarity to the question, its share of the question's words
(asks and context), and ``_RANK / n`` for search rank n."""

# -- choosing -----------------------------------------------------------------------------
_LEAD_WITHIN = 0.4
"""The first passage's best unit leads when it scores within this fraction of the best.
Lowered from 0.7 in session 8: a section found first whose text is only a phone number
or a link ("Phone: 0345 …" under "Employee Assistance Programme") scores low on its
own words; every value from 0 to 0.55 gives the same figures on all three sets."""
_KEEP_WITHIN = 0.45
"""Further units are quoted only when they score within this fraction of their ask's best."""
_UNITS, _UNITS_PER_ASK = 4, 2
"""Units quoted whatever the scores (given ``_KEEP_WITHIN``), once every ask has its best
and its neighbours: this many, plus this many per ask (a question in three parts needs
room for three answers)."""
_MAX_UNITS, _MORE_WITHIN = 8, 0.3
"""Beyond that, runners-up scoring within this much of their ask's best are quoted too,
up to this many plus ``_UNITS_PER_ASK`` per ask. A clear best answers alone; a flat top
means the facts are spread over several units (the cap, the exception, the form), and
on real handbooks the one that holds the asked-for fact is often fourth to eighth. An
absolute gap, not a share of the best: the passage terms every unit of a good passage
shares make every share high. Against a fixed seven, answers on the sample set are as
long as before and dxw's a fifth longer (docs/evals.md, session 5)."""
_DOCUMENTS = 3
"""The documents whose best unit an answer quotes, when it scores within
``_KEEP_WITHIN`` of the best: on real handbooks the page that answers a paraphrased
question is often third among the documents found, below a neighbouring topic whose
units fill every place ("late nights" finds working hours before time off in lieu).
At 2, dxw cites one more gold page; at 3, two more, and the sample set one; 4 gives the
same figures with longer answers (docs/evals.md, session 13)."""
_LOOK_AT = 12
"""Runners-up considered per ask."""
_MAX_STEPS = 6
"""A procedure's steps quoted around the best one, in order, at most."""
_MAX_SIBLINGS = 4
"""A list under a lead-in is quoted whole when it has at most this many items."""
_MIN_WORDS = 4
_MIN_ITEM_WORDS = 2
_CLOSEST = 3
"""Passages a refusal names as the closest found."""
_MEETS = 10
"""Best units (with every passage) that must speak of each word the question turns on
(``retrieval.coverage``)."""
_LEANS_BACK = re.compile(
    r"^(?:this|that|these|those|it|they|such|however|but|otherwise|also|if so|in this case|"
    r"in that case|instead|then)\b"
    r"|^(?:\S+\s+){1,5}(?:this|these|those|such)\s+(?!is\b|are\b|was\b|will\b|can\b|may\b)\w+",
    re.IGNORECASE,
)
"""A sentence starting so, or naming "this vetting" / "these checks" in its first words,
leans on the one before it."""

# -- refusing -----------------------------------------------------------------------------
CONFIDENCE_BAR = 0.20
"""Answer when ``confidence`` reaches this. Since a short ask after context counts as
leaning on it (session 9), bars from 0.19 to 0.21 give the same figures on the sample
and dxw sets but for more of the sample's unknowns refused (0.24, 0.28, 0.32), and 0.215
refuses a dxw answer; 0.20 keeps a margin from that edge (docs/evals.md, session 9). A
refusal of a question the documents answer is the failure people notice; the price of
a lower bar is fewer unknowns refused."""
_CONFIDENCE = (-5.11, 1.51, 1.66, 0.79, 2.74, 2.32)
"""Intercept and weights of ``_Scorer.features``: a logistic regression (balanced
classes) fitted on the sample set and the dxw development set together, with the
answerer's weights above fixed; ``python -m evals.refusal`` refits and prints the
cross-corpus check."""

_LIST_MARK = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_RULE_CELL = re.compile(r"^:?-{3,}:?$")
"""A Markdown table's header rule (``| --- | :---: |``)."""
_META_SENTENCE = re.compile(
    r"^(?:this|the) (?:page|document|guide|section|article|faq|note|notes|wiki|doc|file)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Pick:
    """A quoted unit of passage ``n``."""

    n: int
    position: int
    sentence: str
    score: float


@dataclass(frozen=True)
class Extract:
    text: str
    picks: list[Pick]
    refused: bool
    best_score: float
    """The answer's confidence (held against ``CONFIDENCE_BAR``)."""
    closest: list[Pick]
    """On a refusal: the best unit of each passage that came closest, best first. The
    refusal's text names them ("The closest I found: …") so the person can judge."""
    unmet: str = ""
    """On a refusal for that reason: the word the question turns on that no passage
    speaks of (``retrieval.coverage``)."""


@dataclass(frozen=True)
class Unit:
    """A quotable unit of a passage and what frames it."""

    position: int
    text: str
    frame: str
    """The lead-in ending in ":" of the list or table the unit is in; "" when none."""
    block: int
    item: bool
    """A list item or table row (steps and rows are quoted together)."""
    lead: bool = False
    """A lead-in ending in ":": never an answer alone, quoted with its items."""


@dataclass
class _Candidate:
    passage: Passage
    unit: Unit
    index: int
    """Position in the candidate list (neighbours are index ± 1 within a passage)."""


def extractive_answer(
    question: str,
    passages: Sequence[Passage],
    embedder: Embedder,
    bar: float = CONFIDENCE_BAR,
) -> Extract:
    """The best units for each part of ``question``, cited; or a refusal."""
    scorer = _scorer(question, passages, embedder)
    if scorer is None:
        return Extract(REFUSAL, [], refused=True, best_score=0.0, closest=[])
    asked, candidates = scorer.asked, scorer.candidates
    answerable = [c for c in candidates if not c.unit.lead]
    confidence = scorer.confidence()
    if confidence < bar:
        return _refusal(confidence, answerable, scorer)
    best_first = sorted(answerable, key=lambda c: -scorer.best_score(c))
    if unmet := scorer.unmet(best_first[:_MEETS]):
        return _refusal(confidence, answerable, scorer, unmet)
    ranked = {id(a): sorted(answerable, key=lambda c, a=a: -scorer.score(a, c)) for a in asked.asks}
    if pointer := scorer.deferring(ranked):
        return _refusal(confidence, answerable, scorer, pointer=pointer)
    if value := scorer.unstated(ranked):
        return _refusal(confidence, answerable, scorer, unstated=value)
    chosen: list[_Candidate] = []
    # The first passage's best unit leads: search rank is the surest sign of where the
    # answer is (a paraphrased question shares few words with the sentence that answers
    # it, but its section is found), and the unit that scores best overall may sit in a
    # neighbouring topic.
    first = min(c.passage.n for c in answerable)
    lead = max((c for c in answerable if c.passage.n == first), key=scorer.best_score)
    if scorer.best_score(lead) >= _LEAD_WITHIN * max(map(scorer.best_score, answerable)):
        ask = max(asked.asks, key=lambda a: scorer.score(a, lead))
        _add_with_neighbours(chosen, lead, ask, candidates)
    for ask in asked.asks:
        _add_with_neighbours(chosen, ranked[id(ask)][0], ask, candidates)
    # Then the runners-up of every ask, best share of their ask's best first: an answer's
    # other facts (the cap, the exception, the deadline) are often a sentence away.
    best = {id(a): scorer.score(a, ranked[id(a)][0]) for a in asked.asks}
    more = sorted(
        (
            (scorer.score(ask, c) / best[id(ask)], ask, c)
            for ask in asked.asks
            for c in ranked[id(ask)][1:_LOOK_AT]
        ),
        key=lambda t: -t[0],
    )
    per_ask = _UNITS_PER_ASK * len(asked.asks)
    for share, ask, c in more:
        if len(chosen) >= _MAX_UNITS + per_ask or share < _KEEP_WITHIN:
            break
        close = best[id(ask)] - scorer.score(ask, c) <= _MORE_WITHIN
        if len(chosen) < _UNITS + per_ask or close:
            _add_with_neighbours(chosen, c, ask, candidates)
    _add_other_documents(chosen, best_first, scorer, candidates)
    picks = [Pick(c.passage.n, c.unit.position, c.unit.text, scorer.best_score(c)) for c in chosen]
    return Extract(_render(chosen), picks, refused=False, best_score=confidence, closest=[])


def confidence_features(
    question: str, passages: Sequence[Passage], embedder: Embedder
) -> tuple[float, ...] | None:
    """What the refusal judgement weighs for ``question`` (None: nothing to quote at all);
    ``evals.refusal`` fits ``_CONFIDENCE`` on these."""
    scorer = _scorer(question, passages, embedder)
    return None if scorer is None else scorer.features()


def _scorer(question: str, passages: Sequence[Passage], embedder: Embedder) -> _Scorer | None:
    """The scorer of every quotable unit of ``passages``; None when there is none."""
    asked = analyse(question)
    units = [(p, u) for p in passages for u in quotable_units(p.text, keep_leads=True)]
    candidates = [_Candidate(p, u, i) for i, (p, u) in enumerate(units)]
    if all(c.unit.lead for c in candidates) or not asked.ask_terms | set(asked.context_terms):
        return None
    return _Scorer(asked, passages, candidates, embedder)


def _refusal(
    confidence: float,
    answerable: list[_Candidate],
    scorer: _Scorer,
    unmet: str = "",
    pointer: _Candidate | None = None,
    unstated: str = "",
) -> Extract:
    """The honest refusal, naming the word no passage speaks of (``unmet``, when that
    is the reason), quoting the sentence that says where the value is kept
    (``pointer``) or saying that no amount or date is given (``unstated``), and the passages
    that came closest."""
    best: dict[int, _Candidate] = {}
    for c in answerable:
        held = best.get(c.passage.n)
        if held is None or scorer.best_score(c) > scorer.best_score(held):
            best[c.passage.n] = c
    if pointer is not None:
        best[pointer.passage.n] = pointer
    ranked = sorted(best.values(), key=lambda c: (c is not pointer, -scorer.best_score(c)))
    ranked = ranked[:_CLOSEST]
    closest = [
        Pick(c.passage.n, c.unit.position, c.unit.text, scorer.best_score(c)) for c in ranked
    ]
    names = "; ".join(f"{_place(c.passage)} [{c.passage.n}]" for c in ranked)
    text = REFUSAL
    if unmet:
        text += f" None of the passages I found speaks of “{unmet}”."
    if pointer is not None:
        said = _cited(pointer.unit.text, pointer.passage.n)
        text += f" They say where it is kept: “{said.rstrip('.')}”."
    if unstated:
        text += f" The passages I found speak of it but give no {unstated}."
    if names:
        text += f" The closest I found: {names}."
    return Extract(text, [], refused=True, best_score=confidence, closest=closest, unmet=unmet)


def _place(p: Passage) -> str:
    """``Title › Section`` of a passage, as a refusal names it."""
    return " › ".join(dict.fromkeys(x for x in [p.title or p.path, *p.section[-1:]] if x))


class _Scorer:
    """Scores of every candidate unit for each ask, and the answer's confidence."""

    def __init__(
        self,
        asked: Question,
        passages: Sequence[Passage],
        candidates: list[_Candidate],
        embedder: Embedder,
    ) -> None:
        self.asked = asked
        self.candidates = candidates
        texts = [asked.text, *(a.text for a in asked.asks)]
        texts += [c.unit.text for c in candidates] + [p.text for p in passages]
        self.vectors = embed_texts(embedder, texts)
        unit_terms = [set(terms(c.unit.text)) for c in candidates]
        # "approved" meets "approval"; a unit's own "step" or "way" does not make it an
        # answer (its heading's does, through the frame).
        asked_terms = asked.ask_terms | set(asked.context_terms)
        self.words = {
            id(c): (words | _other_forms(asked_terms, words)) - FORM_WORDS
            for c, words in zip(candidates, unit_terms, strict=True)
        }
        self.frames = {
            id(c): set(terms(" ".join([c.passage.title, *c.passage.section, c.unit.frame])))
            for c in candidates
        }
        document_frequency: dict[str, int] = {}
        for words in unit_terms:
            for word in words:
                document_frequency[word] = document_frequency.get(word, 0) + 1
        units = len(candidates)
        self.weight = {
            t: math.log(1 + units / (1 + document_frequency.get(t, 0)))
            for t in asked.ask_terms | set(asked.context_terms)
        }
        q = self.vectors[asked.text]
        self.near = {id(p): float(self.vectors[p.text] @ q) for p in passages}
        everything = (*asked.ask_terms, *asked.context_terms)
        self.passage_terms = {id(p): set(terms(p.text)) for p in passages}
        self.covered = {
            id(p): self._share(everything, self.passage_terms[id(p)], _frame_terms(p))
            for p in passages
        }
        self.rank = {id(p): max(p.n, 1) for p in passages}
        self.passages = passages
        self.embedder = embedder
        self._cache: dict[tuple[int, int], float] = {}

    def _share(self, wanted: Sequence[str], found: set[str], framed: set[str]) -> float:
        total = sum(self.weight[t] for t in set(wanted))
        if not total:
            return 0.0
        got = sum(
            self.weight[t] * (1.0 if t in found else _FRAME_SHARE)
            for t in set(wanted)
            if t in found or t in framed
        )
        return got / total

    def score(self, ask: Ask, c: _Candidate) -> float:
        key = (id(ask), c.index)
        if key not in self._cache:
            self._cache[key] = self._score(ask, c)
        return self._cache[key]

    def _score(self, ask: Ask, c: _Candidate) -> float:
        unit = self.vectors[c.unit.text]
        dense = _DENSE_ASK * _cos(unit, self.vectors[ask.text]) + _DENSE_QUESTION * _cos(
            unit, self.vectors[self.asked.text]
        )
        words, framed = self.words[id(c)], self.frames[id(c)]
        lexical = _LEXICAL * self._share(ask.terms, words, framed)
        context = _CONTEXT * self._share(self.asked.context_terms, words, framed)
        shaped = _CUE if ask.kind is not Kind.OTHER and cue(ask.kind, c.unit.text) else 0.0
        p = id(c.passage)
        passage = (
            _PASSAGE * max(self.near[p], 0.0)
            + _PASSAGE_WORDS * self.covered[p]
            + _RANK / self.rank[p]
        )
        return dense + lexical + context + shaped + passage

    def best_score(self, c: _Candidate) -> float:
        return max(self.score(a, c) for a in self.asked.asks)

    def confidence(self) -> float:
        """How likely the passages hold an answer at all (0–1)."""
        bias, *weights = _CONFIDENCE
        z = bias + sum(w * f for w, f in zip(weights, self.features(), strict=True))
        return 1 / (1 + math.exp(-z))

    def features(self) -> tuple[float, float, float, float, float]:
        """What ``confidence`` weighs: the best unit's similarity to the whole question;
        the best passage's; how far that passage stands out from the median one (a page
        about the subject stands out, a near-topic crowd does not); the best unit's
        score for any ask (which holds its words, its shape and its passage); and
        whether an ask names its subject only by pointing back at the context (1 or 0:
        such an ask reads low on the other four, ``Question.leans_on_context``)."""
        q = self.vectors[self.asked.text]
        units = [c for c in self.candidates if not c.unit.lead]
        similarity = max(_cos(self.vectors[c.unit.text], q) for c in units)
        nears = sorted(self.near.values(), reverse=True)
        standout = nears[0] - float(np.median(nears))
        best = max(self.score(a, c) for a in self.asked.asks for c in units)
        return similarity, nears[0], standout, best, float(self.asked.leans_on_context)

    def deferring(self, ranked: dict[int, list[_Candidate]]) -> _Candidate | None:
        """A unit among the few best for an ask that wants a value (``ranked``: each
        ask's units, best first) which says where the value is kept instead of giving
        it, and scores within ``_MORE_WITHIN`` of the ask's best (``retrieval.deferral``);
        None when none."""
        for ask in self.asked.asks:
            if ask.kind in VALUE_KINDS:
                top = ranked[id(ask)][:VALUE_LOOK_AT]
                best = self.score(ask, top[0])
                for c in top:
                    if defers(c.unit.text) and best - self.score(ask, c) <= _MORE_WITHIN:
                        return c
        return None

    def unstated(self, ranked: dict[int, list[_Candidate]]) -> str:
        """The exact value (an amount of money, a date) an ask wants that none of its
        few best units (``ranked``: each ask's units, best first) states; "" when every
        ask's is there or none wants one (``retrieval.values``)."""
        for ask in self.asked.asks:
            value = wanted(ask.text, ask.kind, self.asked.text)
            top = ranked[id(ask)][:VALUE_LOOK_AT]
            if value and not any(states(value, c.unit.text, item=c.unit.item) for c in top):
                return value
        return ""

    def unmet(self, best: Sequence[_Candidate]) -> str:
        """The word the question turns on that neither ``best`` nor any passage speaks
        of ("" when none): a subject the documents found do not cover."""
        texts = [c.unit.text for c in best] + [p.text for p in self.passages]
        vectors = np.stack([self.vectors[t] for t in texts])
        by_document: dict[str, set[str]] = {}
        for p in self.passages:
            by_document.setdefault(p.doc_id, set()).update(self.passage_terms[id(p)])
        common = common_terms(list(by_document.values()))
        asked = self.asked
        words = asked.ask_terms - asked.categories - common
        word = unaddressed(asked.text, words, self.embedder, texts, vectors, len(best))
        return word or ""


def _add_other_documents(
    chosen: list[_Candidate],
    best_first: list[_Candidate],
    scorer: _Scorer,
    candidates: list[_Candidate],
) -> None:
    """Quote the best unit of each of the first ``_DOCUMENTS`` documents (ranked by
    their best unit; ``best_first``: the answerable units, best first) that no chosen
    unit is from, when it scores within ``_KEEP_WITHIN`` of the best: the person sees
    every page that may hold the answer, each by its closest sentence."""
    top = scorer.best_score(best_first[0])
    by_document: dict[str, _Candidate] = {}
    for c in best_first:
        by_document.setdefault(c.passage.doc_id, c)
    quoted = {c.passage.doc_id for c in chosen}
    for doc, c in list(by_document.items())[:_DOCUMENTS]:
        if doc not in quoted and scorer.best_score(c) >= _KEEP_WITHIN * top:
            ask = max(scorer.asked.asks, key=lambda a: scorer.score(a, c))
            _add_with_neighbours(chosen, c, ask, candidates)


def _other_forms(wanted: set[str], words: set[str]) -> set[str]:
    """The terms of ``wanted`` that ``words`` hold in another form of the same word:
    one begins with the other and the shorter has at least ``_ROOT`` letters
    ("approv" and "approval", "resign" and "resignation", "reimburse" and
    "reimbursement"), which the light stemmer of ``retrieval.text`` leaves apart."""
    return {
        t
        for t in wanted - words
        if len(t) >= _ROOT
        and any(len(w) >= _ROOT and (w.startswith(t) or t.startswith(w)) for w in words)
    }


def _frame_terms(p: Passage) -> set[str]:
    return set(terms(" ".join([p.title, *p.section])))


def _add_with_neighbours(
    chosen: list[_Candidate], c: _Candidate, ask: Ask, candidates: list[_Candidate]
) -> None:
    """Add ``c`` and the neighbours that carry the rest of its answer, in reading order."""
    group = [c]
    before = _neighbour(candidates, c, -1)
    if before and not before.unit.lead and _LEANS_BACK.match(c.unit.text):
        group.insert(0, before)
    after = _neighbour(candidates, c, +1)
    if after and not after.unit.lead and not c.unit.item:
        wants = ask.kind is not Kind.OTHER
        completes = wants and not cue(ask.kind, c.unit.text) and cue(ask.kind, after.unit.text)
        if completes or _LEANS_BACK.match(after.unit.text):
            group.append(after)
    if c.unit.item:
        siblings = _list_of(candidates, c)
        if c.unit.frame and len(siblings) <= _MAX_SIBLINGS:
            group = siblings  # a short framed list answers as a whole ("full pay for…, then…")
        elif ask.kind is Kind.PROCEDURE:
            at = siblings.index(c)
            start = max(0, min(at, len(siblings) - _MAX_STEPS))
            group = siblings[start : start + _MAX_STEPS]  # the steps, in order
    for member in group:
        if all(member.index != other.index for other in chosen) and not _repeats(chosen, member):
            chosen.append(member)


def _list_of(candidates: list[_Candidate], c: _Candidate) -> list[_Candidate]:
    """The run of list items (or rows) around item ``c`` under the same lead-in."""
    start = end = c
    while (prev := _neighbour(candidates, start, -1)) and prev.unit.item:
        if prev.unit.frame != c.unit.frame:
            break
        start = prev
    while (nxt := _neighbour(candidates, end, +1)) and nxt.unit.item:
        if nxt.unit.frame != c.unit.frame:
            break
        end = nxt
    return candidates[start.index : end.index + 1]


def _neighbour(candidates: list[_Candidate], c: _Candidate, step: int) -> _Candidate | None:
    """The unit just before (-1) or after (+1) ``c`` in the same block of its passage."""
    i = c.index + step
    if not 0 <= i < len(candidates):
        return None
    other = candidates[i]
    same_place = other.passage is c.passage and other.unit.position == c.unit.position + step
    same_block = other.unit.block == c.unit.block or (c.unit.item and other.unit.item)
    return other if same_place and same_block else None


def _repeats(chosen: list[_Candidate], c: _Candidate) -> bool:
    """``c`` says what a chosen unit says (the same content words)."""
    words = set(terms(c.unit.text))
    return any(set(terms(other.unit.text)) == words for other in chosen)


def _render(chosen: list[_Candidate]) -> str:
    """Each unit cited, in the order chosen; the items chosen from one list are a bulleted
    list under its lead-in, where the first of them was chosen (prose runs as sentences).

    Reading "You should: book it [2]. Tell your manager [2]." as one paragraph hides
    that they are steps of one list; bullets keep them together and the lead-in once.
    """
    blocks: list[tuple[tuple[int, str] | None, list[_Candidate]]] = []
    lists: dict[tuple[int, str], list[_Candidate]] = {}
    for c in chosen:
        framed = c.unit.item and c.unit.frame.endswith(":")
        key = (c.passage.n, c.unit.frame) if framed else None
        if key is not None and key in lists:
            lists[key].append(c)
        elif key is not None:
            lists[key] = [c]
            blocks.append((key, lists[key]))
        elif blocks and blocks[-1][0] is None:
            blocks[-1][1].append(c)
        else:
            blocks.append((None, [c]))
    out = []
    for key, units in blocks:
        cited = [_cited(c.unit.text, c.passage.n) for c in units]
        if key is None:
            out.append(" ".join(cited))
        else:
            out.append("\n".join([key[1], *(f"- {line}" for line in cited)]))
    return "\n\n".join(out)


def quotable_units(text: str, *, keep_leads: bool = False) -> list[Unit]:
    """The units of ``text`` worth quoting, in reading order.

    Table rows come with their header (the first row of each table); a lead-in ending
    in ":" frames the list items or rows after it (returned itself, flagged ``lead``,
    only with ``keep_leads``); headings, header rows, very short fragments and
    instruction-like text are left out.
    """
    text = strip_instructions(text)
    units: list[Unit] = []
    header: list[str] | None = None
    lead = ""
    for position, (block, raw) in enumerate(block_sentences(text)):
        cells = table_cells(raw)
        item = cells is not None
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
            item = bool(_LIST_MARK.match(raw))
            unit = _LIST_MARK.sub("", raw).strip()
            if unit.endswith(":"):
                lead = unit
                if keep_leads and _quotable(unit):
                    units.append(Unit(position, unit, "", block, item, lead=True))
                continue
            if not item:
                lead = ""
        if _quotable(unit, item):
            units.append(Unit(position, unit, lead, block, item))
    return units


def _quotable(unit: str, item: bool = False) -> bool:
    """Long enough to say something (a list item or step may be short: "Photograph the
    receipt."), about the subject rather than the page, and not addressed to a model."""
    return (
        len(unit.split()) >= (_MIN_ITEM_WORDS if item else _MIN_WORDS)
        and not _META_SENTENCE.match(unit)
        and not looks_like_instruction(unit)
    )


def _row(header: list[str], cells: list[str]) -> str:
    """A table row as ``Header: value; …`` (as it is when the shapes disagree)."""
    if len(header) != len(cells):
        return " | ".join(cells)
    return "; ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells, strict=True) if c)


def _cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.clip(a @ b, 0.0, 1.0))


def _cited(sentence: str, n: int) -> str:
    """``sentence [n].``: the marker goes before the sentence's closing punctuation."""
    body = sentence.rstrip()
    if body[-1:] in (".", "!", "?"):
        return f"{body[:-1]} [{n}]{body[-1]}"
    return f"{body} [{n}]."
