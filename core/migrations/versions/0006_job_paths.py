"""Job paths: the job's source folder in its own ``root`` column.

Before this, an ad-hoc source's job (a folder not in footnote.toml) stored that folder
first in ``paths``; now ``root`` holds every job's source folder and ``paths`` only
what the job is restricted to. Existing rows are moved with the settings the upgrade
runs under: a source footnote.toml does not name gives its first path to ``root``.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JOBS = sa.table(
    "jobs",
    sa.column("id", sa.Integer),
    sa.column("source", sa.String),
    sa.column("root", sa.String),
    sa.column("paths", sa.JSON),
)


def _configured() -> dict[str, Any]:
    """The sources footnote.toml names, from the settings ``core.db.migrate`` hands over."""
    settings = op.get_context().config.attributes.get("settings")
    return dict(settings.sources) if settings is not None else {}


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(
            sa.Column("root", sa.String(length=1000), server_default="", nullable=False)
        )
    configured = _configured()
    bind = op.get_bind()
    rows = bind.execute(sa.select(_JOBS.c.id, _JOBS.c.source, _JOBS.c.paths)).all()
    for job_id, source, paths in rows:
        if source in configured:
            values = {"root": str(configured[source].path)}
        elif paths:
            values = {"root": paths[0], "paths": paths[1:]}
        else:
            continue
        bind.execute(sa.update(_JOBS).where(_JOBS.c.id == job_id).values(**values))


def downgrade() -> None:
    configured = _configured()
    bind = op.get_bind()
    rows = bind.execute(sa.select(_JOBS.c.id, _JOBS.c.source, _JOBS.c.root, _JOBS.c.paths)).all()
    for job_id, source, root, paths in rows:
        if root and source not in configured:
            bind.execute(sa.update(_JOBS).where(_JOBS.c.id == job_id).values(paths=[root, *paths]))
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("root")
