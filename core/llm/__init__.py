"""LLM clients: one protocol, an OpenAI(-compatible) client, a scripted fake.

``make_llm(settings)`` builds the configured client; callers depend only on
``LLMClient``. Clients write nothing: ``retrieval.metering`` prices and records calls.
"""

from core.llm.base import ChatMessage, Completion, LLMAuthError, LLMClient, LLMError, LLMUsage
from core.llm.fake import FakeLLM
from core.llm.models import context_window
from core.llm.openai_client import OpenAIClient
from core.settings import Settings


def make_llm(settings: Settings) -> LLMClient:
    """The client for ``settings`` (OpenAI, or the compatible server at openai_base_url)."""
    return OpenAIClient(settings)


__all__ = [
    "ChatMessage",
    "Completion",
    "FakeLLM",
    "LLMAuthError",
    "LLMClient",
    "LLMError",
    "LLMUsage",
    "OpenAIClient",
    "context_window",
    "make_llm",
]
