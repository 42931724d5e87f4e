"""Older and open formats through the real LibreOffice and pandoc, and without them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.parsing import ParseError, parse_file
from tests.conftest import SHARED_DATASETS
from tests.ingest.conftest import write_docx, write_pptx, write_xlsx

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pandoc") is None,
    reason="LibreOffice and pandoc come from scripts/system_deps.sh (make test runs it)",
)

_MARKDOWN = "# Leave policy\n\nEveryone gets 28 days of annual leave.\n\n- Book early\n- Tell HR\n"


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """.doc .ppt .xls saved by LibreOffice; .odt .epub by pandoc; .rtf by hand."""
    root = tmp_path_factory.mktemp("legacy")
    modern = root / "modern"
    modern.mkdir()
    write_docx(modern / "expenses.docx")
    write_pptx(modern / "review.pptx")
    write_xlsx(modern / "budget.xlsx")
    profile = f"-env:UserInstallation=file://{root / 'profile'}"
    for source, target in (
        ("expenses.docx", "doc"),
        ("review.pptx", "ppt"),
        ("budget.xlsx", "xls"),
    ):
        subprocess.run(
            [
                "soffice",
                profile,
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(root),
                str(modern / source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    (root / "leave.md").write_text(_MARKDOWN, encoding="utf-8")
    for target in ("odt", "epub"):
        subprocess.run(
            [
                "pandoc",
                str(root / "leave.md"),
                "-o",
                str(root / f"leave.{target}"),
                "--metadata",
                "title=Leave policy",
            ],
            check=True,
            timeout=60,
        )
    (root / "memo.rtf").write_text(
        r"{\rtf1\ansi{\fonttbl\f0 Helvetica;}\f0\pard {\b Office move}\par "
        r"We move to the fourth floor on Monday.\par}",
        encoding="ascii",
    )
    return root


def _texts(path: Path) -> str:
    doc, _ = parse_file(path)
    return " | ".join(e.text for e in doc.elements)


def test_legacy_office_files_read_like_their_successors(legacy: Path) -> None:
    doc, parser = parse_file(legacy / "expenses.doc")
    assert parser == "doc"
    assert "Travel" in [e.text for e in doc.elements if e.kind == "title"]
    assert "Taxi fares after 21:00" in _texts(legacy / "expenses.doc")
    ppt, parser = parse_file(legacy / "review.ppt")
    assert parser == "ppt" and {e.page for e in ppt.elements} == {1, 2}
    assert "four platform engineers" in _texts(legacy / "review.ppt")
    assert "Platform | 120000" in _texts(legacy / "budget.xls")


def test_pandoc_formats_keep_headings_and_lists(legacy: Path) -> None:
    for name in ("leave.odt", "leave.epub"):
        doc, _ = parse_file(legacy / name)
        kinds = {(e.kind, e.text) for e in doc.elements}
        assert ("title", "Leave policy") in kinds, name
        assert ("list", "Book early") in kinds, name
        assert "28 days of annual leave" in _texts(legacy / name)
    assert "fourth floor on Monday" in _texts(legacy / "memo.rtf")


def test_a_corrupt_legacy_file_fails_alone(tmp_path: Path) -> None:
    (tmp_path / "broken.odt").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(ParseError, match="pandoc could not convert it"):
        parse_file(tmp_path / "broken.odt")


def test_missing_tools_are_named(
    legacy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # neither soffice nor pandoc on it
    with pytest.raises(ParseError, match="need LibreOffice.*libreoffice-writer-nogui"):
        parse_file(legacy / "expenses.doc")
    with pytest.raises(ParseError, match="need pandoc.*install Debian's pandoc"):
        parse_file(legacy / "memo.rtf")


@pytest.mark.skipif(not (SHARED_DATASETS / "real-docs").is_dir(), reason="needs ../shared")
def test_outlook_msg() -> None:
    doc, parser = parse_file(SHARED_DATASETS / "real-docs" / "fake-email.msg")
    assert parser == "msg" and doc.title == "Test Email"
    assert doc.meta["from"] and doc.elements
