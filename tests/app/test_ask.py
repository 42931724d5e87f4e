"""The Ask page: a streamed, footnoted answer, feedback (kept on reopening), and the
conversation history."""

from __future__ import annotations

import re

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from core.db import Feedback
from core.services import Services
from tests.app.conftest import OpenApp

QUESTION = "How do I set up the VPN?"


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, at.exception[0].message
    return at


def test_answer_is_footnoted_with_source_cards_cost_and_banner(open_app: OpenApp) -> None:
    at = ask(open_app(user="asker"), QUESTION)
    question, answer = at.chat_message
    assert question.markdown[0].value == QUESTION
    assert answer.name == "assistant"
    text = " ".join(m.value for m in answer.markdown)
    markers = {int(n) for n in re.findall(r":blue-badge\[(\d+)\]", text)}
    assert markers, f"no footnote markers in {text!r}"
    cards = {int(re.match(r"\*\*\[(\d+)\]\*\*", e.label).group(1)): e for e in answer.expander}
    assert markers <= set(cards), "every marker has its source card"
    where = " ".join(c.value for card in cards.values() for c in card.caption)
    assert "sample / it/" in where, where
    downloads = [d for card in cards.values() for d in card.get("download_button")]
    assert downloads, "cited files that exist can be downloaded"
    assert any("Quoted answer" in info.value for info in answer.info)
    assert any("Extractive answer" in c.value for c in answer.caption)


def test_example_question_is_asked_with_one_click(open_app: OpenApp) -> None:
    at = open_app(user="newcomer")
    example = at.pills[0].options[0]
    at.pills[0].set_value(example).run()
    assert not at.exception
    assert at.chat_message[0].markdown[0].value == example
    assert at.chat_message[1].expander


def test_feedback_with_comment_is_saved(open_app: OpenApp, sample_copy: Services) -> None:
    at = ask(open_app(user="rater"), QUESTION)
    at.chat_message[1].feedback[0].set_value(0).run()  # thumbs down: saved at once
    comment = next(t for t in at.text_input if t.label.startswith("Anything to add"))
    comment.set_value("It missed the new VPN.")
    next(b for b in at.button if b.label == "Send feedback").click().run()
    with sample_copy.sessions() as session:
        rows = session.execute(
            select(Feedback.rating, Feedback.comment).where(Feedback.user_id == "rater")
        ).all()
    assert [tuple(r) for r in rows] == [(-1, ""), (-1, "It missed the new VPN.")]

    at = open_app(user="rater")  # a new browser session reopens the conversation
    at.sidebar.button(key=next(b.key for b in at.sidebar.button if b.label == QUESTION)).click()
    at.run()
    answer = at.chat_message[1]
    assert answer.feedback[0].value == 0
    comment = next(t for t in at.text_input if t.label.startswith("Anything to add"))
    assert comment.value == "It missed the new VPN."
    assert any(re.search(r"\d+\.\d s$", c.value) for c in answer.caption)  # the time taken


def test_history_is_listed_reopened_renamed_and_deleted(open_app: OpenApp) -> None:
    ask(open_app(user="historian"), QUESTION)

    at = open_app(user="historian")  # a new browser session
    assert not at.chat_message
    at.sidebar.button(key=next(b.key for b in at.sidebar.button if b.label == QUESTION)).click()
    at.run()
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert at.chat_message[1].expander

    title = [t for t in at.sidebar.text_input if t.label == "Title"][0]
    title.set_value("VPN questions")
    at.sidebar.button(key="rename").click().run()
    assert "VPN questions" in [b.label for b in at.sidebar.button]

    at.sidebar.button(key="delete").click().run()
    assert "VPN questions" not in [b.label for b in at.sidebar.button]
    assert not at.chat_message


def test_someone_else_never_sees_my_conversations(open_app: OpenApp) -> None:
    ask(open_app(user="owner"), "Where is the Dublin office?")
    at = open_app(user="someone-else")
    assert "Where is the Dublin office?" not in [b.label for b in at.sidebar.button]
