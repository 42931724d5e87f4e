"""How Footnote is used over a time window: questions, cost, speed, feedback.

Read from the rows the answer path writes (``answers``, ``llm_calls``, ``feedback``) and
shaped here, so the Usage page only draws. The unanswered questions are a knowledge
manager's to-do list: the same question asked twice (up to case and spaces) is one
entry, most asked first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from core.db import AnswerLog, Feedback, LlmCall

LATENCY_QUANTILES = (0.5, 0.9, 0.99)


@dataclass(frozen=True)
class UsageReport:
    """Everything the Usage page shows for one window; frames are empty when nothing
    happened (no calls at all when every answer was extractive)."""

    questions: int
    unanswered_share: float
    """0–1: the share of questions answered with a refusal."""
    cost_usd: float
    helpful: int
    not_helpful: int
    latency_s: dict[str, float]
    """{"p50": …, "p90": …, "p99": …} in seconds; empty without questions."""
    per_day: pd.DataFrame
    """index ``day``; columns ``questions``, ``unanswered``."""
    by_mode: pd.DataFrame
    """index ``mode`` (llm, extractive, fallback); column ``answers``."""
    tokens_per_day: pd.DataFrame
    """index ``day``, one column per model: input + output tokens."""
    cost_per_day: pd.DataFrame
    """index ``day``, one column per model: USD."""
    per_model: pd.DataFrame
    """index ``model``; ``calls``, ``failed``, ``input_tokens``, ``output_tokens``, ``cost_usd``."""
    unanswered: pd.DataFrame
    """``question``, ``asked``, ``last_asked``: refused questions, most asked first."""
    feedback: pd.DataFrame
    """``at``, ``user_id``, ``rating`` (+1/-1), ``comment``, ``question``; newest first."""


def usage_report(sessions: sessionmaker[Session], since: datetime) -> UsageReport:
    """Usage since ``since`` (a naive UTC datetime, like the stored timestamps)."""
    answers = _since(
        sessions,
        since,
        AnswerLog.at,
        AnswerLog.id,
        AnswerLog.question,
        AnswerLog.mode,
        AnswerLog.refused,
        AnswerLog.latency_ms,
    )
    calls = _since(
        sessions,
        since,
        LlmCall.at,
        LlmCall.model,
        LlmCall.input_tokens,
        LlmCall.output_tokens,
        LlmCall.cost_usd,
        LlmCall.ok,
    )
    ratings = _feedback(sessions, since)
    latency = answers["latency_ms"]
    return UsageReport(
        questions=len(answers),
        unanswered_share=float(answers["refused"].mean()) if len(answers) else 0.0,
        cost_usd=float(calls["cost_usd"].sum()),
        helpful=int((ratings["rating"] > 0).sum()),
        not_helpful=int((ratings["rating"] < 0).sum()),
        latency_s={
            f"p{round(q * 100)}": float(latency.quantile(q)) / 1000 for q in LATENCY_QUANTILES
        }
        if len(answers)
        else {},
        per_day=answers.assign(day=_day(answers["at"]))
        .groupby("day")
        .agg(questions=("id", "count"), unanswered=("refused", "sum")),
        by_mode=answers.groupby("mode").agg(answers=("id", "count")),
        tokens_per_day=_per_day_and_model(calls, calls["input_tokens"] + calls["output_tokens"]),
        cost_per_day=_per_day_and_model(calls, calls["cost_usd"]),
        per_model=calls.groupby("model").agg(
            calls=("ok", "count"),
            failed=("ok", lambda ok: int((~ok.astype(bool)).sum())),
            input_tokens=("input_tokens", "sum"),
            output_tokens=("output_tokens", "sum"),
            cost_usd=("cost_usd", "sum"),
        ),
        unanswered=_unanswered(answers),
        feedback=ratings[["at", "user_id", "rating", "comment", "question"]],
    )


def _since(
    sessions: sessionmaker[Session],
    since: datetime,
    at: InstrumentedAttribute[datetime],
    *cols: Any,
) -> pd.DataFrame:
    """``at`` and ``cols`` of the rows stamped ``at`` or after ``since``, oldest first."""
    return _frame(sessions, select(at, *cols).where(at >= since).order_by(at))


def _feedback(sessions: sessionmaker[Session], since: datetime) -> pd.DataFrame:
    """A person may rate an answer and then add a comment: their latest rating counts."""
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


def _unanswered(answers: pd.DataFrame) -> pd.DataFrame:
    refused = answers[answers["refused"].astype(bool)]
    return (
        refused.assign(key=refused["question"].str.strip().str.lower())
        .groupby("key")
        .agg(question=("question", "first"), asked=("id", "count"), last_asked=("at", "max"))
        .sort_values(["asked", "last_asked"], ascending=False)
        .reset_index(drop=True)
    )


def _per_day_and_model(calls: pd.DataFrame, values: pd.Series) -> pd.DataFrame:
    frame = pd.DataFrame({"day": _day(calls["at"]), "model": calls["model"], "value": values})
    return frame.pivot_table("value", "day", "model", aggfunc="sum")


def _day(at: pd.Series) -> pd.Series:
    return pd.to_datetime(at).dt.date


def _frame(sessions: sessionmaker[Session], query: Select[Any]) -> pd.DataFrame:
    with sessions() as session:
        result = session.execute(query)
        return pd.DataFrame(result.all(), columns=list(result.keys()))
