"""Sentences that say where a figure is kept instead of giving it.

Handbooks often name a budget, a notice period or a pay band without stating it: "Budget
guidelines for mini meet-ups can be found in Basecamp", "say when your last working
day will be, based on your contractual notice period". Asked "What's the budget per
person?", such a sentence is the closest thing the documents hold — it shares the
question's subject and words, so the confidence bar and the coverage check both pass —
but quoting it as the answer implies the figure is there. When a question asks for a
value (a number, a length of time, a date) and one of the few units that best answer it
defers so, the answerer refuses and says where the documents point, which is what a
colleague would say.

The forms are English phrasings of deferral in general (found in, set out in, in your
contract, a guide that covers), not words of any one handbook. Measured on the sample,
the dxw handbook and a third handbook nobody here tuned on (docs/evals.md, session 8).
"""

from __future__ import annotations

import re

from retrieval.question import Kind

VALUE_KINDS = frozenset({Kind.NUMBER, Kind.DURATION, Kind.TIME, Kind.FREQUENCY})
"""Asks whose answer is a value that a deferring sentence leaves out."""

LOOK_AT = 3
"""Best units of a value ask in which a deferral counts: further down, a pointer is
usually about a neighbouring subject ("the rules … are set out in the Hybrid working
policy" under a question on hours)."""

_DEFERS = re.compile(
    r"\bcan be found\b"
    r"|\b(?:you|we) (?:can |will |'ll |’ll )?find (?:those|them|this|these|that|it|more|details|"
    r"out more|further)\b"
    r"|\b(?:is|are) (?:set out|listed|published|detailed|given|specified|stated|shown|explained) "
    r"(?:in|on) (?:the|your|our)\b"
    r"|\b(?:table|list|details|figures|breakdown|rates|amounts|bands|guidelines)"
    r"(?: [\w-]+){0,4} (?:is|are) (?:kept |held |available )?(?:in|on) (?:the|your|our)\b"
    r"|\bbased on your contractual\b|\bin your (?:employment )?contract\b"
    r"|\b(?:include|includes|publish|publishes) (?:a|the) [\w ]{0,30}\bin (?:the|each|every|your)\b"
    r"|\b(?:here|there)(?:'s|’s| is) a guide\b",
    re.IGNORECASE,
)


def defers(sentence: str) -> bool:
    """Whether ``sentence`` says where something is kept rather than what it is."""
    return bool(_DEFERS.search(sentence))
