"""Every model call is priced and written to ``llm_calls``: the usage page reads it.

Callers time the call and describe it as a ``ModelCall`` (purpose, usage, latency,
error): the answer path for its rewrite and answer calls, the eval runner for its
judge's. The price comes from ``core.pricing`` with the settings' overrides. This lives
beside ``retrieval.records`` rather than in ``core.llm`` so that the LLM clients stay
free of SQL: a client calls a model, the stage that asked decides what is recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from core.db import LlmCall
from core.llm import LLMUsage
from core.pricing import cost_usd
from core.settings import Settings


@dataclass(frozen=True)
class ModelCall:
    """One call to a model: what it was for, what it used, how long, how it failed."""

    purpose: str
    """rewrite | answer | judge (``meter_calls`` may override it, e.g. "eval")."""
    usage: LLMUsage
    latency_ms: float
    error: str | None = None


def call_cost(usage: LLMUsage, settings: Settings) -> float:
    return cost_usd(
        usage.model, usage.input_tokens, usage.cached_tokens, usage.output_tokens, settings.prices
    )


def meter_calls(
    sessions: sessionmaker[Session],
    settings: Settings,
    calls: Iterable[ModelCall],
    *,
    answer_id: int | None = None,
    purpose: str | None = None,
) -> float:
    """One ``llm_calls`` row per call, in one transaction; their cost in dollars.
    ``purpose`` overrides each call's own."""
    total = 0.0
    with sessions.begin() as session:
        for call in calls:
            cost = call_cost(call.usage, settings)
            total += cost
            session.add(
                LlmCall(
                    answer_id=answer_id,
                    purpose=purpose or call.purpose,
                    model=call.usage.model,
                    input_tokens=call.usage.input_tokens,
                    cached_tokens=call.usage.cached_tokens,
                    output_tokens=call.usage.output_tokens,
                    cost_usd=cost,
                    latency_ms=call.latency_ms,
                    ok=call.error is None,
                    error=call.error,
                )
            )
    return total
