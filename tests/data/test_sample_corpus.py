"""The sample corpus and its eval set: shape, access rules, deliberate failures, valid evals."""

from __future__ import annotations

import importlib.util
import json
import sys
import tomllib
import zipfile
from collections import Counter
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from ingest.sources import AccessRules

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
CORPUS = DATA / "corpus"
BROKEN = DATA / "broken"
EVALS = DATA / "evals" / "sample.jsonl"

FORMATS = {".md", ".html", ".pdf", ".docx", ".pptx", ".xlsx", ".csv", ".eml", ".txt"}
RESTRICTED_GROUPS = {"hr", "finance", "engineering", "leadership"}


def _load_script(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def checker():
    return _load_script("check_evals")


@pytest.fixture(scope="module")
def documents() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "access.toml")


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return [json.loads(line) for line in EVALS.read_text(encoding="utf-8").splitlines() if line]


def test_eval_set_has_no_problems(checker):
    assert checker.check(EVALS, CORPUS) == []


def test_checker_reports_problems(checker, tmp_path):
    bad = tmp_path / "bad.jsonl"
    lines = [
        {
            "id": "x",
            "kind": "fact",
            "question": "q",
            "sources": ["hr/leave-policy.md"],
            "must_include": ["99 days"],
        },
        {
            "id": "x",
            "kind": "nonsense",
            "question": "q",
            "sources": ["missing.md"],
            "must_include": ["a"],
        },
        {
            "id": "y",
            "kind": "restricted",
            "question": "q",
            "answerable": False,
            "forbidden": ["25 days"],
        },
    ]
    bad.write_text("\n".join(json.dumps(r) for r in lines) + "\n", encoding="utf-8")
    problems = "\n".join(checker.check(bad, CORPUS))
    assert "'99 days' not found" in problems
    assert "duplicate id" in problems
    assert "unknown kind" in problems
    assert "does not exist" in problems
    assert "readable by" in problems


def test_corpus_size_and_formats(documents):
    assert 40 <= len(documents) <= 60, len(documents)
    counts = Counter(p.suffix.lower() for p in documents)
    assert set(counts) >= FORMATS, f"missing formats: {FORMATS - set(counts)}"
    assert set(counts) <= FORMATS, f"unexpected formats: {set(counts) - FORMATS}"
    # Wiki pages (Markdown and HTML) are the majority, as in a real company.
    assert counts[".md"] + counts[".html"] > len(documents) / 2
    assert 2 <= counts[".docx"] <= 4
    assert counts[".pptx"] == 1
    assert 3 <= counts[".eml"] <= 4
    top = {p.relative_to(CORPUS).parts[0] for p in documents}
    assert {
        "hr",
        "it",
        "engineering",
        "finance",
        "sales",
        "office",
        "product",
        "leadership",
        "announcements",
    } <= top


def test_access_toml(documents, checker):
    data = tomllib.loads((CORPUS / "access.toml").read_text(encoding="utf-8"))
    assert data["default"] == ["all"]
    rels = [p.relative_to(CORPUS).as_posix() for p in documents]
    access = AccessRules(CORPUS, ["all"])
    for pattern, groups in data["files"].items():
        assert groups and all(isinstance(g, str) for g in groups), pattern
        assert any(rel == pattern or fnmatchcase(rel, pattern) for rel in rels), pattern
    restricted = {rel for rel in rels if access.groups_for(rel) != ("all",)}
    groups = {g for rel in restricted for g in access.groups_for(rel)}
    assert groups == RESTRICTED_GROUPS
    # Markdown front matter, where it declares groups, agrees with the sidecar.
    for rel in rels:
        if not rel.endswith(".md"):
            continue
        text = (CORPUS / rel).read_text(encoding="utf-8")
        front = text.split("---\n", 2)[1] if text.startswith("---\n") else ""
        for line in front.splitlines():
            if line.startswith("groups:"):
                declared = [g.strip() for g in line.split(":", 1)[1].strip(" []").split(",")]
                assert sorted(declared) == sorted(access.groups_for(rel)), rel


