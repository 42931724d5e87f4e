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
    by_path = {d.path: d for d in list_documents(sample_services)}
    # A .docx has no front matter: its groups are the sidecar's entry for its path.
    assert by_path["finance/month-end-close-procedure.docx"].groups == ["finance"]
    assert by_path["hr/leave-policy.md"].groups == ["all"]  # not listed: the default
    everyone = {d.path for d in list_documents(sample_services, user_groups=["all"])}
    assert "hr/leave-policy.md" in everyone
    assert "finance/month-end-close-procedure.docx" not in everyone


def test_scanned_rota_is_read_by_ocr_and_cited_by_page(sample_copy: Services) -> None:
    """The rota has no text layer: OCR gives it searchable text, and answers cite its page."""
    from retrieval import answer
    from retrieval.types import CitationEvent, User

    with sample_copy.sessions() as session:
        rota = session.scalars(
            select(Document).where(Document.path == "office/fire-warden-rota-scan.pdf")
        ).one()
        assert rota.status == "indexed" and rota.chunk_count > 0, rota.error
        assert rota.meta["ocr_pages"] == [1] and rota.meta["ocr_confidence"] > 80
    events = list(
        answer(
            "Who is the chief fire warden in the Bristol office?",
            User("tests"),
            services=sample_copy,
            record=False,
        )
    )
    cited = [e.citation for e in events if isinstance(e, CitationEvent)]
    rota_cites = [c for c in cited if c.path == "office/fire-warden-rota-scan.pdf"]
    assert rota_cites and rota_cites[0].page == 1
    assert "Gareth Pryce" in rota_cites[0].quote
