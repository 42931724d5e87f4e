"""Reading a question: its asks, the kind of answer each wants, and its context."""

from __future__ import annotations

from retrieval.question import Kind, analyse, is_question


def _asks(question: str) -> list[tuple[str, Kind]]:
    return [(a.text, a.kind) for a in analyse(question).asks]


def test_a_question_in_two_parts_gets_two_asks_with_their_kinds() -> None:
    assert _asks("How long is the notice period, and who do I tell?") == [
        ("How long is the notice period", Kind.DURATION),
        ("who do I tell?", Kind.PERSON),
    ]


def test_an_adverb_or_a_negative_before_the_second_part_still_splits_it() -> None:
    assert _asks("Am I eligible yet, and roughly how much would it save me?") == [
        ("Am I eligible yet", Kind.YESNO),
        ("roughly how much would it save me?", Kind.NUMBER),
    ]
    assert [a for a, _ in _asks("When is the upgrade, and aren't weekend changes banned?")] == [
        "When is the upgrade",
        "aren't weekend changes banned?",
    ]


def test_things_joined_by_and_stay_one_ask_and_statements_are_context() -> None:
    question = "I start in March. Do I get a desk and a chair?"
    assert _asks(question) == [("Do I get a desk and a chair?", Kind.YESNO)]
    assert "march" in analyse(question).context_terms


def test_questions_are_told_from_statements_and_keywords() -> None:
    assert is_question("Can I carry over leave?")
    assert is_question("I was online until 2am. Is there any way to get those hours back")
    assert is_question("tell me the VPN address")
    assert not is_question("parental leave policy")
    assert not is_question("Vitamin D deficiency is associated with higher mortality.")


def test_a_contracted_what_is_read_as_what_is() -> None:
    assert _asks("What’s the budget for a team lunch?") == [
        ("What’s the budget for a team lunch?", Kind.NUMBER)
    ]
    assert _asks("What's my probation period?") == [("What's my probation period?", Kind.DURATION)]
    assert _asks("What salary does a graduate start on?")[0][1] is Kind.NUMBER
    assert _asks("What's the proper way to book a room?")[0][1] is Kind.PROCEDURE


def test_an_ask_that_points_back_or_is_short_leans_on_the_context() -> None:
    assert analyse("My flight home got cancelled. Can I claim for that?").leans_on_context
    assert analyse("I start a course in May. Does work offer anything?").leans_on_context
    assert analyse("I paid on my own card. How do I get the money back?").leans_on_context
    assert not analyse("Can I claim for that?").leans_on_context  # no context to lean on
    assert not analyse(
        "I start in May. How many days of paid holiday do I get each year?"
    ).leans_on_context


def test_the_kind_of_thing_asked_for_is_a_category_not_a_subject() -> None:
    assert analyse("Which tool should I use for design files?").categories == {"tool"}
    assert analyse("What channel do I post incidents in?").categories == {"channel"}
    assert analyse("How much is the desk budget?").categories == set()
    assert analyse("What are the steps?").categories == {"step"}  # the form of the answer


def test_what_to_sort_out_or_arrange_is_a_procedure() -> None:
    for ask in (
        "What do I need to sort out before I fly?",
        "What should I arrange with my manager first?",
        "What do I have to prepare for the audit?",
    ):
        assert _asks(ask)[0][1] is Kind.PROCEDURE, ask


def test_a_when_clause_inside_another_ask_does_not_make_it_a_time_ask() -> None:
    assert _asks("Is there a dress code for when I visit the office?")[0][1] is Kind.YESNO
    assert _asks("What should I do when the alarm goes off?")[0][1] is Kind.PROCEDURE
    assert _asks("Which printer do I use when I work late?")[0][1] is Kind.NAME
    assert _asks("When is payday?")[0][1] is Kind.TIME
    assert _asks("So when does the office close?")[0][1] is Kind.TIME
    assert _asks("Do you know when the office closes?")[0][1] is Kind.TIME


def test_the_most_or_least_of_something_is_a_number() -> None:
    assert _asks("What's the most I can spend on a hotel?")[0][1] is Kind.NUMBER
    assert _asks("What is the maximum I can claim for lunch?")[0][1] is Kind.NUMBER
