"""An amount of money, a date or a notice period asked for that the documents speak of
but never state: refused."""

from __future__ import annotations

import pytest

from core.embeddings import Embedder
from retrieval.extractive import extractive_answer
from retrieval.prompt import REFUSAL
from retrieval.question import Kind
from retrieval.types import Passage
from retrieval.values import states, states_amount, wanted, wants_amount

EQUIPMENT = [
    "Everyone gets a laptop and a desk budget when they join.",
    "Order your laptop through the IT desk in your first week.",
    "Keep receipts for anything you buy for your desk for 12 months.",
    "Ask your manager before buying a second monitor.",
]


@pytest.mark.parametrize(
    "ask",
    [
        "How much is the desk budget?",
        "What's the daily allowance for meals abroad?",
        "What salary does a senior tester earn?",
        "How much does the parking permit cost?",
        "What is the mileage rate for a motorbike?",
    ],
)
def test_asks_for_money_want_an_amount(ask: str) -> None:
    assert wants_amount(ask)


@pytest.mark.parametrize(
    "ask",
    [
        "How many weeks of full pay do I get?",
        "How many days of holiday can I carry over?",
        "How many expense forms do I need for one trip?",
        "What's the API rate limit per customer?",
    ],
)
def test_asks_for_counts_do_not(ask: str) -> None:
    assert not wants_amount(ask)


@pytest.mark.parametrize(
    ("unit", "item"),
    [
        ("The allowance is £35 a day.", False),
        ("We match contributions up to 6%.", False),
        ("Parking costs 80p an hour.", False),
        ("Bus passes are free for everyone.", False),
        ("Level: T3; Title: Senior Tester; Leeds (GBP): 48,000 – 56,000", True),
        ("Vehicle: Motorbike; Rate: 0.24; Unit: EUR per km", True),
    ],
)
def test_amounts_are_recognised(unit: str, item: bool) -> None:
    assert states_amount(unit, item=item)


@pytest.mark.parametrize(
    ("unit", "item"),
    [
        ("We provide a laptop and desk budget from day 1.", False),
        ("Salaries are reviewed every 12 months.", False),
        ("Step 2: send the form to your manager", True),
    ],
)
def test_other_numbers_are_not_amounts(unit: str, item: bool) -> None:
    assert not states_amount(unit, item=item)


def _passage(lines: list[str]) -> Passage:
    text = "\n\n".join(lines)
    return Passage("c1", "d1", text, "Equipment", "t", "equipment.md", [], None, [], 1.0, n=1)


def test_an_amount_spoken_of_but_not_given_is_refused(minilm: Embedder) -> None:
    extract = extractive_answer(
        "How much is the desk budget?", [_passage(EQUIPMENT)], minilm, bar=0
    )
    assert extract.refused
    assert extract.text.startswith(f"{REFUSAL} The passages I found speak of it but give no amount")
    assert extract.closest


def test_an_amount_given_is_answered(minilm: Embedder) -> None:
    lines = [*EQUIPMENT[:1], "The desk budget is £400, spent in your first three months."]
    extract = extractive_answer("How much is the desk budget?", [_passage(lines)], minilm, bar=0)
    assert not extract.refused and "£400" in extract.text


@pytest.mark.parametrize(
    ("ask", "kind", "value"),
    [
        ("On which day of the month am I paid?", Kind.TIME, "date"),
        ("What date does the holiday year start?", Kind.TIME, "date"),
        ("When should I tell my manager?", Kind.TIME, ""),  # a time, not a date
        ("How much is the desk budget?", Kind.NUMBER, "amount"),
        ("How long is the notice period?", Kind.DURATION, "notice period"),
        ("How much notice do I have to give if I resign?", Kind.NUMBER, "notice period"),
        ("How far in advance should I book leave?", Kind.TIME, "notice period"),
        ("How long is probation?", Kind.DURATION, ""),  # a length, not a notice
        ("Is there an allowance for using my own bike?", Kind.YESNO, "amount"),
        ("Do staff get a yearly bonus?", Kind.YESNO, "amount"),
        ("Does the company match pension contributions?", Kind.YESNO, "amount"),
        ("Can I claim expenses for a taxi home?", Kind.YESNO, ""),  # allowed, not how much
        ("Does the company pay for a standing desk?", Kind.YESNO, ""),
    ],
)
def test_the_exact_value_an_ask_wants(ask: str, kind: Kind, value: str) -> None:
    assert wanted(ask, kind) == value


def test_a_bare_how_much_asks_the_amount_of_what_the_question_names() -> None:
    question = "Do we get a pension contribution from the company? If so, how much?"
    assert wanted("If so, how much?", Kind.NUMBER, question) == "amount"
    assert wanted("If so, how much?", Kind.NUMBER, "Can I work late? If so, how much?") == ""


def test_a_payment_asked_after_and_never_given_is_refused(minilm: Embedder) -> None:
    extract = extractive_answer(
        "Is there a desk allowance for new starters?", [_passage(EQUIPMENT)], minilm, bar=0
    )
    assert extract.refused and "give no amount" in extract.text


@pytest.mark.parametrize(
    ("unit", "dated"),
    [
        ("Salaries are paid on the 28th of each month.", True),
        ("Pay day is the last working day of the month.", True),
        ("The holiday year runs from 1 January.", True),
        ("Timesheets are due by Friday.", True),
        ("Everyone gets 25 days of holiday plus bank holidays.", False),
        ("Book leave at least two weeks ahead.", False),
    ],
)
def test_dates_are_recognised(unit: str, dated: bool) -> None:
    assert states("date", unit, item=False) is dated


PAY = [
    "Salaries are reviewed once a year, after the pay review.",
    "Your salary is paid into the bank account you give the People team.",
    "Payslips are in the HR system.",
    "Tell the People team when your bank details change.",
]


@pytest.mark.parametrize(
    ("unit", "given"),
    [
        ("You will be given at least 7 calendar days notice of the meeting.", True),
        ("Level: Levels 1 to 3; Notice you give: 1 month", True),
        ("Book leave at least two weeks ahead.", True),
        ("Give notice of at least twice the length of the leave.", True),
        ("Write to your manager to resign.", False),  # notice, but no length
        ("Unused holiday from the last 12 months is paid out.", False),  # a length, no notice
    ],
)
def test_notice_periods_are_recognised(unit: str, given: bool) -> None:
    assert states("notice period", unit, item=False) is given


LEAVING = [
    "If you resign, write to your manager and the People team.",
    "Your last payslip includes any holiday you have not taken in the last 12 months.",
    "Return your laptop on your last day.",
    "We hold an exit interview in your last week.",
]


@pytest.mark.parametrize(
    ("question", "spoken_of", "value", "stated", "shown"),
    [
        (
            "What day of the month is salary paid?",
            PAY,
            "date",
            [*PAY[1:], "Salary is paid on the 25th of each month."],
            "25th",
        ),
        (
            "How much notice do I have to give if I resign?",
            LEAVING,
            "notice period",
            [*LEAVING, "If you resign, give one month's notice in writing."],
            "one month's notice",
        ),
    ],
)
def test_a_value_spoken_of_but_not_given_is_refused_and_given_is_answered(
    minilm: Embedder, question: str, spoken_of: list[str], value: str, stated: list[str], shown: str
) -> None:
    extract = extractive_answer(question, [_passage(spoken_of)], minilm, bar=0)
    assert extract.refused and f"give no {value}" in extract.text
    answered = extractive_answer(question, [_passage(stated)], minilm, bar=0)
    assert not answered.refused and shown in answered.text
