"""The SQL layer on SQLite and a real PostgreSQL: migrations equal the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select, text

from core.db import Base, Document, Job, get_engine, upgrade
from core.services import Services
from ingest import list_documents, run_job
from tests.conftest import make_settings


def _schema_diff(url: str, data_dir: Path) -> list[object]:
    settings = make_settings(data_dir, database_url=url)
    upgrade(settings)
    with get_engine(settings).connect() as conn:
        return compare_metadata(MigrationContext.configure(conn), Base.metadata)


def test_migrations_match_models_on_sqlite(tmp_path: Path) -> None:
    assert _schema_diff(f"sqlite:///{tmp_path / 'f.db'}", tmp_path) == []


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    upgrade(settings)
    upgrade(settings)
    with Services(settings).sessions() as session:
        assert session.scalars(select(Job)).all() == []


@pytest.mark.postgres
def test_migrations_match_models_on_postgres(fresh_postgres: str, tmp_path: Path) -> None:
    assert _schema_diff(fresh_postgres, tmp_path) == []


@pytest.mark.postgres
def test_ingest_job_on_postgres(fresh_postgres: str, tmp_path: Path) -> None:
    """The whole SQL side of ingestion (documents, manifest, jobs, events) on PostgreSQL."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text("# A\n\nAlpha policy text.\n")
    (folder / "b.txt").write_text("Beta notes.\n")
    svc = Services(make_settings(tmp_path / "footnote", database_url=fresh_postgres))
    first = run_job(svc, str(folder))
    assert first.status == "succeeded" and first.added == 2
    (folder / "b.txt").unlink()
    second = run_job(svc, str(folder))
    assert (second.deleted, second.unchanged) == (1, 1)
    assert [d.path for d in list_documents(svc)] == ["a.md"]
    with svc.sessions() as session:
        assert session.scalar(select(Document.chunk_count)) == 1
    svc.close()


def test_job_paths_migration_moves_an_ad_hoc_folder_to_root(tmp_path: Path) -> None:
    """0006: a job of a folder not in footnote.toml kept the folder first in ``paths``."""
    from core.settings import SourceConfig

    settings = make_settings(tmp_path, sources={"hr": SourceConfig(path=tmp_path / "hr")})
    upgrade(settings, "0005")
    counters = "files_total, files_done, added, updated, unchanged, deleted, failed, "
    counters += "chunks_total, chunks_embedded"
    with get_engine(settings).begin() as conn:
        for source, paths in (("hr", '["/h/a.md"]'), ("notes", '["/n", "/n/b.md"]')):
            conn.execute(
                text(
                    f"INSERT INTO jobs (source, paths, requested_by, status, created_at, "
                    f"{counters}) VALUES (:s, :p, 't', 'queued', '2026-01-01', 0, 0, 0, 0, 0, "
                    "0, 0, 0, 0)"
                ),
                {"s": source, "p": paths},
            )
    upgrade(settings)
    with Services(settings).sessions() as session:
        jobs = {j.source: (j.root, j.paths) for j in session.scalars(select(Job))}
    assert jobs == {"hr": (str(tmp_path / "hr"), ["/h/a.md"]), "notes": ("/n", ["/n/b.md"])}
