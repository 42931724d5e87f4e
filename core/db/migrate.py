"""Bring a database to the newest schema with the project's Alembic migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import inspect

from core.db.engine import get_engine
from core.settings import Settings

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(settings: Settings) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = get_engine(settings)
    cfg.attributes["settings"] = settings  # data migrations that need the sources (0006)
    return cfg


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Apply every migration not yet applied (idempotent, safe to call at start-up)."""
    engine = get_engine(settings)
    with engine.begin() as conn:
        cfg = alembic_config(settings)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def current_tables(settings: Settings) -> set[str]:
    return set(inspect(get_engine(settings)).get_table_names())
