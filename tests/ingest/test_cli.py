"""``footnote ingest``, ``jobs`` and ``docs`` through the real command line app."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def test_the_console_script_parses_every_kind_of_file(tmp_path: Path, mixed_folder: Path) -> None:
    """The parse worker's children re-import the main module: here the real ``footnote``
    script, whose imports (nltk, scipy) must not meet a half-hidden torch (session 13)."""
    env = {**os.environ, "FOOTNOTE_DATA_DIR": str(tmp_path), "FOOTNOTE_EMBEDDER": "hash"}
    script = Path(sys.executable).with_name("footnote")
    done = subprocess.run(
        [str(script), "ingest", str(mixed_folder), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (job,) = json.loads(done.stdout)
    assert job["added"] == 10 and job["failed"] == 0
