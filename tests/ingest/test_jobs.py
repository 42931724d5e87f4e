"""Ingestion jobs end to end: a generated mixed folder into the real engines.

Both index backends run the same scenarios: the embedded qdrant-edge engine and
qdrant-client's local mode (the server code path). The hash embedder keeps them fast;
tests/ingest/test_sample_corpus.py covers the real model.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import Chunk, Document, Job
from core.index import ChunkRecord, SearchFilter
from core.services import Services
from core.settings import Settings
from ingest import (
    document_chunks,
    job_events,
    list_documents,
    queue_job,
    retry_failed,
    run_job,
    run_pending_jobs,
    start_job_thread,
)
from tests.conftest import REPO, make_settings
from tests.ingest.conftest import write_pdf


@pytest.fixture(params=["edge", "server-local"])
def backend_services(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Services]:
    extra = {"qdrant_local_path": tmp_path / "qdrant"} if request.param == "server-local" else {}
    svc = Services(make_settings(tmp_path / "footnote", **extra))
    yield svc
    svc.close()


def _events(svc: Services, job_id: int) -> dict[str, tuple[str, str | None, int]]:
    return {e.path: (e.action, e.reason, e.chunks) for e in job_events(svc, job_id)}


def _assert_consistent(svc: Services) -> None:
    with svc.sessions() as session:
        sql_ids = set(session.scalars(select(Chunk.id)))
    assert sql_ids == svc.index.ids()


def test_ingest_edit_delete_rename(backend_services: Services, mixed_folder: Path) -> None:
    svc = backend_services
    first = run_job(svc, str(mixed_folder))
    assert first.status == "succeeded" and first.failures == []
    assert first.added == 10 and first.chunks_embedded == first.chunks_total > 0
    _assert_consistent(svc)

    docs = {d.path: d for d in list_documents(svc)}
    assert docs["budget.xlsx"].groups == ["finance"]  # the sidecar
    assert docs["hr/leave.md"].groups == ["hr"]  # front matter wins
    assert docs["hr/leave.md"].title == "Leave policy"
    assert {d.path for d in list_documents(svc, user_groups=["all"])} == set(docs) - {
        "budget.xlsx",
        "hr/leave.md",
    }
    pages = {c.page for c in document_chunks(svc, docs["handbook.pdf"].id)}
    assert pages == {1, 2}
    leave = document_chunks(svc, docs["hr/leave.md"].id)
    assert any("28 days" in c.text and c.section == "Annual leave" for c in leave)
    hits = svc.index.search_sparse("annual leave", SearchFilter.for_groups(["all"]), 5)
    assert all(h.payload["path"] != "hr/leave.md" for h in hits)

    notes = mixed_folder / "notes.txt"
    notes.write_text(notes.read_text() + "\nNEW SECTION\n\nPrinters live on floor two.\n")
    (mixed_folder / "closure.eml").unlink()
    (mixed_folder / "web").mkdir()
    shutil.move(mixed_folder / "page.html", mixed_folder / "web" / "page.html")
    second = run_job(svc, str(mixed_folder))
    events = _events(svc, second.job_id)
    assert events["notes.txt"][0] == "updated"
    assert events["closure.eml"][0] == "deleted"
    assert events["page.html"][0] == "deleted"
    assert events["web/page.html"] == ("added", "moved from page.html", 0)  # vectors reused
    assert second.unchanged == 7
    assert second.chunks_embedded == events["notes.txt"][2] == 1  # only the new chunk
    _assert_consistent(svc)

    third = run_job(svc, str(mixed_folder))
    assert third.unchanged == 9 and third.chunks_embedded == 0
    assert third.added == third.updated == third.deleted == 0


def test_bad_inputs_fail_alone(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "good.md").write_text("# Good\n\nThis one is fine.\n")
    (folder / "corrupt.pdf").write_bytes(b"%PDF-1.4\n garbage that is not a pdf")
    (folder / "corrupt.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (folder / "huge.txt").write_text("word " * 5000)
    (folder / "data.xyz").write_text("unsupported")
    _encrypted_pdf(folder / "encrypted.pdf")
    _scanned_pdf(folder / "scanned.pdf")
    svc = Services(make_settings(tmp_path / "footnote", max_file_mb=0.01))
    result = run_job(svc, str(folder))
    assert result.status == "succeeded" and result.added == 1
    reasons = dict(result.failures)
    assert "corrupt PDF" in reasons["corrupt.pdf"]
    assert "could not parse as docx" in reasons["corrupt.docx"]
    assert "empty file" in reasons["empty.txt"]
    assert "binary content" in reasons["binary.txt"]
    assert "too large" in reasons["huge.txt"]
    assert "unsupported file type .xyz" in reasons["data.xyz"]
    assert "encrypted PDF" in reasons["encrypted.pdf"]
    assert "no extractable text" in reasons["scanned.pdf"]
    assert {d.path for d in list_documents(svc, status="failed")} == set(reasons)

    again = run_job(svc, str(folder))  # unchanged failures are reported, not re-parsed
    assert again.failed == len(reasons) and again.unchanged == 1
    (folder / "empty.txt").write_text("Now it has text.")
    retried = retry_failed(svc, result.job_id)
    assert retried is not None and retried.added == 1 and retried.failed == len(reasons) - 1

    (folder / "binary.txt").write_text("Text at last.")
    queued = retry_failed(svc, retried.job_id, queue=True, requested_by="ops")
    assert queued is not None and queued.status == "queued"
    with svc.sessions() as session:
        job = session.get(Job, queued.job_id)
        assert job is not None and (job.status, job.requested_by) == ("queued", "ops")
    ran = run_pending_jobs(svc)  # what the index owner's runner does
    assert [r.job_id for r in ran] == [queued.job_id] and ran[0].added == 1
    assert ran[0].failed == len(reasons) - 2
    svc.close()


def _encrypted_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "Secret text")
    pdf.output(str(path))


def _scanned_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 100, style="F")
    pdf.output(str(path))


def test_failed_reparse_keeps_the_old_version(services: Services, mixed_folder: Path) -> None:
    run_job(services, str(mixed_folder))
    doc = next(d for d in list_documents(services) if d.path == "expenses.docx")
    before = {c.id for c in document_chunks(services, doc.id)}
    (mixed_folder / "expenses.docx").write_bytes(b"PK\x03\x04 broken")
    result = run_job(services, str(mixed_folder))
    assert [p for p, _ in result.failures] == ["expenses.docx"]
    after = next(d for d in list_documents(services) if d.path == "expenses.docx")
    assert after.status == "indexed" and after.error
    assert before <= services.index.ids(doc.id)
    _assert_consistent(services)


def test_queue_then_owner_runs_pending(services: Services, mixed_folder: Path) -> None:
    job_id = queue_job(services, str(mixed_folder), requested_by="someone")
    with services.sessions() as session:
        assert session.get(Job, job_id).status == "queued"  # type: ignore[union-attr]
    results = run_pending_jobs(services)
    assert [r.job_id for r in results] == [job_id] and results[0].added == 10
    assert run_pending_jobs(services) == []


def test_background_thread_updates_its_row(services: Services, mixed_folder: Path) -> None:
    job_id, thread = start_job_thread(services, str(mixed_folder))
    thread.join(timeout=120)
    with services.sessions() as session:
        job = session.get(Job, job_id)
    assert job is not None and job.status == "succeeded"
    assert job.files_done == job.files_total == 10 and job.heartbeat_at is not None


def test_reconcile_repairs_index_and_manifest(services: Services, mixed_folder: Path) -> None:
    run_job(services, str(mixed_folder))
    orphan = "00000000-0000-4000-8000-000000000001"
    services.index.upsert([ChunkRecord(orphan, [1.0] + [0.0] * 383, "orphan", {"doc_id": "x"})])
    lost = sorted(services.index.ids() - {orphan})[0]
    services.index.delete([lost])
    result = run_job(services, str(mixed_folder))
    assert result.updated == 1 and result.chunks_embedded >= 1
    _assert_consistent(services)


_CRASH_SCRIPT = """
import sys, time
from pathlib import Path
from tests.conftest import make_settings
from core.services import Services
from ingest import run_job

