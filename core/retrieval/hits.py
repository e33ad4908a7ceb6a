"""Ranked chunk pks to `SearchHit`s: the chunk, its File's name and its attributes; and the
candidates' text for the reranker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.retrieval.types import SearchHit
from core.store import tables
from core.store.store import Store

__all__ = ["chunk_texts", "load_hits"]


async def load_hits(
    store: Store, project_id: str, ranked: Sequence[tuple[int, float]]
) -> list[SearchHit]:
    """The hits in `ranked` order; chunks or files deleted since ranking are left out."""
    if not ranked:
        return []
    chunks = await store.chunks.get_many(project_id, [pk for pk, _ in ranked])
    pairs = {(c.vector_store_id, c.file_id) for c in chunks.values()}
    async with store.engine.connect() as conn:
        attributes = await _attributes(conn, project_id, pairs)
        filenames = await _filenames(conn, project_id, {file_id for _, file_id in pairs})
    hits: list[SearchHit] = []
    for pk, score in ranked:
        chunk = chunks.get(pk)
        if chunk is None or chunk.file_id not in filenames:
            continue
        hits.append(
            SearchHit(
                file_id=chunk.file_id,
                filename=filenames[chunk.file_id],
                score=score,
                attributes=attributes.get((chunk.vector_store_id, chunk.file_id)),
                chunk=chunk,
            )
        )
    return hits


async def chunk_texts(engine: AsyncEngine, project_id: str, pks: Sequence[int]) -> dict[int, str]:
    """The text of the chunks with these pks (those deleted since, or of other projects, are
    left out)."""
    if not pks:
        return {}
    t = tables.vector_store_chunks
    stmt = sa.select(t.c.pk, t.c.text).where(t.c.project_id == project_id, t.c.pk.in_(pks))
    async with engine.connect() as conn:
        return {row.pk: row.text for row in await conn.execute(stmt)}


async def _attributes(
    conn: AsyncConnection, project_id: str, pairs: set[tuple[str, str]]
) -> dict[tuple[str, str], Any]:
    t = tables.vector_store_files
    stmt = sa.select(t.c.vector_store_id, t.c.id, t.c.data).where(
        t.c.project_id == project_id,
        t.c.vector_store_id.in_({store_id for store_id, _ in pairs}),
        t.c.id.in_({file_id for _, file_id in pairs}),
    )
    rows = (await conn.execute(stmt)).all()
    return {
        (row.vector_store_id, row.id): row.data.get("attributes")
        for row in rows
        if (row.vector_store_id, row.id) in pairs
    }


async def _filenames(conn: AsyncConnection, project_id: str, file_ids: set[str]) -> dict[str, str]:
    t = tables.files
    stmt = sa.select(t.c.id, t.c.filename).where(t.c.project_id == project_id, t.c.id.in_(file_ids))
    return {row.id: row.filename for row in await conn.execute(stmt)}
