"""What an answer leaves behind in SQL: the answer row, its model calls, an audit entry.

The audit log is a hash chain: each entry's hash covers its content and the previous
entry's hash, so editing or deleting a past entry breaks every hash after it
(``verify_audit_chain`` finds where).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from core.db import AnswerLog, AuditEntry, utcnow
from core.llm import LLMUsage, record_call
from core.settings import Settings
from retrieval.types import Answer, User


@dataclass(frozen=True)
class ModelCall:
    """One call made while answering, to be metered once the answer has its id."""

    purpose: str
    usage: LLMUsage
    latency_ms: float
    error: str | None = None


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
            model=answer.usage.model,
            input_tokens=answer.usage.input_tokens,
            cached_tokens=answer.usage.cached_tokens,
            output_tokens=answer.usage.output_tokens,
            cost_usd=answer.usage.cost_usd,
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
    for call in calls:
        record_call(
            sessions,
            settings,
            purpose=call.purpose,
            usage=call.usage,
            latency_ms=call.latency_ms,
            answer_id=answer_id,
            error=call.error,
        )
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
    """Add an entry chained to the newest one (inside the caller's transaction)."""
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    prev_hash = last.hash if last else ""
    entry = AuditEntry(at=utcnow(), user_id=user_id, action=action, detail=detail, hash="")
    entry.prev_hash = prev_hash
    entry.hash = _entry_hash(prev_hash, entry)
    session.add(entry)


def verify_audit_chain(sessions: sessionmaker[Session]) -> int | None:
    """The id of the first entry whose hash does not hold, or None when all do."""
    prev_hash = ""
    with sessions() as session:
        for entry in session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
            if entry.prev_hash != prev_hash or entry.hash != _entry_hash(prev_hash, entry):
                return entry.id
            prev_hash = entry.hash
    return None