class Slow:
    def start(self, total): pass
    def advance(self, path, action, chunks): time.sleep(0.3)

svc = Services(make_settings(Path(sys.argv[1])))
run_job(svc, sys.argv[2], progress=Slow())
"""


def _files_done(db: Path) -> int:
    """Read the child's progress without migrating (the child does that)."""
    try:
        with sqlite3.connect(db) as conn:
            return int(conn.execute("SELECT max(files_done) FROM jobs").fetchone()[0] or 0)
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_kill_9_mid_job_then_rerun_finishes(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(30):
        body = "\n\n".join(f"Paragraph {j} of note {i} about topic {i * j}." for j in range(30))
        (folder / f"note-{i:02d}.md").write_text(f"# Note {i}\n\n{body}\n")
    write_pdf(folder / "doc.pdf", ("Page one text.", "Page two text."))
    data_dir = tmp_path / "footnote"
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOOTNOTE_")}
    child = subprocess.Popen(
        [sys.executable, "-c", _CRASH_SCRIPT, str(data_dir), str(folder)], cwd=REPO, env=env
    )
    settings: Settings = make_settings(data_dir)
    deadline = time.monotonic() + 120
    done = 0
    while time.monotonic() < deadline and done < 5:
        time.sleep(0.2)
        done = _files_done(data_dir / "footnote.db")
    assert done >= 5, "the child never got going"
    child.send_signal(signal.SIGKILL)
    child.wait()

    svc = Services(settings)
    result = run_job(svc, str(folder))
    assert result.status == "succeeded"
    with svc.sessions() as session:
        jobs = session.scalars(select(Job).order_by(Job.id)).all()
        docs = session.scalars(select(Document)).all()
    assert jobs[0].status == "failed" and "interrupted" in (jobs[0].error or "")
    assert len(docs) == 31 and all(d.status == "indexed" for d in docs)
    _assert_consistent(svc)
    svc.close()


def test_documents_read_by_an_older_revision_are_read_again_and_keep_their_vectors(
    tmp_path: Path, mixed_folder: Path
) -> None:
    svc = Services(make_settings(tmp_path / "footnote"))
    try:
        first = run_job(svc, str(mixed_folder))
        with svc.sessions() as session:  # as an older Footnote left them: no revision
            for doc in session.scalars(select(Document)):
                doc.meta = {k: v for k, v in doc.meta.items() if k != "revision"}
            session.commit()
        again = run_job(svc, str(mixed_folder))
        assert again.updated == first.added and again.unchanged == 0
        assert again.chunks_embedded == 0  # the same texts keep their vectors
        _assert_consistent(svc)
        assert run_job(svc, str(mixed_folder)).unchanged == first.added
    finally:
        svc.close()
