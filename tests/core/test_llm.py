"""The OpenAI client against a real HTTP server on 127.0.0.1: streaming, usage,
retries with backoff, timeouts, broken streams, garbage and a rejected key."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from core.llm import LLMAuthError, LLMError, LLMUsage, OpenAIClient
from core.pricing import cost_usd, price_for
from tests.conftest import make_settings
from tests.support.openai_server import OpenAIServer, Reply

MESSAGES = [{"role": "user", "content": "Hello?"}]


def _client(
    tmp_path: Path, server: OpenAIServer, delays: list[float] | None = None, **overrides: object
) -> OpenAIClient:
    values: dict[str, object] = {
        "openai_base_url": server.url,
        "openai_api_key": "sk-test-secret-key",
        "llm_timeout_s": 5.0,
    }
    values.update(overrides)
    settings = make_settings(tmp_path, **values)
    sleep = delays.append if delays is not None else (lambda _s: None)
    return OpenAIClient(settings, sleep=sleep)


def test_stream_yields_deltas_then_usage(tmp_path: Path, openai_server: OpenAIServer) -> None:
    openai_server.script(Reply.text("Twenty five days [1].", cached_tokens=3))
    parts = list(_client(tmp_path, openai_server).stream(MESSAGES, max_tokens=50))
    assert "".join(p for p in parts if isinstance(p, str)) == "Twenty five days [1]."
    usage = parts[-1]
    assert isinstance(usage, LLMUsage)
    assert usage.input_tokens > 0 and usage.output_tokens > 0 and usage.cached_tokens == 3
    body = openai_server.chat_requests()[-1].body
    assert body["stream"] is True and body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == 50


def test_complete_in_json_mode(tmp_path: Path, openai_server: OpenAIServer) -> None:
    openai_server.script(Reply.text('{"verdict": "supported"}'))
    result = _client(tmp_path, openai_server).complete(MESSAGES, json_mode=True)
    assert result.text == '{"verdict": "supported"}'
    assert openai_server.chat_requests()[-1].body["response_format"] == {"type": "json_object"}


def test_retries_429_and_5xx_with_backoff(tmp_path: Path, openai_server: OpenAIServer) -> None:
    openai_server.script(Reply.error(429, retry_after=0.25), Reply.error(500), Reply.error(503))
    openai_server.script(Reply.text("Finally."))
    delays: list[float] = []
    client = _client(tmp_path, openai_server, delays, llm_max_retries=3)
    assert client.complete(MESSAGES).text == "Finally."
    assert len(openai_server.chat_requests()) == 4  # retried three times, then answered
    assert len(delays) == 3 and delays[0] == 0.25  # it waited each time; Retry-After honoured
    assert 0 < delays[1] <= delays[2]  # without Retry-After it backs off


def test_gives_up_after_max_retries(tmp_path: Path, openai_server: OpenAIServer) -> None:
    openai_server.script(*[Reply.error(500)] * 3)
    client = _client(tmp_path, openai_server, llm_max_retries=2)
    with pytest.raises(LLMError, match="after 3 attempt"):
        list(client.stream(MESSAGES))
    assert len(openai_server.chat_requests()) == 3  # the first try and two retries


def test_rejected_key_is_a_clear_error_without_the_key(
    tmp_path: Path, openai_server: OpenAIServer, caplog: pytest.LogCaptureFixture
) -> None:
    openai_server.script(Reply.error(401))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(LLMAuthError) as info:
        _client(tmp_path, openai_server).complete(MESSAGES)
    assert str(info.value) == f"OPENAI_API_KEY was rejected by {openai_server.url}; check it."
    assert info.value.__cause__ is None and info.value.__context__ is not None
    assert "sk-test-secret-key" not in caplog.text
    assert len(openai_server.chat_requests()) == 1  # a wrong key is not retried


def test_stream_that_stalls_times_out(tmp_path: Path, openai_server: OpenAIServer) -> None:
    openai_server.script(Reply.slow("one two three", delay_s=5))
    client = _client(tmp_path, openai_server, llm_timeout_s=0.3, llm_max_retries=0)
    with pytest.raises(LLMError, match="broke off"):
        list(client.stream(MESSAGES))


def test_stream_that_breaks_mid_way(tmp_path: Path, openai_server: OpenAIServer) -> None:
    openai_server.script(Reply.broken("one two three four five six"))
    parts: list[object] = []
    with pytest.raises(LLMError):
        for part in _client(tmp_path, openai_server).stream(MESSAGES):
            parts.append(part)
    assert parts and not any(isinstance(p, LLMUsage) for p in parts)


@pytest.mark.parametrize("stream", [True, False])
def test_garbage_is_an_llm_error(tmp_path: Path, openai_server: OpenAIServer, stream: bool) -> None:
    openai_server.script(Reply.garbage())
    client = _client(tmp_path, openai_server)
    with pytest.raises(LLMError):
        list(client.stream(MESSAGES)) if stream else client.complete(MESSAGES)


def test_prices() -> None:
    assert price_for("gpt-4o-mini-2024-07-18") == price_for("gpt-4o-mini")
    assert price_for("my-local-llama").input == 0.0
    # 1M fresh input at 0.15, 1M cached at 0.075, 1M output at 0.60
    assert cost_usd("gpt-4o-mini", 2_000_000, 1_000_000, 1_000_000) == pytest.approx(0.825)
    assert cost_usd("gpt-4o-mini", 1_000_000, 0, 0, {"gpt-4o-mini": {"input": 1.0}}) == 1.0
