"""``footnote ingest``, ``jobs`` and ``docs`` through the real command line app."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from core.index import open_index
from core.settings import get_settings


def test_ingest_jobs_docs(cli_env: Path, mixed_folder: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["ingest", str(mixed_folder), "--source", "kb", "--json"])
    assert result.exit_code == 0, result.output
    (job,) = json.loads(result.output)
    assert job["source"] == "kb" and job["added"] == 10
    jobs = json.loads(runner.invoke(app, ["jobs", "--json"]).output)
    assert jobs[0]["status"] == "succeeded"
    shown = json.loads(runner.invoke(app, ["jobs", "show", str(job["job_id"]), "--json"]).output)
    assert len(shown["events"]) == 10
    docs = json.loads(runner.invoke(app, ["docs", "--source", "kb", "--json"]).output)
    assert len(docs) == 10
    assert runner.invoke(app, ["ingest", "no-such-source"]).exit_code == 2


def test_ingest_queues_when_another_process_owns_the_index(
    cli_env: Path, mixed_folder: Path
) -> None:
    settings = get_settings()
    holder = open_index(settings, 384)  # another owner (its own flock)
    try:
        result = CliRunner().invoke(app, ["ingest", str(mixed_folder)])
    finally:
        holder.close()
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # the console wraps at its width
    assert "Queued job 1" in output and "pid" in output
