"""Asks for a value of one exact shape (an amount of money, a date, a notice period),
and whether a unit states one.

The commonest question a handbook leaves open is a figure on a subject it does cover:
"How much is the home office budget?" finds "We provide a MacBook and home office setup
budget from day 1", "What's the salary band for a senior developer?" finds "We commit to
publishing the relevant salary data", "What day of the month does salary land?" finds
pages on pay and bank holidays. Such a sentence shares the question's subject and words,
so the confidence bar and the coverage check pass, and the loose shape of a number or
time ask ("day 1", "4 months", "20 days") is there; yet the value asked for is nowhere.
The same holds for a yes/no ask whether a payment exists ("Is there an allowance for
my phone?", "Do staff get a bonus?"): a handbook that has one says how much. When an
ask wants money or a date and none of its best units states one (a currency, a
percentage, pence, "free"; in a table row, a currency code or a price column beside a
figure; a weekday, a month, an ordinal, "the last working day"), the answerer refuses
and says the documents give no amount (or date).

A notice period is the third such value: "How much notice do I have to give if I
resign?" finds the leaving page, whose sentences speak of resigning and of lengths of
time ("holiday from the last 12 months is paid out"), but a handbook that sets a notice
says it with its length ("give one month's notice", "at least two weeks ahead"). So a
notice ask (notice, warning, in advance) wants a length of time beside a word of notice.

The patterns are the forms of amounts, dates and notice in English text, not words of one
handbook. Measured on the sample, the dxw handbook and a third handbook held out
(docs/evals.md, session 9): among the first 3 units of each such ask
(``retrieval.deferral.LOOK_AT``, the few a value is looked for in), every answerable one
of the three sets has its value and every unanswerable one none.
"""

from __future__ import annotations

import re

from retrieval.question import Kind
from retrieval.text import terms

_WANTS = re.compile(
    r"\b(?:budgets?|salary|salaries|cost|costs|price|prices|fee|fees|allowances?|"
    r"rate(?! limit)|rates|bonus(?:es)?|reimburse\w*|expenses?|spend|per diem|stipends?|"
    r"wages?|contributions?)\b|[£$€]",
    re.IGNORECASE,
)
_COUNTS = re.compile(r"\bhow many\b", re.IGNORECASE)
_EXISTS = re.compile(
    r"^(?:is there|are there|(?:do|will) (?:we|i|staff|employees|people|you) (?:get|receive|have)|"
    r"does (?:\w+ ){1,2}(?:offer|provide|give|pay|match|contribute))\b",
    re.IGNORECASE,
)
_PAID = re.compile(
    r"\b(?:allowances?|stipends?|bonus(?:es)?|budgets?|per diem|salary|wages?|"
    r"contributions?|rates?)\b",
    re.IGNORECASE,
)
"""A yes/no ask whether a payment exists ("Is there an allowance for…?", "Do staff get a
bonus?", "Does the company match pension contributions?"): where a handbook has one it
says how much, so one that only speaks of the subject answers nothing."""
_STATES = re.compile(
    r"[£$€]\s?\d|\d\s?(?:%|p\b|(?i:per ?cent|pounds|dollars|euros|cents|pence|k)\b)"
    r"|(?i:\b(?:free|nothing|full cost|in full|no cost|no charge|at cost)\b)"
)
_MONEY_COLUMN = re.compile(
    r"\b(?:GBP|EUR|USD|PLN|CHF|CAD|AUD|NZD|SEK|NOK|DKK|JPY|INR)\b|(?i:price|salary|cost|rate|fee)"
)
"""In a table row ("Rate: 0.89; Unit: PLN per km", "list_price_eur: 75"), a currency
code or a money column beside a figure is an amount."""
_DIGIT = re.compile(r"\d")
_DATE_ASK = re.compile(r"\b(?:what|which|on what) (?:day|date)\b", re.IGNORECASE)
_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)\b|\b\d{1,2}/\d{1,2}\b|\b(?:january|february|march|april|may|"
    r"june|july|august|september|october|november|december|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)s?\b|\b(?:last|first|final) (?:working |business )?day\b"
    r"|\b(?:end|start|beginning) of (?:the|each|every) (?:week|month)\b",
    re.IGNORECASE,
)

_NOTICE_ASK = re.compile(r"\b(?:notice|warning)\b|\bin advance\b|\bahead of time\b", re.I)
_NOTICE_KINDS = (Kind.NUMBER, Kind.DURATION, Kind.TIME)
_NOTICE_WORD = re.compile(
    r"\b(?:notice|warning|advance|ahead|before|beforehand|prior|earlier)\b", re.IGNORECASE
)
_SPAN = re.compile(
    r"(?:\d+|\b(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fourteen|"
    r"twenty|thirty|twice|several|few)\b)[\s-]+(?:\w+[\s-]+)?(?:minutes?|hours?|days?|weeks?|"
    r"months?|years?|fortnights?)\b|\bthe (?:length|duration)\b",
    re.IGNORECASE,
)


def wanted(ask: str, kind: Kind, question: str = "") -> str:
    """The exact value ``ask`` (of ``kind``, a part of ``question``) wants: "amount",
    "date", or "" for any other (a count, a length, a time of day, a name…). A bare
    "If so, how much?" asks the amount of what the rest of the question names."""
    if kind in _NOTICE_KINDS and _NOTICE_ASK.search(ask):
        return "notice period"
    if kind is Kind.NUMBER and wants_amount(ask if terms(ask) else question or ask):
        return "amount"
    if kind is Kind.YESNO and _EXISTS.search(ask) and _PAID.search(ask):
        return "amount"
    if kind is Kind.TIME and _DATE_ASK.search(ask):
        return "date"
    return ""


def states(value: str, unit: str, *, item: bool) -> bool:
    """Whether ``unit`` (a sentence; a list item or table row when ``item``) states a
    ``value`` ("amount" or "date")."""
    if value == "notice period":
        return bool(_SPAN.search(unit) and _NOTICE_WORD.search(unit))
    return states_amount(unit, item=item) if value == "amount" else bool(_DATE.search(unit))


def wants_amount(ask: str) -> bool:
    """Whether ``ask`` (a number ask) asks for an amount of money ("How much is the
    budget?", "What's the daily allowance?"), not a count or a length ("How many weeks
    of full pay?", "How many expense forms do I need?")."""
    return bool(_WANTS.search(ask)) and not _COUNTS.search(ask)


def states_amount(unit: str, *, item: bool) -> bool:
    """Whether ``unit`` (a sentence; a list item or table row when ``item``) states an
    amount of money."""
    if _STATES.search(unit):
        return True
    return (item or ";" in unit) and bool(_DIGIT.search(unit) and _MONEY_COLUMN.search(unit))
