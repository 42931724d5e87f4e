"""Whether the retrieved text speaks of every word a question turns on.

A question the documents do not answer usually still finds a page on its subject:
"Do we get an extra day off for our birthday?" finds the holiday page, "Can I bring my
dog into the office?" the office page. To the sentence embedding such a page looks like
an answer (the subject matches), and no similarity threshold tells it from a question
asked in other words than the handbook's, which also shares little wording with its
answer. What does tell them apart is the one word the question turns on: the holiday
page never speaks of birthdays, while a question about "vacation" is still *about* what
the holiday page says.

So each content word of the asks is taken out of the question in turn and both forms
embedded. The difference of the two vectors is the direction that word adds to the
question's meaning; its length says how much the word matters (a filler like "actually"
barely moves the question, "birthday" moves it a lot). A unit or passage speaks of the
word when its vector leans toward that direction. A word that matters and that none of
the best units and no passage leans toward, and that no best unit says in other words,
is a subject the documents do not cover: the answerer refuses, naming the word.

A word most of the documents found hold is passed over, however far it moves the
question (``common_terms``): in "Does dxw sponsor visas?" the company's name moves it
most, and nearly every page says "dxw"; the question turns on "visas". So is the noun
that names the kind of thing asked for ("which *tool*?", answered by "Figma"). And a
close word counts only among the best units, where an answer would be: a passage is
long and speaks of many things (a research page's "applications, like those for
visas").

The check is deliberately strict (a word must matter a lot and be met nowhere), so that
it refuses only the clear cases: fitted thresholds would refuse paraphrases. Measured on
both our sample and the dxw handbook (docs/evals.md, session 7).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from core.embeddings import Embedder
from retrieval.text import STOPWORDS, terms
from retrieval.vectors import embed_texts

MATTERS = 0.35
"""How far taking a word out must move the question's (unit-length) vector for the
word to count as one the question turns on."""
SPOKEN_OF = 0.05
"""How far a unit's or passage's vector must lean toward a word's direction (the cosine
of the two) to speak of the word."""
SAME_WORD = 0.6
"""A word is also met when the texts use a word this close to it, each embedded alone
("vacation" and "holiday" 0.64; "birthday" and "day" 0.54): in a short question one
word can carry the whole subject, and its direction then leans toward no sentence
that says it in other words."""

_COMMON, _DOCUMENTS = 0.5, 3
"""A word at least this share of the documents found hold, when they are at least this
many, is the organisation's own vocabulary (its name), not what a question turns on."""

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")


def unaddressed(
    question: str,
    words: Iterable[str],
    embedder: Embedder,
    texts: Sequence[str],
    vectors: np.ndarray,
    units: int | None = None,
) -> str | None:
    """The word (as the question spells it) that ``question`` turns on most among
    ``words`` (content terms, as ``retrieval.text.terms`` gives them), when it matters
    enough, none of ``texts`` (embedded as ``vectors``, one row each) leans toward it
    and none of the first ``units`` of them (the best units; all when None) uses a word
    close to it; else None."""
    spelled = _spellings(question)
    others = variants(question, words)
    if not others:
        return None
    embedded = embed_texts(embedder, [question, *others.values()])
    whole = embedded[question]
    directions = {w: whole - embedded[v] for w, v in others.items()}
    word, direction = max(directions.items(), key=lambda item: float(np.linalg.norm(item[1])))
    matters = float(np.linalg.norm(direction))
    if matters < MATTERS or float((vectors @ direction).max()) / matters >= SPOKEN_OF:
        return None
    return None if _synonym_in(spelled[word], texts[:units], embedder) else spelled[word]


def common_terms(documents: Sequence[set[str]]) -> set[str]:
    """The terms most of ``documents`` (the terms found in each document) hold, when
    they are enough to tell: the words ``unaddressed`` passes over."""
    if len(documents) < _DOCUMENTS:
        return set()
    counts = Counter(t for held in documents for t in held)
    return {t for t, n in counts.items() if n >= _COMMON * len(documents)}


def _synonym_in(word: str, texts: Sequence[str], embedder: Embedder) -> bool:
    """Whether ``texts`` use a word close to ``word`` in meaning, each embedded alone
    (only asked of a word already unmet, so the cost is rare)."""
    used = sorted({w.lower() for t in texts for w in _TOKEN.findall(t)} - STOPWORDS)
    embedded = embed_texts(embedder, [word.lower(), *used])
    target = embedded[word.lower()]
    return any(float(embedded[w] @ target) >= SAME_WORD for w in used if w != word.lower())


def variants(question: str, words: Iterable[str]) -> dict[str, str]:
    """``question`` without each of ``words`` in turn (by term; the texts ``unaddressed``
    embeds besides the question), for the words it holds."""
    spelled = _spellings(question)
    out = {w: _without(question, w) for w in sorted(set(words)) if w in spelled}
    return {w: v for w, v in out.items() if v and v != question}


def _spellings(question: str) -> dict[str, str]:
    """Each content term of ``question`` and the word it was first spelled as."""
    out: dict[str, str] = {}
    for match in _TOKEN.finditer(question):
        for term in terms(match.group()):
            out.setdefault(term, match.group())
    return out


def _without(question: str, term: str) -> str:
    """``question`` with every word whose term is ``term`` taken out."""
    out, last = [], 0
    for match in _TOKEN.finditer(question):
        if terms(match.group())[:1] == [term]:
            out.append(question[last : match.start()])
            last = match.end()
    out.append(question[last:])
    return re.sub(r"\s+", " ", "".join(out)).strip()
