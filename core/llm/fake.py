"""A scripted stand-in for unit tests that need an LLM but not HTTP.

The HTTP path is tested against a real server on 127.0.0.1
(``tests/support/openai_server.py``); this is for logic above the client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from core.llm.base import ChatMessage, Completion, LLMUsage


class FakeLLM:
    """Replies in order from ``replies`` (the last one repeats), or from a function."""

    def __init__(
        self,
        replies: Sequence[str] | Callable[[Sequence[ChatMessage]], str] = ("I do not know.",),
        model: str = "fake",
    ) -> None:
        self.model = model
        self._replies = replies
        self.calls: list[list[ChatMessage]] = []

    def _reply(self, messages: Sequence[ChatMessage]) -> Completion:
        self.calls.append(list(messages))
        if callable(self._replies):
            text = self._replies(messages)
        else:
            text = self._replies[min(len(self.calls), len(self._replies)) - 1]
        words = sum(len(m["content"].split()) for m in messages)
        return Completion(text, LLMUsage(self.model, words, 0, len(text.split())))

    def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> Iterator[str | LLMUsage]:
        reply = self._reply(messages)
        for i, word in enumerate(reply.text.split(" ")):
            yield word if i == 0 else " " + word
        yield reply.usage

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        json_mode: bool = False,
        max_tokens: int | None = None,
    ) -> Completion:
        return self._reply(messages)
