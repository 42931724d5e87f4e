"""``footnote app`` and ``footnote db upgrade`` through typer's runner."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from app.cli import app
from app.cli.serve import APP_SCRIPT, streamlit_command
from core.db import get_engine
from core.settings import get_settings

runner = CliRunner()


def test_app_help_names_port_and_host() -> None:
    result = runner.invoke(app, ["app", "--help"])
    assert result.exit_code == 0, result.output
    assert "--port" in result.output and "--host" in result.output


def test_app_runs_streamlit_headless_on_loopback() -> None:
    command = streamlit_command(8765, "127.0.0.1")
    assert command[:5] == [sys.executable, "-m", "streamlit", "run", str(APP_SCRIPT)]
    assert APP_SCRIPT.is_file()
    flags = dict(zip(command[5::2], command[6::2], strict=True))
    assert flags == {
        "--server.port": "8765",
        "--server.address": "127.0.0.1",
        "--server.headless": "true",
        "--browser.gatherUsageStats": "false",
    }


def test_app_rejects_a_bad_port() -> None:
    result = runner.invoke(app, ["app", "--port", "70000"])
    assert result.exit_code != 0
    assert "70000" in result.output


def test_db_upgrade_creates_the_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOOTNOTE_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    tables = set(inspect(get_engine(get_settings())).get_table_names())
    assert {"documents", "jobs", "conversations", "answers", "feedback"} <= tables
