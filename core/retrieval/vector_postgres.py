"""Vectors on PostgreSQL: pgvector's cosine distance `<=>` on `embedding_vector`.

Migration 0003 adds the column only where the pgvector extension could be created; without it
`ready()` is False and search is keyword-only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.retrieval.scope import Scope
from core.retrieval.scope_sql import postgres_scope
from core.store.chunks import ChunkRepository

__all__ = ["PostgresVectorIndex"]


class PostgresVectorIndex:
    """Exact nearest chunks by pgvector cosine distance."""

    def __init__(self, engine: AsyncEngine, chunks: ChunkRepository) -> None:
        self._engine = engine
        self._chunks = chunks
        self._ready: bool | None = None

    @property
    def available(self) -> bool:
        # Unknown until the first search probes the column: assumed present, as migration 0003
        # adds it wherever pgvector is installed.
        return self._ready is not False

    async def ready(self) -> bool:
        if self._ready is None:
            self._ready = await self._chunks.has_vector_column()
        return self._ready

    async def search(
        self, scope: Scope, vector: Sequence[float], limit: int, only: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        where, params = postgres_scope(scope, only)
        sql = (
            "SELECT c.pk, c.embedding_vector <=> CAST(:vector AS vector) AS distance "
            "FROM vector_store_chunks c "
            + where
            + "AND c.embedding_vector IS NOT NULL AND vector_dims(c.embedding_vector) = :dims "
            "ORDER BY distance, c.pk LIMIT :limit"
        )
        literal = "[" + ",".join(repr(float(x)) for x in vector) + "]"
        params |= {"vector": literal, "dims": len(vector), "limit": limit}
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.text(sql), params)).all()
        # A zero vector has no direction: pgvector says NaN, which sorts last.
        return [(int(pk), float(d)) for pk, d in rows if d is not None and not math.isnan(d)]

    async def close(self) -> None:
        """Nothing to release: queries use the store's pool."""
