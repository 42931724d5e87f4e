"""Footnote's search as a llama-index ``BaseRetriever``, for llama-index pipelines.

The retriever is bound to one asker: access groups are applied inside the index query
exactly as in ``retrieval.search``, so a llama-index query engine built on it cannot
see more than the person could.
"""

from __future__ import annotations

from dataclasses import asdict

from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from core.services import Services, get_services
from retrieval.search import Searcher
from retrieval.types import Filters, User


class FootnoteRetriever(BaseRetriever):
    def __init__(
        self,
        user: User,
        *,
        services: Services | None = None,
        filters: Filters | None = None,
        top_k: int | None = None,
    ) -> None:
        super().__init__()
        services = services or get_services()
        self._searcher = Searcher(services.index, services.embedder, services.settings)
        self._user = user
        self._filters = filters
        self._top_k = top_k

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        passages = self._searcher.search(
            query_bundle.query_str, self._user, self._filters, top_k=self._top_k
        )
        nodes = []
        for passage in passages:
            metadata = {k: v for k, v in asdict(passage).items() if k not in ("text", "score")}
            node = TextNode(id_=passage.chunk_id, text=passage.text, metadata=metadata)
            nodes.append(NodeWithScore(node=node, score=passage.score))
        return nodes
