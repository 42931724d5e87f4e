"""Model calls are priced and written to ``llm_calls``, one row each."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.db import LlmCall
from core.llm import LLMUsage
from core.services import Services
from retrieval.metering import ModelCall, call_cost, meter_calls
from tests.conftest import make_settings


def test_calls_are_priced_and_recorded(tmp_path: Path) -> None:
    services = Services(make_settings(tmp_path))
    usage = LLMUsage("gpt-4o-mini", 1000, 200, 100)
    calls = [ModelCall("rewrite", usage, 12.0), ModelCall("answer", LLMUsage("x"), 3.0, "timeout")]
    cost = meter_calls(services.sessions, services.settings, calls)
    with services.sessions() as session:
        rewrite, failed = session.query(LlmCall).order_by(LlmCall.id).all()
    assert rewrite.purpose == "rewrite" and rewrite.cached_tokens == 200 and rewrite.ok
    assert rewrite.cost_usd == pytest.approx(call_cost(usage, services.settings))
    assert rewrite.cost_usd > 0
    assert cost == pytest.approx(rewrite.cost_usd)
    assert failed.purpose == "answer" and not failed.ok and failed.error == "timeout"


def test_purpose_override(tmp_path: Path) -> None:
    services = Services(make_settings(tmp_path))
    meter_calls(
        services.sessions,
        services.settings,
        [ModelCall("answer", LLMUsage("x"), 1.0)],
        purpose="eval",
    )
    with services.sessions() as session:
        assert session.query(LlmCall).one().purpose == "eval"
