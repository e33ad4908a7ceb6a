"""The parsed chunks of vector-store files: written by ingestion, read by file_search.

Rows are replaced per `(vector_store_id, file_id)` in one transaction, so a retried ingestion
never leaves half of an old chunking beside a new one. Embeddings are float32 little-endian
blobs (the format sqlite-vec reads); on PostgreSQL with pgvector they are also written to the
`embedding_vector` column migration 0003 adds there.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.store import tables

__all__ = ["ChunkRecord", "ChunkRepository", "StoredChunk", "pack_vector", "unpack_vector"]

_INSERT_BATCH = 500
"""Rows per INSERT: SQLite allows 32,766 bound parameters; 9 columns each."""


def pack_vector(vector: Sequence[float]) -> bytes:
    """float32 little-endian, as sqlite-vec stores vectors."""
    return struct.pack(f"<{len(vector)}f", *vector)


def unpack_vector(blob: bytes) -> list[float]:
    return list(struct.unpack(f"<{len(blob) // 4}f", blob))


@dataclass(frozen=True, slots=True)
class ChunkRecord:
    """One chunk as ingestion writes it."""

    chunk_index: int
    text: str
    tokens: int
    start_char: int
    end_char: int


@dataclass(frozen=True, slots=True)
class StoredChunk:
    """One chunk as search reads it."""

    pk: int
    vector_store_id: str
    file_id: str
    chunk_index: int
    text: str
    tokens: int
    start_char: int
    end_char: int


def _stored(row: sa.Row[Any]) -> StoredChunk:
    return StoredChunk(**row._asdict())


class ChunkRepository:
    """Chunks of a project's vector-store files. Every method is scoped to a project."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.table = tables.vector_store_chunks
        self._has_vector_column: bool | None = None

    async def replace_file(
        self,
        project_id: str,
        vector_store_id: str,
        file_id: str,
        chunks: Sequence[ChunkRecord],
    ) -> None:
        """Make `chunks` the file's chunks in the store (idempotent: a retry rewrites them).

        Writes nothing if the file is no longer in the store: an ingestion still running when
        its store or file was deleted must not leave chunks behind.
        """
        t = self.table
        rows = [
            {
                "project_id": project_id,
                "vector_store_id": vector_store_id,
                "file_id": file_id,
                "chunk_index": c.chunk_index,
                "text": c.text,
                "tokens": c.tokens,
                "start_char": c.start_char,
                "end_char": c.end_char,
            }
            for c in chunks
        ]
        async with self._engine.begin() as conn:
            old = sa.delete(t).where(*self._file(project_id, vector_store_id, file_id))
            # The delete comes first so that SQLite takes the write lock before the check below
            # reads: a store deletion then lands wholly before or wholly after this transaction.
            await conn.execute(old)
            if not await self._attached(conn, project_id, vector_store_id, file_id):
                return
            for start in range(0, len(rows), _INSERT_BATCH):
                await conn.execute(sa.insert(t), rows[start : start + _INSERT_BATCH])

    @staticmethod
    async def _attached(
        conn: AsyncConnection, project_id: str, vector_store_id: str, file_id: str
    ) -> bool:
        files = tables.vector_store_files
        stmt = (
            sa.select(files.c.pk)
            .where(
                files.c.project_id == project_id,
                files.c.vector_store_id == vector_store_id,
                files.c.id == file_id,
            )
            # PostgreSQL: hold the row until commit, so a concurrent deletion of the store waits
            # and then deletes these chunks too (SQLite ignores it; its write lock serialises).
            .with_for_update(read=True)
        )
        return (await conn.execute(stmt)).first() is not None

    async def delete_file(self, project_id: str, vector_store_id: str, file_id: str) -> int:
        """Remove the file's chunks from one store; how many there were."""
        stmt = sa.delete(self.table).where(*self._file(project_id, vector_store_id, file_id))
        async with self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def delete_store(self, project_id: str, vector_store_id: str) -> int:
        """Remove every chunk of a store."""
        t = self.table
        stmt = sa.delete(t).where(
            t.c.project_id == project_id, t.c.vector_store_id == vector_store_id
        )
        async with self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def delete_file_everywhere(self, project_id: str, file_id: str) -> int:
        """Remove a File's chunks from every store (the File itself is being deleted)."""
        t = self.table
        stmt = sa.delete(t).where(t.c.project_id == project_id, t.c.file_id == file_id)
        async with self._engine.begin() as conn:
            return (await conn.execute(stmt)).rowcount

    async def file_chunks(
        self, project_id: str, vector_store_id: str, file_id: str
    ) -> list[StoredChunk]:
        """The file's chunks in order."""
        t = self.table
        stmt = (
            sa.select(*self._chunk_columns())
            .where(*self._file(project_id, vector_store_id, file_id))
            .order_by(t.c.chunk_index)
        )
        async with self._engine.connect() as conn:
            return [_stored(row) for row in await conn.execute(stmt)]

    async def get_many(self, project_id: str, pks: Sequence[int]) -> dict[int, StoredChunk]:
        """The chunks with these pks (those of other projects are left out)."""
        if not pks:
            return {}
        t = self.table
        stmt = sa.select(*self._chunk_columns()).where(
            t.c.project_id == project_id, t.c.pk.in_(list(pks))
        )
        async with self._engine.connect() as conn:
            return {row.pk: _stored(row) for row in await conn.execute(stmt)}

    async def without_embeddings(
        self, project_id: str, vector_store_id: str, file_id: str, limit: int
    ) -> list[tuple[int, str]]:
        """Up to `limit` `(pk, text)` of the file's chunks not embedded yet, in order."""
        t = self.table
        stmt = (
            sa.select(t.c.pk, t.c.text)
            .where(*self._file(project_id, vector_store_id, file_id), t.c.embedding.is_(None))
            .order_by(t.c.chunk_index)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            return [(row.pk, row.text) for row in await conn.execute(stmt)]

    async def set_embeddings(self, embeddings: Sequence[tuple[int, Sequence[float]]]) -> None:
        """Store each `(pk, vector)`; on PostgreSQL with pgvector, in its column too."""
        if not embeddings:
            return
        t = self.table
        blobs = [{"b_pk": pk, "b_embedding": pack_vector(vector)} for pk, vector in embeddings]
        update = (
            sa.update(t)
            .where(t.c.pk == sa.bindparam("b_pk"))
            .values(embedding=sa.bindparam("b_embedding"))
        )
        async with self._engine.begin() as conn:
            # One executemany, not a statement per chunk: embedding is ingestion's slowest write.
            await conn.execute(update, blobs)
            if await self.has_vector_column(conn):
                literals = [
                    {"pk": pk, "v": "[" + ",".join(repr(float(x)) for x in vector) + "]"}
                    for pk, vector in embeddings
                ]
                await conn.execute(
                    sa.text(
                        "UPDATE vector_store_chunks SET embedding_vector = CAST(:v AS vector) "
                        "WHERE pk = :pk"
                    ),
                    literals,
                )

    async def stats(self, project_id: str, vector_store_id: str, file_id: str) -> tuple[int, int]:
        """`(chunks, usage_bytes)` of the file in the store: chunk text bytes plus embeddings."""
        t = self.table
        text_bytes = sa.func.coalesce(sa.func.sum(sa.func.length(t.c.text)), 0)
        vector_bytes = sa.func.coalesce(sa.func.sum(sa.func.length(t.c.embedding)), 0)
        stmt = sa.select(sa.func.count(), text_bytes, vector_bytes).where(
            *self._file(project_id, vector_store_id, file_id)
        )
        async with self._engine.connect() as conn:
            count, text_len, vector_len = (await conn.execute(stmt)).one()
        return int(count), int(text_len) + int(vector_len)

    async def has_vector_column(self, conn: AsyncConnection | None = None) -> bool:
        """Whether this database has pgvector's `embedding_vector` column (PostgreSQL only)."""
        if self._has_vector_column is None:
            if conn is None:
                async with self._engine.connect() as own:
                    self._has_vector_column = await self._probe_vector_column(own)
            else:
                self._has_vector_column = await self._probe_vector_column(conn)
        return self._has_vector_column

    @staticmethod
    async def _probe_vector_column(conn: AsyncConnection) -> bool:
        if conn.dialect.name != "postgresql":
            return False
        found = await conn.execute(
            sa.text(
                "SELECT 1 FROM information_schema.columns WHERE table_name = "
                "'vector_store_chunks' AND column_name = 'embedding_vector'"
            )
        )
        return found.first() is not None

    def _chunk_columns(self) -> list[sa.Column[Any]]:
        t = self.table
        return [
            t.c.pk,
            t.c.vector_store_id,
            t.c.file_id,
            t.c.chunk_index,
            t.c.text,
            t.c.tokens,
            t.c.start_char,
            t.c.end_char,
        ]

    def _file(
        self, project_id: str, vector_store_id: str, file_id: str
    ) -> list[sa.ColumnElement[bool]]:
        t = self.table
        return [
            t.c.project_id == project_id,
            t.c.vector_store_id == vector_store_id,
            t.c.file_id == file_id,
        ]
