"""``LLMClient`` over the ``openai`` SDK: OpenAI itself or any OpenAI-compatible server.

Retries are ours, not the SDK's (it runs with ``max_retries=0``): 429, 5xx and
connection failures are retried with exponential backoff (0.5 s, 1 s, 2 s … capped at
8 s, or the server's ``Retry-After`` when it sends one), so the policy is visible here
and tests can replace ``sleep``. A stream that has started is not retried: its text
is already on the screen, so the caller falls back instead. The API key is only ever
handed to the SDK; error messages never include the provider's text for a 401,
because some providers echo part of the key back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

import openai

from core.llm.base import ChatMessage, Completion, LLMAuthError, LLMError, LLMUsage
from core.settings import Settings

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.openai.com/v1"
_FIRST_DELAY_S = 0.5
_MAX_DELAY_S = 8.0
_MAX_RETRY_AFTER_S = 60.0
_COMPLETION_TOKENS_MODELS = ("o1", "o3", "o4", "gpt-5")
"""Models that take ``max_completion_tokens`` and reject ``max_tokens``."""

_RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError)
"""429, 5xx, and connection failures including timeouts."""

T = TypeVar("T")


class OpenAIClient:
    def __init__(self, settings: Settings, *, sleep: Callable[[float], None] = time.sleep):
        self.model = settings.llm_model
        self.base_url = (settings.openai_base_url or DEFAULT_BASE_URL).rstrip("/")
        self.max_retries = max(0, settings.llm_max_retries)
        self._sleep = sleep
        key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else ""
        self._client = openai.OpenAI(
            api_key=key or "no-key",  # local OpenAI-compatible servers need none
            base_url=self.base_url,
            timeout=settings.llm_timeout_s,
            max_retries=0,
        )

    # -- the two calls ------------------------------------------------------------------
    def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> Iterator[str | LLMUsage]:
        response = self._with_retries(
            lambda: self._client.chat.completions.create(
                **self._request(messages, max_tokens),
                stream=True,
                stream_options={"include_usage": True},
            )
        )
        usage: LLMUsage | None = None
        finished = False
        try:
            for chunk in response:
                if chunk.usage is not None:
                    usage = _usage(self.model, chunk.usage)
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        yield choice.delta.content
                    finished = finished or choice.finish_reason is not None
        except LLMError:
            raise
        except Exception as exc:
            raise LLMError(f"The answer from {self.base_url} broke off: {_describe(exc)}") from exc
        finally:
            response.close()
        if not finished:
            raise LLMError(f"The answer from {self.base_url} ended before it was complete.")
        yield usage or LLMUsage(self.model)

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        json_mode: bool = False,
        max_tokens: int | None = None,
    ) -> Completion:
        extra: dict[str, Any] = {"response_format": {"type": "json_object"}} if json_mode else {}
        response = self._with_retries(
            lambda: self._client.chat.completions.create(
                **self._request(messages, max_tokens), **extra
            )
        )
        try:
            text = response.choices[0].message.content or ""
        except (AttributeError, IndexError, TypeError) as exc:
            raise LLMError(f"{self.base_url} sent a reply without a message.") from exc
        usage = _usage(self.model, response.usage) if response.usage else LLMUsage(self.model)
        return Completion(text, usage)

    # -- helpers ------------------------------------------------------------------------
    def _request(self, messages: Sequence[ChatMessage], max_tokens: int | None) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.model, "messages": list(messages)}
        if max_tokens:
            name = self.model.lower().rsplit("/", 1)[-1]
            newer = name.startswith(_COMPLETION_TOKENS_MODELS)
            request["max_completion_tokens" if newer else "max_tokens"] = max_tokens
        return request

    def _with_retries(self, call: Callable[[], T]) -> T:
        for attempt in range(self.max_retries + 1):
            try:
                return call()
            except openai.AuthenticationError:
                raise LLMAuthError(
                    f"OPENAI_API_KEY was rejected by {self.base_url}; check it."
                ) from None
            except _RETRYABLE as exc:
                if attempt == self.max_retries:
                    raise LLMError(
                        f"{self.base_url} failed after {attempt + 1} attempt(s): {_describe(exc)}"
                    ) from exc
                delay = _retry_after(exc) or min(_MAX_DELAY_S, _FIRST_DELAY_S * 2**attempt)
                log.warning("LLM call failed (%s); retrying in %.2f s", _describe(exc), delay)
                self._sleep(delay)
            except openai.APIStatusError as exc:
                raise LLMError(
                    f"{self.base_url} refused the request (HTTP {exc.status_code}): "
                    f"{_describe(exc)}"
                ) from exc
            except Exception as exc:  # invalid JSON and other garbage
                raise LLMError(f"{self.base_url} sent a reply that is not usable: {exc}") from exc
        raise AssertionError("unreachable")


def _usage(model: str, usage: Any) -> LLMUsage:
    details = getattr(usage, "prompt_tokens_details", None)
    cached = getattr(details, "cached_tokens", None) or 0
    return LLMUsage(
        model=model,
        input_tokens=int(usage.prompt_tokens or 0),
        cached_tokens=int(cached),
        output_tokens=int(usage.completion_tokens or 0),
    )


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        seconds = float(value) if value is not None else None
    except ValueError:  # an HTTP date: fall back to our backoff
        return None
    return min(seconds, _MAX_RETRY_AFTER_S) if seconds and seconds > 0 else None


def _describe(exc: Exception) -> str:
    status = getattr(exc, "status_code", None)
    name = type(exc).__name__
    return f"HTTP {status} ({name})" if status else name
