"""What an answer leaves behind in SQL: the answer row, its model calls, an audit entry.

The audit log is a hash chain: each entry's hash covers its content and the previous
entry's hash, so editing or deleting a past entry breaks every hash after it
(``verify_audit_chain`` finds where). Two writers must never link to the same entry, in
one process or several: the database serialises appends (see ``append_audit``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from core.db import AnswerLog, AuditEntry, utcnow
from core.settings import Settings
from retrieval.metering import ModelCall, meter_calls
from retrieval.types import Answer, User

_AUDIT_LOCK_KEY = 70_102_026
"""The PostgreSQL advisory lock that audit appends take: any fixed number no one else uses."""


def log_answer(
    sessions: sessionmaker[Session],
    settings: Settings,
    user: User,
    answer: Answer,
    calls: list[ModelCall],
    conversation_id: str | None = None,
) -> int:
    """Write the answer, its calls and an audit entry; returns the answer's id."""
    with sessions.begin() as session:
        row = AnswerLog(
            user_id=user.id,
            conversation_id=conversation_id,
            question=answer.question,
            standalone_question=answer.standalone_question,
            answer=answer.text,
            mode=answer.mode,
            refused=answer.refused,
            **asdict(answer.usage),  # model, tokens and cost: the columns share its names
            latency_ms=answer.latency_ms,
            citations=[c.to_dict() for c in answer.citations],
        )
        session.add(row)
        session.flush()
        answer_id = row.id
        append_audit(
            session,
            user.id,
            "answer",
            {
                "answer_id": answer_id,
                "question": answer.question,
                "cited_chunks": [c.chunk_id for c in answer.citations],
            },
        )
    meter_calls(sessions, settings, calls, answer_id=answer_id)
    return answer_id


def _entry_hash(prev_hash: str, entry: AuditEntry) -> str:
    content = {
        "prev": prev_hash,
        "at": entry.at.isoformat(),
        "user": entry.user_id,
        "action": entry.action,
        "detail": entry.detail,
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def append_audit(session: Session, user_id: str, action: str, detail: dict[str, Any]) -> None:
    """Add an entry chained to the newest one, inside the caller's transaction.

    Appends are serialised until the caller commits, across threads and processes
    alike: PostgreSQL by a transaction-scoped advisory lock taken first; SQLite by its
    single-writer lock, which inserting the entry takes before the newest entry is
    read (so the entry goes in first and is linked after). A process-wide threading
    lock would add nothing: each thread has its own connection, and it could not span
    processes nor last until the caller's commit.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _AUDIT_LOCK_KEY})
    entry = AuditEntry(at=utcnow(), user_id=user_id, action=action, detail=detail, hash="")
    session.add(entry)
    session.flush()
    last = session.scalars(
        select(AuditEntry.hash)
        .where(AuditEntry.id < entry.id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    entry.prev_hash = last or ""
    entry.hash = _entry_hash(entry.prev_hash, entry)
    session.flush()


def verify_audit_chain(sessions: sessionmaker[Session]) -> int | None:
    """The id of the first entry whose hash does not hold, or None when all do."""
    prev_hash = ""
    with sessions() as session:
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
            if entry.prev_hash != prev_hash or entry.hash != _entry_hash(prev_hash, entry):
                return entry.id
            prev_hash = entry.hash
    return None
