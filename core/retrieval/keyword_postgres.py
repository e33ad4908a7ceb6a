"""Keywords on PostgreSQL: BM25 computed in SQL over the GIN-indexed `to_tsvector('english',
text)` (the index's exact expression, so the index finds the matching chunks).

Per matching chunk and term: tf is `ts_rank_cd` with unit weights (an occurrence count), the
document length is the tsvector's lexeme count against the matching chunks' average, and N and
n count the searched stores' completed chunks, so unlike on SQLite other stores and projects do
not weigh in.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.retrieval.bm25 import BM25_B, BM25_K1, KeywordHits
from core.retrieval.scope import Scope
from core.retrieval.scope_sql import postgres_scope
from core.retrieval.terms import tsquery_text

__all__ = ["PostgresKeywordIndex"]


class PostgresKeywordIndex:
    """BM25 over the chunks `to_tsvector('english', text) @@ any term` finds."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def search(
        self, scope: Scope, terms: list[str], limit: int, only: Sequence[int] | None = None
    ) -> KeywordHits:
        if not terms:
            return KeywordHits([], 0.0)
        where, params = postgres_scope(scope)
        # `only` narrows the output, never `matched`: document frequencies must not change.
        pick = ""
        if only is not None:
            pick = "WHERE h.pk = ANY(CAST(:only AS bigint[])) "
            params["only"] = list(only)
        sql = _BM25.format(scope=where, pick=pick, k1=BM25_K1, b=BM25_B)
        params |= {"any": tsquery_text(terms), "terms": terms, "limit": limit}
        async with self._engine.connect() as conn:
            rows = (await conn.execute(sa.text(sql), params)).all()
        if not rows:
            return KeywordHits([], 0.0)
        ceiling = (BM25_K1 + 1) * float(rows[0].idf_sum)
        return KeywordHits([(int(row.pk), float(row.score)) for row in rows], ceiling)


# One statement: the matching chunks' tsvectors are computed once (MATERIALIZED), then scored
# term by term, with FTS5's IDF (floored at 1e-6). `total` is BM25's N.
_BM25 = """
WITH matched AS MATERIALIZED (
    SELECT c.pk, to_tsvector('english', c.text) AS tsv
    FROM vector_store_chunks c {scope}
    AND to_tsvector('english', c.text) @@ to_tsquery('english', :any)
),
terms AS (
    SELECT u.i, to_tsquery('english', u.t) AS tq
    FROM unnest(CAST(:terms AS text[])) WITH ORDINALITY AS u(t, i)
),
hits AS (
    SELECT m.pk, t.i,
           CAST(ts_rank_cd(CAST('{{1,1,1,1}}' AS real[]), m.tsv, t.tq) AS double precision) AS tf,
           CAST(length(m.tsv) AS double precision) AS dl
    FROM matched m JOIN terms t ON m.tsv @@ t.tq
),
stats AS (
    SELECT (SELECT CAST(count(*) AS double precision) FROM vector_store_chunks c {scope}) AS total,
           (SELECT CAST(avg(length(tsv)) AS double precision) FROM matched) AS avgdl
),
idf AS (
    SELECT d.i, greatest(ln((s.total - d.n + 0.5) / (d.n + 0.5)), 1e-6) AS w
    FROM (SELECT i, CAST(count(*) AS double precision) AS n FROM hits GROUP BY i) d
    CROSS JOIN stats s
)
SELECT h.pk,
       sum(idf.w * h.tf * ({k1} + 1) / (h.tf + {k1} * (1 - {b} + {b} * h.dl / s.avgdl))) AS score,
       (SELECT sum(w) FROM idf) AS idf_sum
FROM hits h JOIN idf ON idf.i = h.i CROSS JOIN stats s
{pick}GROUP BY h.pk
ORDER BY score DESC, h.pk
LIMIT :limit
"""
