"""Conversations, their messages and feedback, in SQL: what the app's chat page uses.

Every read and write is scoped to the owning user: another user's conversation id
reads as not found. Feedback is appended, never updated (a thumb, then the same thumb
with a comment): the latest row per message is the rating that stands.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.db import Conversation, Feedback, Message, utcnow
from retrieval.types import Answer, Turn


class ConversationNotFound(LookupError):
    pass


class Conversations:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def create(self, user_id: str, title: str = "New conversation") -> Conversation:
        conversation = Conversation(id=uuid.uuid4().hex, user_id=user_id, title=title)
        with self._sessions.begin() as session:
            session.add(conversation)
        return conversation

    def of_user(self, user_id: str) -> list[Conversation]:
        """The user's conversations, most recently active first."""
        with self._sessions() as session:
            query = (
                select(Conversation)
                .where(Conversation.user_id == user_id)
                .order_by(Conversation.updated_at.desc())
            )
            return list(session.scalars(query))

    def rename(self, user_id: str, conversation_id: str, title: str) -> None:
        with self._sessions.begin() as session:
            self._owned(session, user_id, conversation_id).title = title.strip() or "Untitled"

    def delete(self, user_id: str, conversation_id: str) -> None:
        with self._sessions.begin() as session:
            session.delete(self._owned(session, user_id, conversation_id))

    def add_message(
        self,
        user_id: str,
        conversation_id: str,
        role: str,
        content: str,
        *,
        citations: list[dict[str, Any]] | None = None,
        meta: dict[str, Any] | None = None,
    ) -> int:
        """Append a turn; returns the message id (feedback can point at it)."""
        with self._sessions.begin() as session:
            conversation = self._owned(session, user_id, conversation_id)
            message = Message(
                conversation_id=conversation.id,
                role=role,
                content=content,
                citations=citations or [],
                meta=meta or {},
            )
            session.add(message)
            conversation.updated_at = utcnow()
            session.flush()
            return message.id

    def add_answer(self, user_id: str, conversation_id: str, answer: Answer) -> int:
        """Append an assistant turn from an ``Answer`` (citations, mode, usage, latency,
        answer id)."""
        meta = {
            "mode": answer.mode,
            "refused": answer.refused,
            "answer_id": answer.answer_id,
            "latency_ms": answer.latency_ms,
            "usage": asdict(answer.usage),
            "notices": list(answer.notices),
        }
        citations = [c.to_dict() for c in answer.citations]
        return self.add_message(
            user_id, conversation_id, "assistant", answer.text, citations=citations, meta=meta
        )

    def messages(self, user_id: str, conversation_id: str) -> list[Message]:
        with self._sessions() as session:
            return list(self._owned(session, user_id, conversation_id).messages)

    def history(self, user_id: str, conversation_id: str) -> list[Turn]:
        """The conversation as turns, oldest first, for ``answer(history=...)``."""
        return [
            Turn(role="user" if m.role == "user" else "assistant", content=m.content)
            for m in self.messages(user_id, conversation_id)
            if m.role in ("user", "assistant")
        ]

    def feedback(
        self,
        user_id: str,
        rating: int,
        comment: str = "",
        *,
        answer_id: int | None = None,
        message_id: int | None = None,
    ) -> int:
        """Record +1 or -1 (with an optional comment) on an answer or message."""
        if rating not in (1, -1):
            raise ValueError("rating must be +1 or -1")
        if answer_id is None and message_id is None:
            raise ValueError("feedback needs an answer_id or a message_id")
        with self._sessions.begin() as session:
            row = Feedback(
                user_id=user_id,
                rating=rating,
                comment=comment,
                answer_id=answer_id,
                message_id=message_id,
            )
            session.add(row)
            session.flush()
            return row.id

    def ratings(self, user_id: str, conversation_id: str) -> dict[int, Feedback]:
        """The user's standing feedback on each rated message of a conversation, by
        message id, so a reopened conversation shows the thumbs already given."""
        with self._sessions() as session:
            self._owned(session, user_id, conversation_id)
            query = (
                select(Feedback)
                .join(Message, Message.id == Feedback.message_id)
                .where(Message.conversation_id == conversation_id, Feedback.user_id == user_id)
                .order_by(Feedback.id)
            )
            return {row.message_id: row for row in session.scalars(query) if row.message_id}

    @staticmethod
    def _owned(session: Session, user_id: str, conversation_id: str) -> Conversation:
        conversation = session.get(Conversation, conversation_id)
        if conversation is None or conversation.user_id != user_id:
            raise ConversationNotFound(f"No conversation {conversation_id!r} for {user_id!r}.")
        return conversation
