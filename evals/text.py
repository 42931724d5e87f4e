"""Text handling shared by the verifiers and the metrics: claims, citation markers,
content words, and the numbers and names a claim must not invent.

Everything here is plain string work, deterministic and model-free, so the metric
definitions in docs/evals.md can be read off this file.
"""

from __future__ import annotations

import re
from functools import lru_cache

from nltk.stem.porter import PorterStemmer

_CITATION = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_SENTENCE_END = re.compile(
    r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])"  # ". The", "? 3", '." (A'
    r"|(?<=\][.!?])\s+"  # after a footnoted sentence, whatever follows: "[1]. date | ..."
    r"|\s+[•·▪]\s+"  # inline bullets: "first point • second point"
)
_LIST_MARK = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+")
_HEADING = re.compile(r"^\s*#+\s*")
_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,:/]\d+)*%?")
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z]+(?:[-'][A-Za-z]+)?\b")
_MIN_CLAIM_WORDS = 3


def _words(spaced: str) -> list[str]:
    return spaced.split()


_STOPWORDS = frozenset(
    _words(
        """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves yes oh well really think know like get got one ok okay
    s t don re ve ll m d"""
    )
)
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        _words("zero one two three four five six seven eight nine ten eleven twelve thirteen")
        + _words("fourteen fifteen sixteen seventeen eighteen nineteen twenty")
    )
}
_NOT_NAMES = frozenset(
    _words(
        "I I'm I've I'd I'll The A An This That These Those It Its We You Our Your They Their "
        "He She His Her If In On At For From With By To Of And But Or So As When Where What "
        "Who Why How Yes No Not Also There Here Please Note Each Every All Any Some"
    )
)

_stemmer = PorterStemmer()


def strip_citations(text: str) -> str:
    """``text`` without footnote markers such as ``[1]`` or ``[2, 3]``."""
    return _CITATION.sub("", text).strip()


def cited_numbers(text: str) -> list[int]:
    """The footnote numbers a sentence cites, in order, without repeats."""
    seen: list[int] = []
    for group in _CITATION.findall(text):
        for part in re.split(r"[,;]", group):
            n = int(part)
            if n not in seen:
                seen.append(n)
    return seen


def sentences(text: str) -> list[str]:
    """Sentences and list items, markers kept; headings and blank lines dropped.

    Lines are units first (an answer's bullet list is a list of statements), then each
    line is cut after ``.``, ``!`` or ``?`` followed by a capital or a digit.
    """
    out: list[str] = []
    for line in text.splitlines():
        if _HEADING.match(line):
            continue
        parts = (_LIST_MARK.sub("", p).strip() for p in _SENTENCE_END.split(line))
        for part in filter(None, parts):
            if out and not strip_citations(part):
                out[-1] = f"{out[-1]} {part}"  # "... holidays. [1]": the marker cites it
            else:
                out.append(part)
    return out


def claims(text: str) -> list[str]:
    """The claims of an answer for the offline verifier: sentences of three words or more.

    Shorter fragments ("Yes.", "See below:") state nothing on their own; an answer made
    only of such fragments is one claim, so a bare "Yes." is still checked. Only an
    answer without words has no claims.
    """
    units = sentences(text)
    long = [s for s in units if len(_WORD.findall(strip_citations(s).lower())) >= _MIN_CLAIM_WORDS]
    if long:
        return long
    whole = " ".join(units)
    return [whole] if _WORD.search(strip_citations(whole).lower()) else []


def normalise(text: str) -> str:
    """Lower case, one space between words, punctuation dropped, number words as digits
    ("every six months" holds "6 months"): for phrase matching."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    return " ".join(_NUMBER_WORDS.get(w, w) for w in words)


def contains_phrase(text: str, phrase: str) -> bool:
    """Whether ``phrase`` occurs in ``text`` as whole words, ignoring case and punctuation."""
    needle = normalise(phrase)
    return bool(needle) and f" {needle} " in f" {normalise(text)} "


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer.stem(word)


def content_words(text: str) -> set[str]:
    """Stemmed words that carry meaning (no stopwords), number words as digits."""
    words = _WORD.findall(text.lower().replace("’", "'"))
    return {_stem(_NUMBER_WORDS.get(w, w)) for w in words if w not in _STOPWORDS}


def key_terms(text: str) -> set[str]:
    """Numbers (dates, amounts) and names in ``text``, lower-cased, for agreement checks.

    A name is a capitalised word that does not start a sentence and is not a common
    function word; numbers keep their digits only ("1,000" and "1000" agree).
    """
    terms = {re.sub(r"[,]", "", n).rstrip("%") for n in _NUMBER.findall(text)}
    for sentence in sentences(text):
        body = strip_citations(sentence)
        for match in _CAPITALISED.finditer(body):
            if match.start() > 0 and match.group() not in _NOT_NAMES:
                terms.update(_WORD.findall(match.group().lower()))  # "On-call": on, call
    return terms


def context_terms(text: str) -> set[str]:
    """Everything a key term may match in a context: its numbers and all its words."""
    numbers = {re.sub(r"[,]", "", n).rstrip("%") for n in _NUMBER.findall(text)}
    words = set(_WORD.findall(text.lower().replace("’", "'")))
    return numbers | words | {_NUMBER_WORDS[w] for w in words if w in _NUMBER_WORDS}
