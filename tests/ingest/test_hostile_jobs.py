"""Jobs under hostile conditions: a dead job's row, the parse worker's budgets, and the
CLI reads (``docs``, ``jobs``) as ``--groups``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from core.db import Job, utcnow
from core.services import Services
from ingest import list_jobs
from ingest.isolation import ParseWorker
from ingest.parsing import ParseError
from tests.conftest import make_settings


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_job_whose_process_died_is_failed_as_soon_as_jobs_are_listed(
    services: Services,
) -> None:
    with services.sessions() as session:
        job = Job(source="sample", status="running", pid=_dead_pid(), started_at=utcnow())
        session.add(job)
        session.commit()
        job_id = job.id
    (listed,) = [j for j in list_jobs(services) if j.id == job_id]
    assert listed.status == "failed" and "interrupted" in (listed.error or "")


@pytest.fixture(scope="module")
def big_text(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 MB of one-line paragraphs: seconds of parsing and pickling, ~100 MB of memory."""
    path = tmp_path_factory.mktemp("big") / "big.txt"
    path.write_text("A short paragraph.\n\n" * 1_500_000, encoding="utf-8")
    return path


def test_a_parse_over_its_time_budget_is_killed_and_the_next_file_parses(
    tmp_path: Path, big_text: Path
) -> None:
    worker = ParseWorker(make_settings(tmp_path, parse_timeout_s=0.5))
    small = tmp_path / "small.md"
    small.write_text("# Small\n\nA file that parses at once.\n", encoding="utf-8")
    try:
        with pytest.raises(ParseError, match="took longer than 0.5 s"):
            worker.parse(big_text)
        doc, parser = worker.parse(small)
        assert parser == "markdown" and doc.title == "Small"
    finally:
        worker.close()


def test_a_parse_over_its_memory_budget_fails_alone(tmp_path: Path, big_text: Path) -> None:
    worker = ParseWorker(make_settings(tmp_path, parse_memory_mb=16))
    try:
        with pytest.raises(ParseError, match="needed more than 16 MB"):
            worker.parse(big_text)
    finally:
        worker.close()


@pytest.mark.usefixtures("cli_env")
def test_cli_reads_show_only_what_the_groups_may_see(mixed_folder: Path) -> None:
    runner = CliRunner()
    ingested = runner.invoke(app, ["ingest", str(mixed_folder), "--source", "kb", "--json"])
    assert ingested.exit_code == 0, ingested.output
    job_id = json.loads(ingested.output)[0]["job_id"]

    def paths(*args: str) -> set[str]:
        result = runner.invoke(app, ["docs", "--json", *args])
        assert result.exit_code == 0, result.output
        return {d["path"] for d in json.loads(result.output)}

    everything = paths()
    assert {"budget.xlsx", "hr/leave.md"} <= everything  # the admin default
    assert paths("--groups", "all") == everything - {"budget.xlsx", "hr/leave.md"}
    assert "budget.xlsx" in paths("--groups", "finance")

    shown = runner.invoke(app, ["jobs", "show", str(job_id), "--groups", "all", "--json"])
    events = {e["path"] for e in json.loads(shown.output)["events"]}
    assert events == everything - {"budget.xlsx", "hr/leave.md"}
    listed = runner.invoke(app, ["jobs", "--groups", "nobody-has-this", "--json"])
    assert [j["id"] for j in json.loads(listed.output)] == [job_id]  # "all" documents
    for command in (["docs", "--help"], ["jobs", "--help"], ["jobs", "show", "--help"]):
        assert "admin" in " ".join(runner.invoke(app, command).output.split())
