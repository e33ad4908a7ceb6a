"""The keyword half: BM25 over the database's full-text index (`bm25.py` for the scoring)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from core.retrieval.bm25 import KeywordHits
from core.retrieval.keyword_postgres import PostgresKeywordIndex
from core.retrieval.keyword_sqlite import SqliteKeywordIndex
from core.retrieval.scope import Scope

__all__ = ["KeywordIndex", "keyword_index"]


class KeywordIndex(Protocol):
    async def search(
        self, scope: Scope, terms: list[str], limit: int, only: Sequence[int] | None = None
    ) -> KeywordHits:
        """Up to `limit` chunks by BM25, best first; only among the pks `only` if given."""
        ...


def keyword_index(engine: AsyncEngine) -> KeywordIndex:
    """The keyword index of the engine's database."""
    if engine.dialect.name == "postgresql":
        return PostgresKeywordIndex(engine)
    return SqliteKeywordIndex(engine)
