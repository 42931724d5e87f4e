"""End to end: the sample eval set through the real answer path over the ingested
sample corpus, gated like CI gates it (thresholds measured in docs/evals.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import evals
from app.cli import app
from core.services import Services
from tests.conftest import SAMPLE_EVALS

pytestmark = pytest.mark.slow

GATE = (
    "hit@5=0.8,refusal_correct=0.75,forbidden_leakage=0,superseded_leakage=0,"
    "faithfulness=0.9,citation_precision=0.9,must_include=0.75"
)
"""The CI gate, as in docs/evals.md and `make eval` (measured values leave a margin)."""


def test_the_sample_set_passes_the_gate(sample_copy: Services) -> None:
    run = evals.run_eval(SAMPLE_EVALS, "sample", services=sample_copy, name="ci gate")
    assert run.status == "succeeded" and run.judge == "offline"
    assert run.questions == len(list(filter(str.strip, SAMPLE_EVALS.read_text().splitlines())))
    assert run.config["settings"]["llm_configured"] is False
    assert "openai_api_key" not in run.config["settings"]
    checks = evals.check_thresholds(run.aggregates["overall"], evals.parse_thresholds(GATE))
    missed = [(c.metric, c.value, c.rule) for c in checks if not c.passed]
    assert not missed, missed
    assert set(run.aggregates["by_kind"]) >= {"fact", "restricted", "unanswerable"}
    traps = [r for r in run.results if r.detail.get("leaked") is not None]
    assert len(traps) >= 5 and all(not r.detail["leaked"]["answer"] for r in traps)


@pytest.fixture
def cli(sample_copy: Services, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """``footnote`` over this module's copy of the sample (eval runs are written to it)."""
    monkeypatch.setattr("app.cli.evals.get_services", lambda: sample_copy)
    return CliRunner()


ONE = ["eval", "run", str(SAMPLE_EVALS), "--source", "sample", "--limit", "1"]


def test_cli_exits_3_with_a_table_when_a_threshold_is_missed(cli: CliRunner) -> None:
    missed = cli.invoke(app, [*ONE, "--fail-under", "hit@5=1.01,forbidden_leakage=0"])
    assert missed.exit_code == 3, missed.output
    assert "MISSED" in missed.output and "hit@5" in missed.output


def test_cli_prints_the_run_as_json(cli: CliRunner) -> None:
    as_json = cli.invoke(app, [*ONE, "--json"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.stdout.strip().splitlines()[-1])
    assert data["questions"] == 1 and "hit@5" in data["aggregates"]["overall"]


def test_cli_names_the_ingest_command_for_an_unknown_source(cli: CliRunner) -> None:
    unknown = cli.invoke(app, ["eval", "run", str(SAMPLE_EVALS), "--source", "nope"])
    assert unknown.exit_code == 2 and "footnote ingest nope" in unknown.output


def test_cli_lists_runs_newest_first(cli: CliRunner) -> None:
    ran = json.loads(cli.invoke(app, [*ONE, "--json"]).stdout.strip().splitlines()[-1])
    listed = cli.invoke(app, ["eval", "list", "--json"])
    assert listed.exit_code == 0 and json.loads(listed.stdout)[0]["id"] == ran["id"]
    assert cli.invoke(app, ["eval", "list"]).exit_code == 0


def test_cli_writes_a_run_report(cli: CliRunner, tmp_path: Path) -> None:
    ran = json.loads(cli.invoke(app, [*ONE, "--json"]).stdout.strip().splitlines()[-1])
    report = cli.invoke(app, ["eval", "report", str(ran["id"]), "--out", str(tmp_path)])
    assert report.exit_code == 0 and (tmp_path / f"run-{ran['id']}.html").is_file()
