"""The store's schema: document-plus-columns tables, one per aggregate, on one `MetaData`.

Every object table keeps the full wire object in `data` and copies out, as real columns, only what
queries filter or sort on. `pk` is the insertion sequence: the tie-breaker after `created_at` that
makes cursor pagination stable (SPEC §1.2). Each list query has an index whose equality columns are
followed by `(created_at, pk)`, so a page is an index range scan in either order.

There are no foreign keys on purpose: activities upsert idempotently in whatever order Temporal
retries them, and the repositories cascade deletes explicitly inside one transaction.

Schema changes go through a new Alembic revision in `migrations/versions/`; the drift test fails
when this module and the migrations disagree.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

__all__ = [
    "assistants",
    "files",
    "messages",
    "metadata",
    "run_contexts",
    "run_events",
    "run_steps",
    "runs",
    "thread_locks",
    "threads",
    "tool_call_arguments",
    "vector_store_chunks",
    "vector_store_file_batches",
    "vector_store_files",
    "vector_stores",
]

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# SQLite only auto-assigns an INTEGER PRIMARY KEY (the rowid alias), not a BIGINT one.
PkType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Document = sa.JSON().with_variant(JSONB(), "postgresql")
# Unix seconds; BIGINT so timestamps survive 2038 on PostgreSQL.
Timestamp = sa.BigInteger()


def _object_table(
    name: str, *columns: sa.Column[Any] | sa.Constraint, unique_id: bool = True
) -> sa.Table:
    """A table with the columns every stored object has, plus `columns` (parents, filters)."""
    return sa.Table(
        name,
        metadata,
        sa.Column("pk", PkType, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(), nullable=False, unique=unique_id),
        sa.Column("project_id", sa.String(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        *columns,
        sa.Column("data", Document, nullable=False),
    )


def _list_index(table: sa.Table, *scope: str) -> sa.Index:
    """An index serving `WHERE <scope> = ... ORDER BY created_at, pk` as a range scan."""
    columns = [table.c[name] for name in (*scope, "created_at", "pk")]
    return sa.Index(None, *columns)


files = _object_table(
    "files",
    sa.Column("purpose", sa.String(), nullable=False),
    sa.Column("filename", sa.String(), nullable=False),
    sa.Column("bytes", sa.BigInteger(), nullable=False),
)
_list_index(files, "project_id")
_list_index(files, "project_id", "purpose")

assistants = _object_table("assistants")
_list_index(assistants, "project_id")

threads = _object_table("threads")
_list_index(threads, "project_id")

messages = _object_table(
    "messages",
    sa.Column("thread_id", sa.String(), nullable=False),
    sa.Column("run_id", sa.String(), nullable=True),
    sa.Column("role", sa.String(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
)
_list_index(messages, "thread_id")
_list_index(messages, "thread_id", "run_id")
# A run's own messages (closing them when it ends) without knowing the thread.
_list_index(messages, "run_id")

runs = _object_table(
    "runs",
    sa.Column("thread_id", sa.String(), nullable=False),
    sa.Column("assistant_id", sa.String(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
)
_list_index(runs, "thread_id")
# The thread lock ("Thread X already has an active run") asks for non-terminal runs per thread.
sa.Index(None, runs.c.thread_id, runs.c.status)
# Metrics read runs by status across projects (counts, oldest active run) at every scrape.
sa.Index(None, runs.c.status, runs.c.created_at)

run_steps = _object_table(
    "run_steps",
    sa.Column("thread_id", sa.String(), nullable=False),
    sa.Column("run_id", sa.String(), nullable=False),
    sa.Column("type", sa.String(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
)
_list_index(run_steps, "run_id")

# What each model call was sent (the `/context` extension); `id` is the call's step id.
run_contexts = _object_table(
    "run_contexts",
    sa.Column("thread_id", sa.String(), nullable=False),
    sa.Column("run_id", sa.String(), nullable=False),
)
_list_index(run_contexts, "run_id")

# At most one active run per thread: the row is claimed when a run is created and released when
# it ends. The primary key makes the claim atomic where "look for an active run" would race.
thread_locks = sa.Table(
    "thread_locks",
    metadata,
    sa.Column("thread_id", sa.String(), primary_key=True),
    sa.Column("project_id", sa.String(), nullable=False),
    sa.Column("run_id", sa.String(), nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
)

run_events = sa.Table(
    "run_events",
    metadata,
    sa.Column("run_id", sa.String(), primary_key=True),
    sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("event", sa.String(), nullable=False),
    sa.Column("data", Document, nullable=False),
    sa.Column("created_at", Timestamp, nullable=False),
    # Set by activities so that a retried append returns the first append's seq.
    sa.Column("dedupe_key", sa.String(), nullable=True),
    sa.UniqueConstraint("run_id", "dedupe_key"),
)

vector_stores = _object_table(
    "vector_stores",
    sa.Column("status", sa.String(), nullable=False),
)
_list_index(vector_stores, "project_id")

# A vector-store file's `id` is the file's id, so it is unique per store, not globally.
vector_store_files = _object_table(
    "vector_store_files",
    sa.Column("vector_store_id", sa.String(), nullable=False),
    # The batch that last added the file (lists `/file_batches/{id}/files`); null if added alone.
    sa.Column("batch_id", sa.String(), nullable=True),
    sa.Column("status", sa.String(), nullable=False),
    # Summed into the store's `usage_bytes` (parsed chunks plus embeddings, SPEC §7).
    sa.Column("usage_bytes", sa.BigInteger(), nullable=False, server_default="0"),
    sa.UniqueConstraint("vector_store_id", "id"),
    unique_id=False,
)
_list_index(vector_store_files, "vector_store_id")
_list_index(vector_store_files, "vector_store_id", "status")
_list_index(vector_store_files, "batch_id", "status")
# Deleting a file removes it from every vector store (SPEC §2.6).
sa.Index(None, vector_store_files.c.id)

vector_store_file_batches = _object_table(
    "vector_store_file_batches",
    sa.Column("vector_store_id", sa.String(), nullable=False),
    sa.Column("status", sa.String(), nullable=False),
)
_list_index(vector_store_file_batches, "vector_store_id")

# The parsed chunks file_search searches: one row per chunk of a file in a vector store. Keyword
# search has an index outside this metadata (created by migration 0003, dialect by dialect): an
# FTS5 table `vector_store_chunks_fts` on SQLite, a GIN index on `to_tsvector('english', text)`
# on PostgreSQL, where an `embedding_vector vector` column is also added when pgvector exists.
vector_store_chunks = sa.Table(
    "vector_store_chunks",
    metadata,
    sa.Column("pk", PkType, primary_key=True, autoincrement=True),
    sa.Column("project_id", sa.String(), nullable=False),
    sa.Column("vector_store_id", sa.String(), nullable=False),
    sa.Column("file_id", sa.String(), nullable=False),
    sa.Column("chunk_index", sa.Integer(), nullable=False),
    sa.Column("text", sa.Text(), nullable=False),
    sa.Column("tokens", sa.Integer(), nullable=False),
    # Where the chunk sits in the file's extracted text: `text == extracted[start:end]`.
    sa.Column("start_char", sa.Integer(), nullable=False),
    sa.Column("end_char", sa.Integer(), nullable=False),
    # float32 little-endian, the format sqlite-vec reads; null until embedded (or never, when no
    # embeddings model is configured: keyword-only search).
    sa.Column("embedding", sa.LargeBinary(), nullable=True),
    sa.UniqueConstraint("vector_store_id", "file_id", "chunk_index"),
)
# Deleting a File removes its chunks from every store.
sa.Index(None, vector_store_chunks.c.file_id)

# Arguments of built-in tool calls (file_search `queries`), which the wire objects have no field
# for but the model must be shown again when the tool turn is replayed into its context.
tool_call_arguments = sa.Table(
    "tool_call_arguments",
    metadata,
    sa.Column("call_id", sa.String(), primary_key=True),
    sa.Column("project_id", sa.String(), nullable=False),
    sa.Column("run_id", sa.String(), nullable=False),
    sa.Column("arguments", sa.Text(), nullable=False),
)
