"""Lineage found at the end of each job: the three signals, proposals, re-runs, deletions."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from core.db import Document, DocumentLink, JobEvent
from core.services import Services
from core.settings import SourceConfig
from ingest import run_job
from ingest.lineage import normalise_title, update_lineage
from tests.conftest import make_settings
from tests.support.versions import FILES, make_versions_folder


@pytest.fixture
def versioned(tmp_path: Path) -> Services:
    folder = make_versions_folder(tmp_path / "docs")
    services = Services(
        make_settings(tmp_path / "footnote", sources={"docs": SourceConfig(path=folder)})
    )
    assert run_job(services, "docs").status == "succeeded"
    yield services
    services.close()


def _links(services: Services) -> dict[tuple[str, str], DocumentLink]:
    with services.sessions() as session:
        paths = {d.id: d.path for d in session.scalars(select(Document))}
        return {
            (paths[lk.newer_id], paths[lk.older_id]): lk
            for lk in session.scalars(select(DocumentLink))
        }


def test_each_signal_links_newer_to_older(versioned: Services) -> None:
    links = _links(versioned)
    assert links[("food-hall.md", "canteen-2024.md")].origin == "front_matter"
    assert links[("food-hall.md", "canteen-2024.md")].status == "confirmed"
    assert links[("food-hall.md", "canteen-2024.md")].effective_at == datetime(2026, 2, 1)
    assert links[("visitor-notice.md", "visitors.md")].origin == "text"
    assert links[("cycle-to-work.md", "bike-scheme.md")].origin == "proposed"
    assert links[("cycle-to-work.md", "bike-scheme.md")].status == "proposed"
    assert links[("security-guide-2025.md", "security-guide-2023.md")].origin == "proposed"
    assert links[("roadmap-board.md", "roadmap.md")].origin == "front_matter"
    # "The change replaces the times described in ..." replaces a passage, not a document.
    assert not any("lunch-change.md" in pair for pair in links)
    assert len(links) == 5


def test_a_job_logs_its_links_and_a_rerun_recomputes_nothing(versioned: Services) -> None:
    with versioned.sessions() as session:
        linked = session.scalars(select(JobEvent).where(JobEvent.action == "linked")).all()
        assert len(linked) == 5 and "front_matter" in " ".join(e.reason or "" for e in linked)
    before = {pair: (lk.id, lk.updated_at) for pair, lk in _links(versioned).items()}
    again = run_job(versioned, "docs")
    assert again.unchanged == len(FILES) and again.added == again.updated == 0
    assert update_lineage(versioned).scanned == 0
    assert {pair: (lk.id, lk.updated_at) for pair, lk in _links(versioned).items()} == before
    with versioned.sessions() as session:
        events = session.scalars(select(JobEvent).where(JobEvent.job_id == again.job_id)).all()
        assert {e.action for e in events} == {"unchanged"}


def test_a_deleted_document_takes_its_links_and_a_decision_survives(
    versioned: Services, tmp_path: Path
) -> None:
    rejected = _links(versioned)[("security-guide-2025.md", "security-guide-2023.md")]
    with versioned.sessions() as session:
        row = session.get(DocumentLink, rejected.id)
        assert row is not None
        row.status, row.decided_by = "rejected", "km"
        session.commit()
    (tmp_path / "docs" / "visitors.md").unlink()
    result = run_job(versioned, "docs")
    assert result.deleted == 1
    links = _links(versioned)
    assert not any("visitors.md" in pair for pair in links)
    assert links[("security-guide-2025.md", "security-guide-2023.md")].status == "rejected"


def test_an_edit_that_drops_the_statement_drops_the_link(
    versioned: Services, tmp_path: Path
) -> None:
    notice = tmp_path / "docs" / "visitor-notice.md"
    notice.write_text(notice.read_text().replace("This notice replaces", "See also"))
    result = run_job(versioned, "docs")
    assert result.updated == 1
    assert ("visitor-notice.md", "visitors.md") not in _links(versioned)
    with versioned.sessions() as session:
        events = session.scalars(select(JobEvent).where(JobEvent.job_id == result.job_id)).all()
        assert "unlinked" in {e.action for e in events}


def test_titles_normalise_without_versions_and_years() -> None:
    assert normalise_title("Hybrid working policy (2024)") == "hybrid working policy"
    assert normalise_title("Travel and expenses policy v2") == "travel and expenses policy"
    assert normalise_title("Guide, version 1.0 — 2023-05-01") == "guide"
