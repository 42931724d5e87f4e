"""Plain SQL reads that the pages need and no package offers yet, as data frames.

Usage: the ``answers``, ``llm_calls`` and ``feedback`` tables over a time window (the
page does the grouping it shows). Ingestion: recent jobs and one job's file events.
Each read belongs with the package that writes those rows and moves there once it
offers it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import AnswerLog, Feedback, Job, JobEvent, LlmCall


def answers(sessions: sessionmaker[Session], since: datetime) -> pd.DataFrame:
    """One row per answered question since ``since``."""
    cols = [
        AnswerLog.id,
        AnswerLog.at,
        AnswerLog.user_id,
        AnswerLog.question,
        AnswerLog.mode,
        AnswerLog.refused,
        AnswerLog.model,
        AnswerLog.latency_ms,
        AnswerLog.cost_usd,
    ]
    return _frame(sessions, select(*cols).where(AnswerLog.at >= since).order_by(AnswerLog.at))


def llm_calls(sessions: sessionmaker[Session], since: datetime) -> pd.DataFrame:
    """One row per call to a model since ``since``, with its tokens and cost."""
    cols = [
        LlmCall.at,
        LlmCall.purpose,
        LlmCall.model,
        LlmCall.input_tokens,
        LlmCall.cached_tokens,
        LlmCall.output_tokens,
        LlmCall.cost_usd,
        LlmCall.ok,
    ]
    return _frame(sessions, select(*cols).where(LlmCall.at >= since).order_by(LlmCall.at))


def feedback(sessions: sessionmaker[Session], since: datetime) -> pd.DataFrame:
    """Ratings since ``since`` with the question they were about, newest first.

    A person may rate an answer and then add a comment: only their latest rating of
    each answer counts.
    """
    query = (
        select(
            Feedback.at,
            Feedback.user_id,
            Feedback.message_id,
            Feedback.answer_id,
            Feedback.rating,
            Feedback.comment,
            AnswerLog.question,
        )
        .outerjoin(AnswerLog, AnswerLog.id == Feedback.answer_id)
        .where(Feedback.at >= since)
        .order_by(Feedback.id.desc())
    )
    frame = _frame(sessions, query)
    return frame.drop_duplicates(["user_id", "message_id", "answer_id"]).reset_index(drop=True)


def jobs(sessions: sessionmaker[Session], limit: int = 50) -> list[Job]:
    """The latest ingestion jobs, newest first."""
    with sessions() as session:
        return list(session.scalars(select(Job).order_by(Job.id.desc()).limit(limit)))


def job_events(sessions: sessionmaker[Session], job_id: int) -> list[JobEvent]:
    """What one job did to each file, in order."""
    with sessions() as session:
        query = select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.id)
        return list(session.scalars(query))


def _frame(sessions: sessionmaker[Session], query: Select[Any]) -> pd.DataFrame:
    with sessions() as session:
        result = session.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))
