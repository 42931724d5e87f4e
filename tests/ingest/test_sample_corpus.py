"""The sample corpus, ingested once with the real embedder (the shared fixture)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import Chunk, Document
from core.services import Services
from ingest import document_chunks, list_documents
from ingest.chunking import embed_text

pytestmark = pytest.mark.slow


def test_every_chunk_fits_the_embedder_window(sample_services: Services) -> None:
    """The model drops wordpieces past 256 without a word: no chunk may be cut."""
    embedder = sample_services.embedder
    window = embedder.max_input_tokens
    assert window
    for doc in list_documents(sample_services, status="indexed"):
        for chunk in document_chunks(sample_services, doc.id):
            section = tuple(chunk.section.split(" › ")) if chunk.section else ()
            text = embed_text(doc.title, section, chunk.text)
            assert embedder.count_input_tokens(text) <= window, (doc.path, chunk.ordinal)


def test_index_and_manifest_agree(sample_services: Services) -> None:
    with sample_services.sessions() as session:
        sql_ids = set(session.scalars(select(Chunk.id)))
        docs = session.scalars(select(Document)).all()
    assert sql_ids == sample_services.index.ids()
    indexed = [d for d in docs if d.status == "indexed"]
    assert len(indexed) >= 0.9 * len(docs)
    assert all(d.chunk_count > 0 for d in indexed)


def test_access_groups_come_from_the_sidecar(sample_services: Services) -> None:
    everyone = list_documents(sample_services, user_groups=["all"])
    admin = list_documents(sample_services)
    assert everyone and len(everyone) <= len(admin)
    assert all("all" in d.groups for d in everyone)
