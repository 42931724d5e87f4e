"""Every model call is priced and written to ``llm_calls``: the usage page reads it.

Callers time the call and hand over its usage (or its error); the price comes from
``core.pricing`` with the settings' overrides.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from core.db import LlmCall
from core.llm.base import LLMUsage
from core.pricing import cost_usd
from core.settings import Settings


def call_cost(usage: LLMUsage, settings: Settings) -> float:
    return cost_usd(
        usage.model, usage.input_tokens, usage.cached_tokens, usage.output_tokens, settings.prices
    )


def record_call(
    sessions: sessionmaker[Session],
    settings: Settings,
    *,
    purpose: str,
    usage: LLMUsage,
    latency_ms: float,
    answer_id: int | None = None,
    error: str | None = None,
) -> float:
    """Write one ``llm_calls`` row; returns its cost in dollars."""
    cost = call_cost(usage, settings)
    with sessions.begin() as session:
        session.add(
            LlmCall(
                answer_id=answer_id,
                purpose=purpose,
                model=usage.model,
                input_tokens=usage.input_tokens,
                cached_tokens=usage.cached_tokens,
                output_tokens=usage.output_tokens,
                cost_usd=cost,
                latency_ms=latency_ms,
                ok=error is None,
                error=error,
            )
        )
    return cost
