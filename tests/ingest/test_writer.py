"""The writer keeps the sentence-vector store in step with the index: warmed for new
chunks, pruned with deleted ones, so re-ingesting never grows it."""

from __future__ import annotations

import gc
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

import core.services
from core.db import Chunk
from core.embeddings import HashEmbedder
from core.services import Services
from core.settings import SourceConfig
from core.vector_store import text_key
from ingest import run_job
from ingest.chunking import embed_text
from ingest.ids import document_id
from tests.conftest import make_settings

_SECTIONS = [
    "## Leave\n\nEveryone gets 28 days of annual leave a year. Unused days carry over "
    "until the end of March. Ask your manager before booking more than two weeks.",
    "## Expenses\n\n- Meals up to 30 EUR a day.\n- Hotels up to 150 EUR a night.\n"
    "- Taxis after 21:00 are refunded.",
    "## Laptops\n\nA broken laptop goes to the IT desk on the second floor. A spare one "
    "is lent for the three days a repair takes.",
]


def _ingest(data_dir: Path, folder: Path) -> Services:
    settings = make_settings(data_dir, sources={"docs": SourceConfig(path=folder)}, chunk_tokens=30)
    svc = Services(settings)
    result = run_job(svc, "docs", requested_by="tests")
    assert result.status == "succeeded", result.error
    return svc


def _count(svc: Services) -> int:
    assert svc.vectors is not None
    return svc.vectors.count()


def test_store_follows_edits_and_deletes(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    handbook = folder / "handbook.md"
    handbook.write_text("# Handbook\n\n" + "\n\n".join(_SECTIONS), encoding="utf-8")
    (folder / "other.md").write_text("# Other\n\n" + _SECTIONS[2], encoding="utf-8")
    svc = _ingest(tmp_path / "footnote", folder)
    try:
        assert _count(svc) > 0
        # An edit in the middle: new chunks warmed, the old ones' vectors pruned, and
        # the runs of chunks that no longer adjoin forgotten.
        edited = [_SECTIONS[0].replace("28 days", "30 days"), _SECTIONS[2]]
        handbook.write_text("# Handbook\n\n" + "\n\n".join(edited), encoding="utf-8")
        run_job(svc, "docs", requested_by="tests")
        fresh = _ingest(tmp_path / "fresh", folder)
        try:
            assert _count(svc) == _count(fresh)
        finally:
            fresh.close()
        handbook.unlink()
        (folder / "other.md").unlink()
        run_job(svc, "docs", requested_by="tests")
        assert _count(svc) == 0
    finally:
        svc.close()


def test_a_deleted_store_is_filled_again_by_the_next_job(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "handbook.md").write_text("# Handbook\n\n" + "\n\n".join(_SECTIONS), encoding="utf-8")
    svc = _ingest(tmp_path / "footnote", folder)
    try:
        warmed = _count(svc)
        assert svc.vectors is not None
        svc.vectors.close()
        shutil.rmtree(svc.settings.data_dir / "vectors")  # a derived cache: deletable
        run_job(svc, "docs", requested_by="tests")  # every file unchanged: read from the index
        assert _count(svc) == warmed
    finally:
        svc.close()


class _Recording(HashEmbedder):
    """The hash embedder, recording the texts of each call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return super().embed(texts)


def test_small_files_are_embedded_with_their_answer_texts_in_one_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few small files make one write batch (the parse worker is slower than the hash
    embedder, so each file would otherwise go alone), and its one embed call holds the
    chunks and the answerer's texts for them; each stored vector is the text's own."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for n, section in enumerate(_SECTIONS):
        (folder / f"page-{n}.md").write_text(f"# Page {n}\n\n{section}", encoding="utf-8")
    embedder = _Recording()
    monkeypatch.setattr(core.services, "make_embedder", lambda settings: embedder)
    svc = _ingest(tmp_path / "footnote", folder)
    try:
        assert len(embedder.calls) == 1
        (call,) = embedder.calls
        payloads = [h.payload for h in svc.index.get(list(svc.index.ids()))]
        chunks = {embed_text(p["title"], tuple(p["section"]), p["text"]) for p in payloads}
        assert {p["path"] for p in payloads} == {f"page-{n}.md" for n in range(len(_SECTIONS))}
        assert chunks < set(call)
        answer_texts = [t for t in call if t not in chunks]
        assert svc.vectors is not None
        stored = svc.vectors.get(text_key(embedder, t) for t in answer_texts)
        assert len(stored) == len(answer_texts) == _count(svc)
        for text in answer_texts:
            assert np.allclose(stored[text_key(embedder, text)], HashEmbedder().embed([text])[0])
    finally:
        svc.close()


class _LiveChunks:
    """A progress listener that notes whose ``Chunk`` objects are alive as each file is
    done (its own are released right after)."""

    def __init__(self) -> None:
        self.others: list[set[str]] = []
        """Per file: paths of the other documents with live ``Chunk`` objects."""

    def start(self, files_total: int) -> None:
        pass

    def advance(self, path: str, action: str, chunks_embedded: int) -> None:
        gc.collect()
        paths = {document_id("docs", f"page-{n}.md"): f"page-{n}.md" for n in range(len(_SECTIONS))}
        live = {paths[o.document_id] for o in gc.get_objects() if type(o) is Chunk}
        self.others.append(live - {path})


def test_written_chunks_are_not_held_until_the_job_ends(tmp_path: Path) -> None:
    """Once a file's manifest is committed its ``Chunk`` objects go (at 100k chunks they
    were the job's own memory growth), whether the file is new or edited, and the
    manifest is still the index's."""
    folder = tmp_path / "docs"
    folder.mkdir()
    settings = make_settings(
        tmp_path / "footnote", sources={"docs": SourceConfig(path=folder)}, chunk_tokens=30
    )
    svc = Services(settings)
    try:
        for edition in ("", " (edited)"):
            for n, section in enumerate(_SECTIONS):
                text = f"# Page {n}\n\n{section.replace('.', edition + '.', 1)}"
                (folder / f"page-{n}.md").write_text(text, encoding="utf-8")
            live = _LiveChunks()
            result = run_job(svc, "docs", requested_by="tests", progress=live)
            assert result.added + result.updated == len(_SECTIONS)
            assert live.others == [set()] * len(_SECTIONS)
            with svc.sessions() as session:
                assert set(session.scalars(select(Chunk.id))) == svc.index.ids()
    finally:
        svc.close()
