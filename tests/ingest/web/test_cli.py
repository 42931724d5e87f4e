"""``footnote ingest URL`` through the real command line app, against a real site."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from app.cli import app
from tests.ingest.web.conftest import FAILING, GOOD_PAGES
from tests.support.web_server import WebServer


def test_ingest_url_then_recrawl(cli_env: Path, site: tuple[WebServer, WebServer]) -> None:
    server, _ = site
    runner = CliRunner()
    url = server.url("/docs/")
    args = ["ingest", url, "--source", "handbook", "--delay", "0", "--max-bytes", "50000"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    (job,) = json.loads(result.output)
    assert job["source"] == "handbook" and job["added"] == len(GOOD_PAGES)
    assert {path for path, _ in job["failures"]} == set(FAILING)
    shown = json.loads(runner.invoke(app, ["jobs", "show", str(job["job_id"]), "--json"]).output)
    actions = {(e["path"], e["action"]) for e in shown["events"]}
    assert ("docs/private/secret.md", "skipped") in actions
    assert ("docs/fails.md", "failed") in actions

    again = runner.invoke(app, ["ingest", url, "--source", "handbook"])  # remembered settings
    assert again.exit_code == 0, again.output
    assert f"{len(GOOD_PAGES)} unchanged" in again.output and "0 chunks embedded" in again.output
    assert "failed docs/huge.md: too large" in again.output


def test_ingest_help_explains_websites() -> None:
    result = CliRunner().invoke(app, ["ingest", "--help"])
    assert result.exit_code == 0
    for words in ("--max-pages", "--delay", "robots.txt", "sitemap.xml"):
        assert words in result.output
