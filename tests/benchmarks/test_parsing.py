"""``footnote bench parse``: word recall/precision/F1 against expected text, per format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from benchmarks.parsing import documents, run, score, words
from tests.ingest.parse_fixtures import make_fixtures


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("parse-fixtures")
    make_fixtures(root)
    (root / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    (root / "broken.docx.md").write_text("Some words a person would read\n")
    return root


@pytest.fixture(scope="module")
def report(fixtures: Path) -> dict:
    return run(fixtures)


def test_words_ignore_case_punctuation_and_markup() -> None:
    assert words("# The **Café** | café, CAFÉ!") == {"the": 1, "café": 3}
    recall, precision, f1 = score("one two three four", "one two five")
    assert (recall, precision) == (0.5, 2 / 3) and f1 == pytest.approx(4 / 7)
    assert score("", "") == (1.0, 1.0, 1.0)


def test_expected_texts_pair_with_their_file(fixtures: Path) -> None:
    names = {p.name for p in documents(fixtures)}
    assert "parking.md" in names and "travel-policy.docx" in names
    assert not any(n.endswith((".docx.md", ".md.md")) for n in names)


def test_failures_score_zero_and_keep_their_reason(report: dict) -> None:
    broken = next(f for f in report["files"] if f["path"] == "broken.docx")
    assert broken["f1"] == 0 and "could not parse as docx" in broken["reason"]
    assert report["formats"][".docx"]["failed"] >= 1


def test_every_fixture_is_recovered(report: dict) -> None:
    """The fidelity targets of issue 11 on our own fixtures: what a person sees is found."""
    scores = {f["path"]: f for f in report["files"] if f["path"] != "broken.docx"}
    low = {p: f["f1"] for p, f in scores.items() if f["f1"] < 0.9}
    assert not low, low


def test_cli_prints_formats_and_json(fixtures: Path) -> None:
    result = CliRunner().invoke(app, ["bench", "parse", str(fixtures), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert {".docx", ".pdf", ".png", ".xlsx"} <= set(report["formats"])
    table = CliRunner().invoke(app, ["bench", "parse", str(fixtures), "--worst", "3"])
    assert "lowest F1" in table.stdout and "broken.docx" in table.stdout
    missing = CliRunner().invoke(app, ["bench", "parse", str(fixtures / "nope")])
    assert missing.exit_code == 1
