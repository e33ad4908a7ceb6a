"""Keywords on SQLite: FTS5's `bm25()` over `vector_store_chunks_fts` (porter stemming).

FTS5 keeps its statistics for the whole table, so N (chunks) and n (chunks containing a term)
count every chunk in the database, not only the searched stores; the ceiling is computed from
the same counts, so scores stay within 0..1.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.retrieval.bm25 import KeywordHits, bm25_ceiling
from core.retrieval.scope import Scope
from core.retrieval.scope_sql import sqlite_scope
from core.retrieval.terms import fts5_match

__all__ = ["SqliteKeywordIndex"]

# CROSS JOIN fixes SQLite's join order (the planner may otherwise run the match once per file).
_BY_INDEX = (
    "vector_store_chunks_fts CROSS JOIN vector_store_chunks c "
    "ON c.pk = vector_store_chunks_fts.rowid "
)
_BY_CHUNK = (
    "vector_store_chunks c CROSS JOIN vector_store_chunks_fts "
    "ON vector_store_chunks_fts.rowid = c.pk "
)


class SqliteKeywordIndex:
    """FTS5 with `bm25()`, negated (FTS5 ranks better matches more negative)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def search(
        self, scope: Scope, terms: list[str], limit: int, only: Sequence[int] | None = None
    ) -> KeywordHits:
        if not terms:
            return KeywordHits([], 0.0)
        where, params = sqlite_scope(scope, only)
        # The index drives the search; for a few given chunks, each is looked up in it instead.
        source = _BY_CHUNK if only is not None else _BY_INDEX
        sql = (
            f"SELECT c.pk AS pk, -bm25(vector_store_chunks_fts) AS score FROM {source} "
            + where
            + "AND vector_store_chunks_fts MATCH :match "
            "ORDER BY score DESC, c.pk LIMIT :limit"
        )
        params |= {"match": fts5_match(terms), "limit": limit}
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.text(sql), params)).all()
            if not rows:
                return KeywordHits([], 0.0)
            ceiling = await _ceiling(conn, terms)
        return KeywordHits([(int(pk), float(score)) for pk, score in rows], ceiling)


async def _ceiling(conn: AsyncConnection, terms: list[str]) -> float:
    """The query's BM25 ceiling from the counts FTS5's `bm25()` uses."""
    counts = ", ".join(
        f"(SELECT count(*) FROM vector_store_chunks_fts WHERE vector_store_chunks_fts MATCH :t{i})"
        for i in range(len(terms))
    )
    params = {f"t{i}": fts5_match([term]) for i, term in enumerate(terms)}
    sql = f"SELECT (SELECT count(*) FROM vector_store_chunks), {counts}"
    total, *frequencies = (await conn.execute(sa.text(sql), params)).one()
    return bm25_ceiling(float(total), [float(n) for n in frequencies])
