"""``footnote docs links|link|unlink|confirm|reject`` and ``footnote docs --stale``."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.cli import app
from core.db import AuditEntry
from core.services import Services
from tests.support.versions import write_versions

runner = CliRunner()


@pytest.fixture
def cli_services(services: Services, monkeypatch: pytest.MonkeyPatch) -> Services:
    write_versions(services)
    for module in ("app.cli.ingest", "app.cli.lineage"):
        monkeypatch.setattr(f"{module}.get_services", lambda: services)
    return services


def _json(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["docs", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_links_are_listed_set_decided_and_undone(cli_services: Services) -> None:
    links = _json("links")
    assert [lk["status"] for lk in links][0] == "proposed"  # proposals first
    outsider = _json("links", "--groups", "all")
    assert "Board roadmap" not in json.dumps(outsider)

    made = runner.invoke(app, ["docs", "link", "faq.md", "wifi.md", "--effective", "2026-01-03"])
    assert made.exit_code == 0 and "Reception FAQ supersedes Guest network" in made.output
    docs = {d["path"]: d["lineage"] for d in _json()}
    assert docs["wifi.md"] == "superseded by Reception FAQ (3 January 2026)"
    assert docs["faq.md"] == "current"

    proposal = str(links[0]["id"])
    assert runner.invoke(app, ["docs", "confirm", proposal]).exit_code == 0
    assert runner.invoke(app, ["docs", "unlink", "faq.md", "wifi.md"]).exit_code == 0
    assert "wifi.md" not in {lk["older_id"] for lk in _json("links")}
    with cli_services.sessions() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert actions == ["lineage.link", "lineage.confirm", "lineage.unlink"]


def test_mistakes_say_what_to_do(cli_services: Services) -> None:
    missing = runner.invoke(app, ["docs", "link", "nope.md", "wifi.md"])
    assert missing.exit_code == 1 and "footnote docs" in missing.output
    hidden = runner.invoke(
        app, ["docs", "link", "roadmap-board.md", "roadmap.md", "--groups", "all"]
    )
    assert hidden.exit_code == 1 and "no document 'roadmap-board.md'" in hidden.output
    assert runner.invoke(app, ["docs", "reject", "999"]).exit_code == 1


def test_stale_lists_old_documents_and_open_proposals(cli_services: Services) -> None:
    stale = _json("--stale")
    whys = {s["path"]: s["why"] for s in stale}
    assert whys["cycle-2024.md"].startswith("proposed: superseded by Cycle scheme 2026")
    assert whys["wifi.md"].startswith("not reviewed since 1 January 2024 (over 12 months)")
    assert "canteen.md" not in whys  # superseded: meant to be old
    table = runner.invoke(app, ["docs", "--stale"])
    assert table.exit_code == 0 and "Stale after 12 months" in table.output
