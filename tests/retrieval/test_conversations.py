"""Conversations, messages and feedback in SQL, scoped to their owner."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import Feedback
from core.services import Services
from retrieval import ConversationNotFound, Conversations, answer
from retrieval.types import Done, Turn, User


def test_conversation_lifecycle(indexed: Services) -> None:
    store = Conversations(indexed.sessions)
    first = store.create("ann", "Leave")
    second = store.create("ann")
    store.create("bob")
    store.rename("ann", first.id, "Annual leave")
    store.add_message("ann", first.id, "user", "How much leave?")

    question = "How many days of paid annual leave do employees get?"
    events = list(answer(question, User("ann"), services=indexed, conversation_id=first.id))
    result = events[-1].answer if isinstance(events[-1], Done) else None
    assert result is not None
    message_id = store.add_answer("ann", first.id, result)

    assert [c.id for c in store.of_user("ann")] == [first.id, second.id]
    assert store.of_user("ann")[0].title == "Annual leave"
    assert store.history("ann", first.id) == [
        Turn("user", "How much leave?"),
        Turn("assistant", result.text),
    ]
    saved = store.messages("ann", first.id)[-1]
    assert saved.meta["answer_id"] == result.answer_id and saved.meta["mode"] == "extractive"
    assert saved.meta["latency_ms"] == result.latency_ms > 0
    assert saved.citations[0]["path"] == "hr/leave-policy.md"

    store.feedback("ann", -1, "too short", answer_id=result.answer_id, message_id=message_id)
    with indexed.sessions() as session:
        row = session.scalars(select(Feedback)).one()
    assert (row.rating, row.comment, row.answer_id) == (-1, "too short", result.answer_id)
    with pytest.raises(ValueError):
        store.feedback("ann", 5, answer_id=result.answer_id)

    assert store.ratings("ann", second.id) == {}
    store.feedback("ann", 1, "now it is right", message_id=message_id)  # the latest stands
    store.feedback("bob", -1, message_id=message_id)  # someone else's rating is theirs
    standing = store.ratings("ann", first.id)
    assert list(standing) == [message_id]
    assert (standing[message_id].rating, standing[message_id].comment) == (1, "now it is right")

    with pytest.raises(ConversationNotFound):
        store.history("bob", first.id)
    store.delete("ann", first.id)
    assert [c.id for c in store.of_user("ann")] == [second.id]
