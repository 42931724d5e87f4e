"""``footnote tokens``, ``footnote api`` and ``footnote mcp`` through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from app.mcp_server import TOKEN_ENV

runner = CliRunner()


def test_tokens_create_list_revoke(cli_env: Path) -> None:
    created = runner.invoke(
        app, ["tokens", "create", "--user", "hr-bot", "--groups", "hr", "--expires", "30d"]
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("fn_") and "not shown again" in created.stderr
    listed = json.loads(runner.invoke(app, ["tokens", "list", "--json"]).stdout)
    assert [(t["user"], t["groups"], t["state"]) for t in listed] == [
        ("hr-bot", ["all", "hr"], "active")
    ]
    assert token not in json.dumps(listed)
    assert runner.invoke(app, ["tokens", "revoke", str(listed[0]["id"])]).exit_code == 0
    again = runner.invoke(app, ["tokens", "revoke", str(listed[0]["id"])])
    assert again.exit_code == 1 and "No active token" in again.stderr
    assert "revoked" in runner.invoke(app, ["tokens", "list"]).stdout


def test_tokens_create_rejects_a_bad_lifetime(cli_env: Path) -> None:
    result = runner.invoke(app, ["tokens", "create", "--user", "x", "--expires", "soon"])
    assert result.exit_code == 2 and "90d" in result.output


def test_api_and_mcp_help(cli_env: Path) -> None:
    api = runner.invoke(app, ["api", "--help"])
    assert api.exit_code == 0 and "--port" in api.output and "--rate-limit" in api.output
    mcp = runner.invoke(app, ["mcp", "--help"])
    assert mcp.exit_code == 0 and "--http" in mcp.output and "FOOTNOTE_TOKEN" in mcp.output
    assert runner.invoke(app, ["api", "--port", "70000"]).exit_code != 0


def test_mcp_stdio_without_a_token_says_so(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "FOOTNOTE_DATA_DIR": str(tmp_path),
        "FOOTNOTE_EMBEDDER": "hash",
        TOKEN_ENV: "fn_wrong",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "mcp"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1 and "Invalid API token" in done.stderr and done.stdout == ""
