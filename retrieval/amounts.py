"""Asks for an amount of money, and whether a unit states one.

The commonest question a handbook leaves open is a figure on a subject it does cover:
"How much is the home office budget?" finds "We provide a MacBook and home office setup
budget from day 1", "What's the salary band for a senior developer?" finds "We commit to
publishing the relevant salary data". Such a sentence shares the question's subject and
words, so the confidence bar and the coverage check pass, and a number shape nearby
("day 1", "4 months") satisfies a number ask; yet the amount asked for is nowhere. When
an ask wants money and none of its best units states an amount (a currency, a
percentage, pence, "free"; in a table row, a currency code or a price column beside a
figure), the answerer refuses and says the documents give no amount.

The patterns are the forms of amounts in English text, not words of one handbook.
Measured on the sample, the dxw handbook and a third handbook held out (docs/evals.md,
session 9): among the first 3 units of each money ask (``retrieval.deferral.LOOK_AT``,
the few a value is looked for in), every answerable one of the three sets has an amount
and every unanswerable one none.
"""

from __future__ import annotations

import re

_WANTS = re.compile(
    r"\b(?:budgets?|salary|salaries|cost|costs|price|prices|fee|fees|allowances?|"
    r"rate(?! limit)|rates|bonus(?:es)?|reimburse\w*|expenses?|spend|per diem|stipend|"
    r"wages?)\b|[£$€]",
    re.IGNORECASE,
)
_COUNTS = re.compile(r"\bhow many\b", re.IGNORECASE)
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
