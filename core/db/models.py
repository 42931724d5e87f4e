"""The SQL schema: documents, their chunk manifest and lineage, ingestion jobs, conversations,
usage, feedback, the audit chain, eval runs and API tokens.

The index (Qdrant) holds vectors and the text to show; SQL holds what we need to know
without asking the index: what was ingested from where, its hashes (change detection),
and everything people did. Every table here is created by a named, append-only Alembic
migration in ``core/migrations/versions``; ``tests/core/test_db.py`` checks the two agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON, list[Any]: JSON}


# -- ingestion ----------------------------------------------------------------------------
class Document(Base):
    """One file of one source, as last seen by an ingestion job."""

    __tablename__ = "documents"
    __table_args__ = (UniqueConstraint("source", "path", name="uq_documents_source_path"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    path: Mapped[str] = mapped_column(String(1000))
    """Relative to the source's folder, with forward slashes."""
    title: Mapped[str] = mapped_column(String(500), default="")
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    size: Mapped[int] = mapped_column(default=0)
    mtime: Mapped[float] = mapped_column(default=0.0)
    parser: Mapped[str] = mapped_column(String(50), default="")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    """pending | indexed | failed"""
    error: Mapped[str | None] = mapped_column(Text, default=None)
    groups: Mapped[list[str]] = mapped_column(default=list)
    chunk_count: Mapped[int] = mapped_column(default=0)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    indexed_at: Mapped[datetime | None] = mapped_column(default=None)

    chunks: Mapped[list[Chunk]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="Chunk.ordinal"
    )


class Chunk(Base):
    """The manifest of one chunk in the index; ``id`` is its point id there."""

    __tablename__ = "chunks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    ordinal: Mapped[int] = mapped_column()
    text_hash: Mapped[str] = mapped_column(String(64), index=True)
    token_count: Mapped[int] = mapped_column(default=0)
    section: Mapped[str] = mapped_column(Text, default="")
    page: Mapped[int | None] = mapped_column(default=None)

    document: Mapped[Document] = relationship(back_populates="chunks")


class DocumentLink(Base):
    """A document superseding another: ``newer_id`` replaces ``older_id`` from ``effective_at``.

    ``origin`` says where the link came from, strongest first: ``front_matter`` (the newer
    document's ``supersedes:`` key), ``text`` (a sentence such as "This notice replaces
    ..."), ``proposed`` (the catalog saw two versions of one title or file name) or
    ``manual`` (a knowledge manager set it). Ingestion keeps the first three in step with
    the documents; a person's decision (``decided_by``) is never overwritten by a re-run.
    Links go with either document (``ON DELETE CASCADE``).
    """

    __tablename__ = "document_links"
    __table_args__ = (UniqueConstraint("newer_id", "older_id", name="uq_document_links_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    newer_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    older_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), index=True
    )
    origin: Mapped[str] = mapped_column(String(20))
    """front_matter | text | proposed | manual"""
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    """proposed | confirmed | rejected"""
    effective_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the newer document took over (UTC); None when no date is known."""
    evidence: Mapped[str] = mapped_column(Text, default="")
    """The key, sentence or names that made the link, shown to whoever reviews it."""
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    """Who confirmed, rejected or set it; empty while only ingestion has touched it."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Job(Base):
    """An ingestion job; queued jobs are the hand-over queue to the index owner."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(200))
    root: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    """The source's folder when the job was created (what an ad-hoc source runs on)."""
    paths: Mapped[list[str]] = mapped_column(default=list)
    """Only these files or folders of the source; all of it when empty."""
    requested_by: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    """queued | running | succeeded | failed | cancelled"""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    pid: Mapped[int | None] = mapped_column(default=None)
    files_total: Mapped[int] = mapped_column(default=0)
    files_done: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    deleted: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    chunks_total: Mapped[int] = mapped_column(default=0)
    chunks_embedded: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)

    events: Mapped[list[JobEvent]] = relationship(
        back_populates="job", cascade="all, delete-orphan", order_by="JobEvent.id"
    )


class JobEvent(Base):
    """What a job did to one file: added, updated, unchanged, deleted or failed (why)."""

    __tablename__ = "job_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    path: Mapped[str] = mapped_column(String(1000))
    action: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    chunks: Mapped[int] = mapped_column(default=0)
    duration_ms: Mapped[float] = mapped_column(default=0.0)

    job: Mapped[Job] = relationship(back_populates="events")


