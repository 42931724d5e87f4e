"""What a question asks: its parts, the kind of answer each wants, and its words.

People ask the way they talk: a sentence or two of context ("I'm a developer on a
billable project."), then one or more questions, sometimes joined in one sentence
("How do I ask for it, and how long before I get a decision?"). The offline answerer
needs each *ask* on its own — so every part gets its own answering sentence — and the
context kept apart, because its words help find the right passage but do not say what
the answer is.

Each ask has a *kind* read from its wording (how many, how long, how often, when, who,
where, which, how do I, can I): the shape of sentence that answers it. A "how often"
ask wants a sentence with a frequency in it, a "which channel" ask a sentence that names
one, a "how do I" ask the steps. ``cue`` says whether a sentence has that shape. The
patterns are about English questions in general, not about any one handbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from retrieval.text import terms


class Kind(Enum):
    NUMBER = "number"
    DURATION = "duration"
    FREQUENCY = "frequency"
    TIME = "time"
    PERSON = "person"
    PLACE = "place"
    NAME = "name"
    PROCEDURE = "procedure"
    YESNO = "yesno"
    OTHER = "other"


@dataclass(frozen=True)
class Ask:
    """One part of a question: its words and the kind of answer it wants."""

    text: str
    kind: Kind
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    text: str
    asks: tuple[Ask, ...]
    context_terms: tuple[str, ...]
    """Content words of the statements around the asks ("I'm on call this week.")."""

    @property
    def ask_terms(self) -> set[str]:
        return {t for a in self.asks for t in a.terms}

    @property
    def categories(self) -> set[str]:
        """The terms of the asks that name the kind of thing wanted ("which *tool*
        should I use?", "what are the *steps*?"), not its subject: an answer says
        "Figma", not "tool"."""
        named = {t for a in self.asks for m in _CATEGORY.finditer(a.text) for t in terms(m[1])}
        return named | (self.ask_terms & FORM_WORDS)

    @property
    def leans_on_context(self) -> bool:
        """An ask that names its subject only by pointing back at the context ("My
        grandmother died. What can I do about it?", "Am I allowed to do that?"), or in
        a word or two after it ("I paid on my own card. How do I get the money back?").

        Such an ask shares few words or little meaning with the sentence that answers
        it, so every measure of how well the passages answer it reads low although the
        person is describing a real situation the documents may well cover. On all three
        handbook sets one unanswerable question is shaped so (and refused for another
        reason), against 64 answerable ones, six of the nine the bar refused in session
        8 and the one it still refused in session 9 (docs/evals.md)."""
        return bool(self.context_terms) and any(
            len(a.terms) <= _SHORT_ASK
            or (len(a.terms) <= _VAGUE_TERMS and bool(_POINTS_BACK.search(a.text)))
            for a in self.asks
        )


_CATEGORY = re.compile(
    r"\b(?:which|what)\s+(?:\w+\s+)?(tool|system|form|app|software|channel|platform|service|"
    r"provider|template|account|person|team|role|office|site|location|page|folder)s?\b",
    re.IGNORECASE,
)
"""The noun of "which tool", "what channel", "which team": the kind of thing the answer
names ("Figma", "#help"), which the answering sentence seldom says itself."""

FORM_WORDS = frozenset({"step", "process", "procedure", "way"})
"""Terms that name the form of an answer ("what are the *steps*?", "is there a *way*
to…?"), not its subject. A heading that says them marks the answer ("Step by step");
a sentence that says them seldom is one ("Please skip to step four", "a good way to
get things off your mind"), so the answerer matches them in frames only."""

_SHORT_ASK, _VAGUE_TERMS = 2, 3
"""An ask of at most ``_SHORT_ASK`` content words after context ("How do I get the money
back?", "What's the process?") leans on it; so does one of at most ``_VAGUE_TERMS`` that
points back ("Am I allowed to do that?")."""
_POINTS_BACK = re.compile(r"\b(?:that|it|this|them|those|these|anything|something)\b", re.I)

_ASK_START = re.compile(
    r"^(?:how|what|what's|whats|when|where|which|who|whom|whose|why|is|are|am|do|does|did|"
    r"can|could|should|would|will|may|might|must|have|has|was|were|any|anything|"
    r"shall|isn't|aren't|don't|doesn't|can't|won't|tell me|please)\b",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.?!])\s+")
_PART_BREAK = re.compile(
    r"[,;]?\s+(?:and|or|but|also)\s+(?=(?:if so,?\s+)?(?:(?:by|in|at|for|from|to|with|on) )?"
    r"(?:\w+ly\s+)?(?:how|what|what's|when|where|which|who|whom|is|are|do|does|can|could|"
    r"should|would|will|am|may|must|have|isn't|aren't|don't|doesn't|can't|won't)\b)|,\s+(?=(?:how|what|when|where|which|who|do|does|can|could|should|"
    r"would|will|is|are)\b)",
    re.IGNORECASE,
)

_KINDS: tuple[tuple[Kind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE))
    for kind, pattern in (
        (Kind.FREQUENCY, r"\bhow (?:often|frequently|regularly)\b"),
        (
            Kind.DURATION,
            r"\bhow long\b|\bfor how many\b|\bwhat (?:period|duration)\b|"
            r"\bwhat (?:is|will be|would be) (?:the|my|our) (?:\w+ )?(?:period|duration|length)\b",
        ),
        (
            Kind.NUMBER,
            r"\bhow (?:many|much|far|old|big|large|high|low|fast|quickly|soon)\b|"
            r"\bwhat (?:percentage|percent|proportion|share|amount|rate|number|limit|price|cost|"
            r"budget|allowance|age|salary)\b|\bwhat (?:is|are|will be|would be) (?:the|my|our) "
            r"(?:\w+ ){0,2}(?:budget|allowance|limit|rate|amount|entitlement|salary|cost|price|"
            r"fee)s?\b|"
            r"\bwhat (?:is|are) the (?:most|maximum|minimum|max|least)\b",
        ),
        (
            # "when" opening the ask (or after "know", "tell me"…) asks a time; inside
            # another ask it is a clause ("Is there a dress code for when I visit?").
            Kind.TIME,
            r"^\W*(?:\w+\s+){0,2}when\b|\b(?:know|tell me|ask|find out|sure|check|say)\s+when\b|"
            r"\bwhat (?:time|date|day|month|year)\b(?! off)|\bby what\b|\bdeadline\b|"
            r"\bhow (?:far in advance|much notice|much warning)\b",
        ),
        (Kind.PERSON, r"\bwho(?:m|se)?\b|\bwhich (?:person|team|role|manager)\b"),
        (Kind.PLACE, r"\bwhere\b|\bwhich (?:office|site|location|channel|page|folder)\b"),
        (
            Kind.PROCEDURE,
            r"\bhow (?:do|can|should|would|could|will) (?:i|we|you|they|someone|staff)\b|"
            r"\bhow to\b|\bwhat (?:do|should|must) (?:i|we) (?:actually )?(?:need to |have to )?"
            r"(?:do|sort(?: out)?|arrange|prepare|set up|organi[sz]e|take care of)\b|"
            r"\bwhat(?:'s| is) the (?:proper |right |best )?(?:way|process|procedure)\b|"
            r"\bwhat (?:are the )?steps\b|\bwhat happens\b|\bwhat can i do\b",
        ),
        (
            Kind.NAME,
            r"\bwhich\b|\bwhat (?:\w+ )?(?:tool|system|form|app|software|channel|platform|"
            r"service|provider|scheme|marking|label|name|prefix|template|account|code)\b|"
            r"\bwhat should i (?:call|name|use|put|wear|mark)\b|\bwhat is it called\b",
        ),
        (
            Kind.YESNO,
            r"^(?:can|could|do|does|did|is|are|am|will|would|should|may|must|have|has|"
            r"isn't|aren't|don't|doesn't|can't|won't)\b|\b(?:am i|are we) allowed\b",
        ),
    )
)

_CONTRACTED = re.compile(r"\b(what|how|when|where|who)(?:'s|’s)", re.IGNORECASE)
""""What's the budget?" is read as "what is the budget?" (people write it both ways)."""

_QUANTITY = (
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|"
    r"thirty|forty|fifty|hundred|thousand|half|double|twice|full|a (?:day|week|month|year))\b"
)
_TIME_UNIT = r"\b(?:minutes?|hours?|days?|weeks?|months?|years?|fortnights?)\b"
_CUES: dict[Kind, re.Pattern[str]] = {
    kind: re.compile(pattern, re.IGNORECASE if kind is not Kind.NAME else 0)
    for kind, pattern in {
        Kind.NUMBER: _QUANTITY + r"|[£$€%]",
        Kind.DURATION: _TIME_UNIT,
        Kind.FREQUENCY: (
            r"\b(?:every|each|daily|weekly|fortnightly|monthly|quarterly|annually|yearly|"
            r"once|twice|regular(?:ly)?|per (?:day|week|month|year)|a (?:day|week|month|year)|"
            r"times a)\b"
        ),
        Kind.TIME: (
            r"\b\d{1,2}(?::\d\d)?\s?(?:am|pm)\b|\b\d{1,2}:\d\d\b|\b\d{1,2}(?:st|nd|rd|th)\b|"
            r"\b(?:january|february|march|april|may|june|july|august|september|october|"
            r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
            r"midday|noon|deadline|before|after|within|by the|until|end of|start of|"
            r"beginning of|advance|notice)\b|" + _TIME_UNIT
        ),
        Kind.PERSON: (
            r"\b(?:manager|lead|team|director|head|officer|representative|colleague|people|"
            r"hr|admin|administrator|owner|contact|partner|supervisor|member|chair|ceo|cto|"
            r"coo|founder|champion|buddy|helper)s?\b|@"
        ),
        Kind.PLACE: (
            r"\b(?:office|room|floor|building|site|channel|portal|page|folder|drive|website|"
            r"intranet|address|street|road|online|remote(?:ly)?|home|desk|kitchen|"
            r"reception)s?\b|#\w|https?://|www\.|\bin (?:the )?[A-Z]"
        ),
        Kind.NAME: (
            r"(?<![.!?]\s)(?<!^)\b[A-Z][A-Za-z0-9]+|#[\w-]+|/\w+|[\w.+-]+@[\w-]+\.\w+|"
            r"[\"“‘'][^\"”’']{2,40}[\"”’']|\b(?:form|tool|channel|app|system|template)\b"
        ),
        Kind.PROCEDURE: (
            r"^(?:\w+ )?(?:request|fill|go|click|send|e-?mail|submit|ask|contact|log|book|"
            r"raise|use|complete|tell|speak|let|make|add|open|visit|download|sign|apply|type|"
            r"run|post|check|create|follow|select|choose|claim|upload|write|record|enter|"
            r"call|message|attach|include|notify|arrange|agree|discuss|talk|put|give|hand|"
            r"take|start|find|read|save|share|inform|wipe|return|reset)\b|"
            r"\byou (?:should|need to|must|can|will need to|'ll need to|have to)\b|"
            r"\b(?:via|through|using|by (?:filling|emailing|sending|completing|raising))\b|"
            r"\bform\b|\bin [A-Z]\w+"
        ),
        Kind.YESNO: (
            r"\b(?:can|cannot|can't|may|must|should|not|no|only|allowed|entitled|eligible|"
            r"required|need to|won't|will|unless|under no circumstances|never|always|yes)\b"
        ),
    }.items()
}


def analyse(question: str) -> Question:
    """Split ``question`` into asks (with their kinds) and context."""
    asks: list[Ask] = []
    context: list[str] = []
    sentences = [s.strip() for s in _SENTENCE.split(question.strip()) if s.strip()]
    for sentence in sentences:
        if _is_ask(sentence) or len(sentences) == 1:
            for part in _PART_BREAK.split(sentence):
                words, kind = tuple(terms(part)), kind_of(part)
                if words or kind is not Kind.OTHER:  # "who do I tell?" has no content words
                    asks.append(Ask(part.strip(), kind, words))
        else:
            context.extend(terms(sentence))
    if not asks:
        asks.append(Ask(question.strip(), kind_of(question), tuple(terms(question))))
    return Question(question, tuple(asks), tuple(context))


def is_question(text: str) -> bool:
    """Whether any sentence of ``text`` asks ("…?", "how do I…", "tell me…"), as opposed
    to a statement or keywords ("parental leave policy", a claim to check)."""
    return any(_is_ask(s.strip()) for s in _SENTENCE.split(text.strip()) if s.strip())


def _is_ask(sentence: str) -> bool:
    return sentence.endswith("?") or bool(_ASK_START.match(sentence))


def kind_of(ask: str) -> Kind:
    """The kind of answer ``ask`` wants, from its wording (``OTHER`` when none shows)."""
    text = _CONTRACTED.sub(r"\1 is", ask.strip())
    for kind, pattern in _KINDS:
        if pattern.search(text):
            return kind
    return Kind.OTHER


def cue(kind: Kind, sentence: str) -> bool:
    """Whether ``sentence`` has the shape of an answer of ``kind``."""
    pattern = _CUES.get(kind)
    return bool(pattern and pattern.search(sentence))
