"""``footnote ask`` as a person runs it: a real process, its exit code and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from core.services import Services
from tests.conftest import make_settings
from tests.retrieval.conftest import write_docs

FOOTNOTE = [sys.executable, "-c", "from app.cli import main; main()"]


def _ask(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FOOTNOTE_DATA_DIR": str(data_dir), "FOOTNOTE_EMBEDDER": "hash"}
    return subprocess.run(
        [*FOOTNOTE, "ask", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_ask_prints_one_json_object_within_the_groups(tmp_path: Path) -> None:
    services = Services(make_settings(tmp_path))
    write_docs(services)
    services.close()

    done = _ask(tmp_path, "What is the salary band for a senior engineer?", "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["mode"] == "extractive" and result["answer_id"] == 1
    assert all(c["source"] != "restricted" for c in result["citations"])

    hr = _ask(tmp_path, "salary band senior engineer", "--groups", "hr", "--user", "hana")
    assert hr.returncode == 0, hr.stderr
    assert "95,000" in hr.stdout and "Salary bands 2026 › Engineering" in hr.stdout
    assert "restricted:hr/salary-bands-2026.md" in hr.stdout


def test_ask_says_what_to_do_with_an_empty_or_locked_index(tmp_path: Path) -> None:
    empty = _ask(tmp_path, "anything?")
    # rich wraps messages at the console width, so compare with whitespace folded
    assert empty.returncode == 1 and "footnote ingest" in " ".join(empty.stderr.split())

    services = Services(make_settings(tmp_path))
    write_docs(services)  # holds the embedded index's lock while the CLI runs
    try:
        locked = _ask(tmp_path, "anything?")
    finally:
        services.close()
    assert locked.returncode == 1 and "is in use by" in " ".join(locked.stderr.split())
