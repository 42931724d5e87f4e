"""The LLM client seam: what Footnote asks of a chat model, nothing more.

Two calls: ``stream`` (the answer, shown as it is written) and ``complete`` (short
jobs such as rewriting a follow-up question or judging an answer, optionally in JSON
mode). Both report token usage so every call can be priced and logged. Failures a
caller can act on are ``LLMError`` (fall back to the extractive answer) and its
subclass ``LLMAuthError`` (the key is wrong: say so).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypedDict


class ChatMessage(TypedDict):
    """One message in the OpenAI chat shape."""

    role: Literal["system", "user", "assistant"]
    content: str


@dataclass(frozen=True)
class LLMUsage:
    """Tokens one call used; ``input_tokens`` includes ``cached_tokens``."""

    model: str
    input_tokens: int = 0
    cached_tokens: int = 0
    output_tokens: int = 0


@dataclass(frozen=True)
class Completion:
    text: str
    usage: LLMUsage


class LLMError(RuntimeError):
    """The model could not give an answer (after retries): callers fall back."""


class LLMAuthError(LLMError):
    """The endpoint rejected the API key."""


class LLMClient(Protocol):
    model: str

    def stream(
        self, messages: Sequence[ChatMessage], *, max_tokens: int | None = None
    ) -> Iterator[str | LLMUsage]:
        """Text deltas as they arrive, then exactly one ``LLMUsage`` as the last item.

        Raises ``LLMError`` before or during the stream when the model fails.
        """
        ...

    def complete(
        self,
        messages: Sequence[ChatMessage],
        *,
        json_mode: bool = False,
        max_tokens: int | None = None,
    ) -> Completion:
        """The whole reply at once; ``json_mode`` asks for a JSON object."""
        ...
