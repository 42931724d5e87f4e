"""Retrieval: search, context budget, grounded prompts with citations, answering.

The public surface, used by the app, the CLI and the evals alike:

- ``answer(question, user, history, ...)`` → a stream of events, ``Done(answer)`` last;
- ``search(query, user, ...)`` → passages the user may see, best first;
- ``Searcher`` (hybrid search over an index) and ``FootnoteRetriever`` (the same as a
  llama-index retriever);
- ``Conversations``: chat history and feedback in SQL;
- ``usage_report(sessions, since)`` → ``UsageReport``: questions, cost, latency,
  unanswered questions and feedback over a time window.
"""

from __future__ import annotations

from core.services import Services, get_services
from retrieval.answer import answer
from retrieval.conversations import ConversationNotFound, Conversations
from retrieval.llama import FootnoteRetriever
from retrieval.search import Searcher
from retrieval.types import Filters, Passage, User
from retrieval.usage import UsageReport, usage_report


def search(
    query: str,
    user: User,
    *,
    services: Services | None = None,
    filters: Filters | None = None,
    top_k: int | None = None,
) -> list[Passage]:
    """The best passages ``user`` may see for ``query``."""
    services = services or get_services()
    searcher = Searcher(services.index, services.embedder, services.settings)
    return searcher.search(query, user, filters, top_k=top_k)


__all__ = [
    "ConversationNotFound",
    "Conversations",
    "FootnoteRetriever",
    "Searcher",
    "UsageReport",
    "answer",
    "search",
    "usage_report",
]
