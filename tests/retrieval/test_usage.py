"""The usage report over real SQL rows: answers from the answer path, metered calls,
feedback through ``Conversations``."""

from __future__ import annotations

from datetime import timedelta

from core.db import utcnow
from core.llm import LLMUsage
from core.services import Services
from retrieval import Conversations, answer, usage_report
from retrieval.metering import ModelCall, meter_calls
from retrieval.types import Answer, Done, User

ANN = User("ann", groups=("all",))
SWALLOW = "What is the airspeed velocity of an unladen swallow?"


def _ask(question: str, services: Services) -> Answer:
    done = list(answer(question, ANN, services=services))[-1]
    assert isinstance(done, Done)
    return done.answer


def test_empty_window_reports_nothing(indexed: Services) -> None:
    report = usage_report(indexed.sessions, utcnow() - timedelta(days=7))
    assert (report.questions, report.cost_usd, report.helpful, report.not_helpful) == (0, 0, 0, 0)
    assert report.latency_s == {} and report.per_day.empty and report.per_model.empty
    assert report.unanswered.empty and report.feedback.empty


def test_report_counts_questions_cost_latency_and_feedback(indexed: Services) -> None:
    since = utcnow() - timedelta(days=1)
    leave = _ask("How many days of paid annual leave do employees get?", indexed)
    _ask(SWALLOW, indexed)
    _ask(f"  {SWALLOW.upper()} ", indexed)  # the same question, asked again
    for usage, error in (
        (LLMUsage("gpt-4o-mini", 1000, 0, 200), None),
        (LLMUsage("gpt-4o-mini"), "timeout"),
    ):
        meter_calls(
            indexed.sessions,
            indexed.settings,
            [ModelCall("answer", usage, 10, error)],
            answer_id=leave.answer_id,
        )
    chats = Conversations(indexed.sessions)
    chats.feedback("ann", -1, answer_id=leave.answer_id)
    chats.feedback("ann", 1, "right after all", answer_id=leave.answer_id)  # latest counts
    chats.feedback("bob", -1, answer_id=leave.answer_id)

    report = usage_report(indexed.sessions, since)
    assert report.questions == 3 and report.unanswered_share == 2 / 3
    assert set(report.latency_s) == {"p50", "p90", "p99"}
    assert 0 < report.latency_s["p50"] <= report.latency_s["p99"]
    assert list(report.per_day["questions"]) == [3] and list(report.per_day["unanswered"]) == [2]
    assert dict(report.by_mode["answers"]) == {"extractive": 3}

    model = report.per_model.loc["gpt-4o-mini"]
    assert (model["calls"], model["failed"], model["input_tokens"]) == (2, 1, 1000)
    assert report.cost_usd == model["cost_usd"] > 0
    assert list(report.tokens_per_day["gpt-4o-mini"]) == [1200]
    assert list(report.cost_per_day["gpt-4o-mini"]) == [report.cost_usd]

    (unanswered,) = report.unanswered.to_dict("records")  # both asks of the swallow
    assert (unanswered["question"], unanswered["asked"]) == (SWALLOW, 2)
    assert (report.helpful, report.not_helpful) == (1, 1)
    assert list(report.feedback["comment"]) == ["", "right after all"]
    assert set(report.feedback["question"]) == {leave.question}

    assert usage_report(indexed.sessions, utcnow() + timedelta(seconds=1)).questions == 0
