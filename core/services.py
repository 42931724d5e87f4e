"""The running parts of Footnote for one process: settings, SQL, embedder, index, LLM.

The embedder comes with its sentence-vector store (``core.vector_store``) attached:
this is where the data dir and the model meet, so ingest and every answerer of the
process share one file per model.

Everything is opened lazily and once: a CLI command that only lists jobs never loads
the model or takes the index lock. Tests build a ``Services`` from their own
``Settings``; the app and CLI use ``get_services()``.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from core.db import session_factory, upgrade
from core.embeddings import Embedder, make_embedder
from core.index import Index, open_index
from core.settings import Settings, get_settings
from core.vector_store import VectorStore, attach, store_of

if TYPE_CHECKING:
    from core.llm import LLMClient


class Services:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._index: Index | None = None
        self._index_lock = threading.Lock()
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        upgrade(settings)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return session_factory(self.settings)

    @cached_property
    def embedder(self) -> Embedder:
        embedder = make_embedder(self.settings)
        attach(embedder, VectorStore.for_embedder(self.settings.data_dir, embedder))
        return embedder

    @property
    def vectors(self) -> VectorStore | None:
        """The embedder's sentence-vector store (None if a caller swapped the embedder)."""
        return store_of(self.embedder)

    @property
    def index(self) -> Index:
        """The index, opened on first use (for the embedded engine: takes the lock)."""
        with self._index_lock:
            if self._index is None:
                self._index = open_index(self.settings, self.embedder.dim)
            return self._index

    @property
    def index_open(self) -> bool:
        return self._index is not None

    @cached_property
    def llm(self) -> LLMClient | None:
        """The configured LLM client, or None: then answers are extractive."""
        if not self.settings.llm_configured:
            return None
        from core.llm import make_llm

        return make_llm(self.settings)

    def close(self) -> None:
        if "embedder" in self.__dict__ and (store := self.vectors) is not None:
            store.close()
        with self._index_lock:
            if self._index is not None:
                self._index.close()
                self._index = None


_services: Services | None = None
_lock = threading.Lock()


def get_services() -> Services:
    """The process-wide services, built from ``get_settings()`` on first call."""
    global _services
    with _lock:
        if _services is None:
            _services = Services(get_settings())
        return _services
