"""SQL: the schema, engines and sessions, and migrations."""

from core.db.engine import get_engine, make_engine, session_factory, session_scope
from core.db.migrate import upgrade
from core.db.models import (
    AnswerLog,
    AuditEntry,
    Base,
    Chunk,
    Conversation,
    Document,
    DocumentLink,
    EvalResult,
    EvalRun,
    Feedback,
    Job,
    JobEvent,
    LlmCall,
    Message,
    utcnow,
)

__all__ = [
    "AnswerLog",
    "AuditEntry",
    "Base",
    "Chunk",
    "Conversation",
    "Document",
    "DocumentLink",
    "EvalResult",
    "EvalRun",
    "Feedback",
    "Job",
    "JobEvent",
    "LlmCall",
    "Message",
    "get_engine",
    "make_engine",
    "session_factory",
    "session_scope",
    "upgrade",
    "utcnow",
]
