"""An index of runs by status, for the API's metrics (runs per status, oldest active run).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-09

Self-contained, like the others: it does not import `core.store.tables`.
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Index `runs` by (status, created_at): per-status counts read only the index."""
    op.create_index("ix_runs_status_created_at", "runs", ["status", "created_at"])


def downgrade() -> None:
    """Drop the index."""
    op.drop_index("ix_runs_status_created_at", table_name="runs")
