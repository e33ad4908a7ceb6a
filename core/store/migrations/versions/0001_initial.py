"""Initial schema: document-plus-columns tables per aggregate, run event log, thread locks.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Self-contained on purpose (it does not import `core.store.tables`): a migration must keep
producing the same schema after `tables.py` moves on. The drift test checks the two agree at head.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
DOCUMENT = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

TableSpec = tuple[str, list[Any], bool, list[tuple[str, ...]]]


def _tables() -> list[TableSpec]:
    """(table, extra columns, whether `id` alone is unique, list-index scopes), built fresh per
    call because a `Column` can belong to one table only."""
    return [
        (
            "files",
            [
                sa.Column("purpose", sa.String(), nullable=False),
                sa.Column("filename", sa.String(), nullable=False),
                sa.Column("bytes", sa.BigInteger(), nullable=False),
            ],
            True,
            [("project_id",), ("project_id", "purpose")],
        ),
        ("assistants", [], True, [("project_id",)]),
        ("threads", [], True, [("project_id",)]),
        (
            "messages",
            [
                sa.Column("thread_id", sa.String(), nullable=False),
                sa.Column("run_id", sa.String(), nullable=True),
                sa.Column("role", sa.String(), nullable=False),
                sa.Column("status", sa.String(), nullable=False),
            ],
            True,
            [("thread_id",), ("thread_id", "run_id"), ("run_id",)],
        ),
        (
            "runs",
            [
                sa.Column("thread_id", sa.String(), nullable=False),
                sa.Column("assistant_id", sa.String(), nullable=False),
                sa.Column("status", sa.String(), nullable=False),
            ],
            True,
            [("thread_id",)],
        ),
        (
            "run_steps",
            [
                sa.Column("thread_id", sa.String(), nullable=False),
                sa.Column("run_id", sa.String(), nullable=False),
                sa.Column("type", sa.String(), nullable=False),
                sa.Column("status", sa.String(), nullable=False),
            ],
            True,
            [("run_id",)],
        ),
        (
            "vector_stores",
            [sa.Column("status", sa.String(), nullable=False)],
            True,
            [("project_id",)],
        ),
        (
            "vector_store_files",
            [
                sa.Column("vector_store_id", sa.String(), nullable=False),
                sa.Column("batch_id", sa.String(), nullable=True),
                sa.Column("status", sa.String(), nullable=False),
                sa.UniqueConstraint(
                    "vector_store_id", "id", name="uq_vector_store_files_vector_store_id_id"
                ),
            ],
            False,
            [("vector_store_id",), ("vector_store_id", "status"), ("batch_id", "status")],
        ),
        (
            "vector_store_file_batches",
            [
                sa.Column("vector_store_id", sa.String(), nullable=False),
                sa.Column("status", sa.String(), nullable=False),
            ],
            True,
            [("vector_store_id",)],
        ),
    ]


def _create_object_table(name: str, extra: list[Any], unique_id: bool) -> None:
    constraints: list[sa.Constraint] = [sa.PrimaryKeyConstraint("pk", name=f"pk_{name}")]
    if unique_id:
        constraints.append(sa.UniqueConstraint("id", name=f"uq_{name}_id"))
    op.create_table(
        name,
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("project_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        *extra,
        sa.Column("data", DOCUMENT, nullable=False),
        *constraints,
    )


def _create_index(table: str, *columns: str) -> None:
    op.create_index(f"ix_{table}_{'_'.join(columns)}", table, list(columns))


def upgrade() -> None:
    """Create every table and its list indexes."""
    for name, extra, unique_id, scopes in _tables():
        _create_object_table(name, extra, unique_id)
        for scope in scopes:
            _create_index(name, *scope, "created_at", "pk")
    _create_index("runs", "thread_id", "status")
    _create_index("vector_store_files", "id")
    op.create_table(
        "run_events",
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("event", sa.String(), nullable=False),
        sa.Column("data", DOCUMENT, nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("dedupe_key", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", "seq", name="pk_run_events"),
        sa.UniqueConstraint("run_id", "dedupe_key", name="uq_run_events_run_id_dedupe_key"),
    )

    op.create_table(
        "thread_locks",
        sa.Column("thread_id", sa.String(), nullable=False),
        sa.Column("project_id", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("thread_id", name="pk_thread_locks"),
    )


def downgrade() -> None:
    """Drop everything (indexes go with their tables)."""
    op.drop_table("thread_locks")
    op.drop_table("run_events")
    for name, *_ in reversed(_tables()):
        op.drop_table(name)