def test_long_pdf_has_pages_headers_and_tables():
    from pypdf import PdfReader

    reader = PdfReader(str(CORPUS / "hr" / "employee-handbook.pdf"))
    assert len(reader.pages) >= 20
    page = reader.pages[8].extract_text()
    assert "Quillfield Employee Handbook" in page  # running header
    assert f"of {len(reader.pages)}" in page  # footer with page numbers
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "After 5 years' service" in text and "Notice Quillfield gives" in text  # tables


def test_presentation_has_8_to_12_slides():
    from pptx import Presentation

    deck = Presentation(str(CORPUS / "announcements" / "all-hands-2026-q1.pptx"))
    assert 8 <= len(deck.slides) <= 12


def test_scanned_rota_has_no_text_layer(checker):
    from pypdf import PdfReader

    scanned = CORPUS / "office" / "fire-warden-rota-scan.pdf"
    assert scanned.stat().st_size > 10_000
    assert "".join(p.extract_text() for p in PdfReader(scanned).pages).strip() == ""
    # What a person reads on it (the checker's text) is the source it was drawn from.
    assert "Chief fire warden: Gareth Pryce" in checker.extract_text(scanned)


def test_deliberate_failures_in_corpus():
    empty = CORPUS / "notes" / "empty-notes.txt"
    assert empty.exists() and empty.stat().st_size == 0


def test_broken_inputs():
    assert BROKEN.is_dir()
    names = {p.name for p in BROKEN.iterdir()}
    assert {
        "truncated-policy.pdf",
        "not-really-a-docx.docx",
        "random-bytes.txt",
        "cp1252-kitchen-rota.txt",
        "corrupt-spreadsheet.xlsx",
        "empty-upload.pdf",
    } <= names
    truncated = (BROKEN / "truncated-policy.pdf").read_bytes()
    assert truncated.startswith(b"%PDF") and b"%%EOF" not in truncated[-64:]
    assert not zipfile.is_zipfile(BROKEN / "not-really-a-docx.docx")
    assert not zipfile.is_zipfile(BROKEN / "corrupt-spreadsheet.xlsx")
    for name in ("random-bytes.txt", "cp1252-kitchen-rota.txt"):
        with pytest.raises(UnicodeDecodeError):
            (BROKEN / name).read_bytes().decode("utf-8")
    assert "£5" in (BROKEN / "cp1252-kitchen-rota.txt").read_bytes().decode("cp1252")
    assert (BROKEN / "empty-upload.pdf").stat().st_size == 0


def test_eval_set_shape(rows, checker):
    assert len(rows) >= 110
    kinds = Counter(r["kind"] for r in rows)
    assert set(kinds) == checker.KINDS
    assert sum(1 for r in rows if r["kind"] == "unanswerable" and not r["answerable"]) >= 15
    assert all(len(r["sources"]) >= 2 for r in rows if r["kind"] == "multi-doc")
    # Every restricted question is asked twice: with the right groups, and without them.
    restricted = [r for r in rows if r["kind"] == "restricted"]
    allowed = {r["question"] for r in restricted if r["answerable"]}
    denied = {r["question"] for r in restricted if not r["answerable"]}
    assert allowed and allowed == denied
    # Superseded questions are answered from the newer document of a pair.
    assert any("hr/hybrid-working-policy-2026.md" in r["sources"] for r in rows)
    assert any("finance/travel-and-expenses-policy-v2.md" in r["sources"] for r in rows)


def test_sources_are_generated_from_data_src():
    make_data = _load_script("make_data")
    outputs = set()
    for src in sorted((DATA / "src").rglob("*.md")):
        parsed = make_data.parse_source(src)
        assert parsed.meta["format"] in make_data.BUILDERS, src
        outputs.add(parsed.meta["output"])
        assert (CORPUS / parsed.meta["output"]).is_file(), parsed.meta["output"]
    binary = {
        p.relative_to(CORPUS).as_posix()
        for p in CORPUS.rglob("*")
        if p.suffix in {".pdf", ".docx", ".pptx", ".xlsx", ".eml"}
    }
    assert binary == outputs


def test_eml_generation_is_deterministic():
    make_data = _load_script("make_data")
    src = DATA / "src" / "announcements" / "2026-03-10-parental-leave-enhancement.md"
    parsed = make_data.parse_source(src)
    built = make_data.build_eml(parsed)
    assert built == make_data.build_eml(make_data.parse_source(src))
    assert built == (CORPUS / parsed.meta["output"]).read_bytes()
