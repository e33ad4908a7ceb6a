"""Run contexts: what each model call of a run was sent (the `/context` extension endpoint).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

Self-contained, like 0001: it does not import `core.store.tables`.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create `run_contexts` (keyed by step id) and its per-run list index."""
    op.create_table(
        "run_contexts",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("project_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("data", DOCUMENT, nullable=False),
        sa.PrimaryKeyConstraint("pk", name="pk_run_contexts"),
        sa.UniqueConstraint("id", name="uq_run_contexts_id"),
    )
    op.create_index(
        "ix_run_contexts_run_id_created_at_pk", "run_contexts", ["run_id", "created_at", "pk"]
    )


def downgrade() -> None:
    """Drop `run_contexts` (its index goes with it)."""
    op.drop_table("run_contexts")
