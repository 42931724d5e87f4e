"""Lineage: which document supersedes which, from when, and who said so.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "document_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("newer_id", sa.String(length=64), nullable=False),
        sa.Column("older_id", sa.String(length=64), nullable=False),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("effective_at", sa.DateTime(), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["newer_id"], ["documents.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["older_id"], ["documents.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("newer_id", "older_id", name="uq_document_links_pair"),
    )
    op.create_index(
        op.f("ix_document_links_newer_id"), "document_links", ["newer_id"], unique=False
    )
    op.create_index(
        op.f("ix_document_links_older_id"), "document_links", ["older_id"], unique=False
    )
    op.create_index(op.f("ix_document_links_status"), "document_links", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_document_links_status"), table_name="document_links")
    op.drop_index(op.f("ix_document_links_older_id"), table_name="document_links")
    op.drop_index(op.f("ix_document_links_newer_id"), table_name="document_links")
    op.drop_table("document_links")