# -- conversations, usage, feedback, audit ----------------------------------------------
class Conversation(Base):
    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(500), default="New conversation")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Message.id"
    )


class Message(Base):
    """A turn; an assistant turn keeps its citations and how it was answered."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    citations: Mapped[list[Any]] = mapped_column(default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class AnswerLog(Base):
    """One answered question: what the usage page and the audit read."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[str] = mapped_column(String(200), index=True)
    conversation_id: Mapped[str | None] = mapped_column(String(64), default=None)
    question: Mapped[str] = mapped_column(Text)
    standalone_question: Mapped[str] = mapped_column(Text, default="")
    answer: Mapped[str] = mapped_column(Text, default="")
    mode: Mapped[str] = mapped_column(String(20), default="extractive")
    """llm | extractive | fallback"""
    refused: Mapped[bool] = mapped_column(default=False)
    model: Mapped[str] = mapped_column(String(200), default="")
    input_tokens: Mapped[int] = mapped_column(default=0)
    cached_tokens: Mapped[int] = mapped_column(default=0)
    output_tokens: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[float] = mapped_column(default=0.0)
    latency_ms: Mapped[float] = mapped_column(default=0.0)
    citations: Mapped[list[Any]] = mapped_column(default=list)


class LlmCall(Base):
    """Token usage of one call to a model, with its cost (the simonw/llm habit)."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="SET NULL"), default=None
    )
    purpose: Mapped[str] = mapped_column(String(30))
    """answer | rewrite | summary | judge | embed"""
    model: Mapped[str] = mapped_column(String(200))
    input_tokens: Mapped[int] = mapped_column(default=0)
    cached_tokens: Mapped[int] = mapped_column(default=0)
    output_tokens: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[float] = mapped_column(default=0.0)
    latency_ms: Mapped[float] = mapped_column(default=0.0)
    ok: Mapped[bool] = mapped_column(default=True)
    error: Mapped[str | None] = mapped_column(Text, default=None)


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[str] = mapped_column(String(200))
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answers.id", ondelete="SET NULL"), default=None
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), default=None
    )
    rating: Mapped[int] = mapped_column()
    """+1 or -1"""
    comment: Mapped[str] = mapped_column(Text, default="")


class AuditEntry(Base):
    """A hash chain of who saw what: each row's hash covers the previous row's."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64))


# -- API tokens ---------------------------------------------------------------------------
class ApiToken(Base):
    """A bearer token for the HTTP API and the MCP server: who it speaks for, with which
    groups. Only the token's SHA-256 is kept, so a leaked database leaks no token."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    """The token's first characters, to tell tokens apart in ``footnote tokens list``."""
    user_id: Mapped[str] = mapped_column(String(200), index=True)
    groups: Mapped[list[str]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    requests: Mapped[int] = mapped_column(default=0)


# -- evals --------------------------------------------------------------------------------
class EvalRun(Base):
    __tablename__ = "eval_runs"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    dataset: Mapped[str] = mapped_column(String(1000))
    source: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(20), default="running")
    judge: Mapped[str] = mapped_column(String(200), default="offline")
    git_commit: Mapped[str] = mapped_column(String(64), default="")
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    aggregates: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)

    results: Mapped[list[EvalResult]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="EvalResult.id"
    )


class EvalResult(Base):
    __tablename__ = "eval_results"
    __table_args__ = (Index("ix_eval_results_run_qid", "run_id", "qid"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("eval_runs.id", ondelete="CASCADE"))
    qid: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(50), default="")
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    refused: Mapped[bool] = mapped_column(default=False)
    metrics: Mapped[dict[str, Any]] = mapped_column(default=dict)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    """Claims with verdicts, retrieved sources, citations: what the report shows."""
    latency_ms: Mapped[float] = mapped_column(default=0.0)
    input_tokens: Mapped[int] = mapped_column(default=0)
    output_tokens: Mapped[int] = mapped_column(default=0)
    cost_usd: Mapped[float] = mapped_column(default=0.0)

    run: Mapped[EvalRun] = relationship(back_populates="results")
