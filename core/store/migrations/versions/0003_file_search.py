"""file_search: parsed chunks with their keyword index (and vectors), file usage, tool arguments.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Keyword indexes differ by dialect and live outside `tables.metadata` (the drift test skips them):
- SQLite: an external-content FTS5 table `vector_store_chunks_fts` (porter stemming) kept in step
  with `vector_store_chunks` by triggers; BM25 ranks it.
- PostgreSQL: a GIN index on `to_tsvector('english', text)`; and where the pgvector extension is
  available, `CREATE EXTENSION vector` plus an `embedding_vector vector` column (no fixed
  dimension, so any embeddings model fits; searched exactly, by distance, per vector store).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PK = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

FTS_TABLE = "vector_store_chunks_fts"

_SQLITE_FTS = (
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
    "text, content='vector_store_chunks', content_rowid='pk', tokenize='porter unicode61')",
    f"CREATE TRIGGER vector_store_chunks_ai AFTER INSERT ON vector_store_chunks BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.pk, new.text); END",
    f"CREATE TRIGGER vector_store_chunks_ad AFTER DELETE ON vector_store_chunks BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.pk, old.text); END",
    f"CREATE TRIGGER vector_store_chunks_au AFTER UPDATE OF text ON vector_store_chunks BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, text) VALUES ('delete', old.pk, old.text); "
    f"INSERT INTO {FTS_TABLE}(rowid, text) VALUES (new.pk, new.text); END",
)

_POSTGRES_FTS = (
    "CREATE INDEX ix_vector_store_chunks_tsv ON vector_store_chunks "
    "USING gin (to_tsvector('english', text))",
)


def upgrade() -> None:
    """Create `vector_store_chunks` with its keyword index, `tool_call_arguments`, and
    `vector_store_files.usage_bytes`."""
    op.create_table(
        "vector_store_chunks",
        sa.Column("pk", PK, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(), nullable=False),
        sa.Column("vector_store_id", sa.String(), nullable=False),
        sa.Column("file_id", sa.String(), nullable=False),
        sa.Column("chunk_index", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tokens", sa.Integer(), nullable=False),
        sa.Column("start_char", sa.Integer(), nullable=False),
        sa.Column("end_char", sa.Integer(), nullable=False),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.PrimaryKeyConstraint("pk", name="pk_vector_store_chunks"),
        sa.UniqueConstraint(
            "vector_store_id",
            "file_id",
            "chunk_index",
            name="uq_vector_store_chunks_vector_store_id_file_id_chunk_index",
        ),
    )
    op.create_index("ix_vector_store_chunks_file_id", "vector_store_chunks", ["file_id"])
    op.create_table(
        "tool_call_arguments",
        sa.Column("call_id", sa.String(), nullable=False),
        sa.Column("project_id", sa.String(), nullable=False),
        sa.Column("run_id", sa.String(), nullable=False),
        sa.Column("arguments", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("call_id", name="pk_tool_call_arguments"),
    )
    with op.batch_alter_table("vector_store_files") as batch:
        batch.add_column(
            sa.Column("usage_bytes", sa.BigInteger(), nullable=False, server_default="0")
        )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
    else:
        for statement in _POSTGRES_FTS:
            op.execute(statement)
        _add_pgvector(bind)


def _add_pgvector(bind: sa.Connection) -> None:
    """The vector column, if this server has pgvector (keyword-only search otherwise)."""
    available = bind.execute(
        sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
    ).first()
    if available is None:
        return
    try:
        # A savepoint: a refused CREATE EXTENSION (no privilege) must not abort the migration.
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS vector"))
    except sa.exc.DBAPIError:
        return
    op.execute("ALTER TABLE vector_store_chunks ADD COLUMN embedding_vector vector")


def downgrade() -> None:
    """Drop what `upgrade` created (the pgvector extension itself stays)."""
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS vector_store_chunks_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    with op.batch_alter_table("vector_store_files") as batch:
        batch.drop_column("usage_bytes")
    op.drop_table("tool_call_arguments")
    op.drop_table("vector_store_chunks")
