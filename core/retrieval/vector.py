"""The vector half: exact (brute-force) cosine distance to the query's embedding.

Exact search over the searched stores' chunks keeps results identical on both databases and
needs no index tuning; its cost grows linearly with the stores' chunk count (see
`bench/retrieval.py`). Chunks without an embedding, or with one of another length (the
embeddings model changed since they were ingested), are left out and ranked by keywords alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from core.retrieval.scope import Scope
from core.retrieval.vector_postgres import PostgresVectorIndex
from core.retrieval.vector_sqlite import SqliteVectorIndex, sqlite_vec_available
from core.store.store import Store

__all__ = ["VectorIndex", "vector_index"]


class VectorIndex(Protocol):
    @property
    def available(self) -> bool:
        """Whether vectors can be searched, as far as known without a query."""
        ...

    async def ready(self) -> bool:
        """Whether vectors can be searched (probes the database the first time)."""
        ...

    async def search(
        self, scope: Scope, vector: Sequence[float], limit: int, only: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """Up to `limit` `(chunk pk, cosine distance)` nearest first; among `only` if given."""
        ...

    async def close(self) -> None:
        """Release what the index holds (connections)."""
        ...


def vector_index(store: Store) -> VectorIndex | None:
    """The vector index of the store's database, or None if it cannot search vectors."""
    engine = store.engine
    if engine.dialect.name == "postgresql":
        return PostgresVectorIndex(store.engine, store.chunks)
    path = engine.url.database
    if not path or path == ":memory:" or "mode=memory" in path or not sqlite_vec_available():
        return None
    return SqliteVectorIndex(path)
