"""SQLite vectors are searched by a worker process (`core/retrieval/vector_sqlite.py`): it sees
the store's writes, survives failed queries and is restarted if it dies."""

from __future__ import annotations

import pytest

from core.retrieval import RankingOptions, Retriever
from core.retrieval.scope import Scope
from core.retrieval.vector_sqlite import SqliteVectorIndex
from core.store import Store
from tests.fakes.model_embeddings import embed
from tests.retrieval.corpus import VS, HashedEmbedder, P, add_file

_VECTOR_ONLY = RankingOptions(text_weight=0.0)


async def test_writes_after_the_first_search_are_seen(store: Store) -> None:
    retriever = Retriever(store, HashedEmbedder())
    await add_file(store, ["Copper kettles whistle at dawn."])
    assert len(await retriever.search(P, [VS], ["copper kettles"], max_num_results=5)) == 1
    await add_file(store, ["Copper pans hang by the stove."])
    hits = await retriever.search(P, [VS], ["copper"], max_num_results=5, ranking=_VECTOR_ONLY)
    assert len(hits) == 2
    await retriever.close()


async def test_the_worker_is_restarted_after_it_dies(sqlite_store: Store) -> None:
    await add_file(sqlite_store, ["Copper kettles whistle at dawn."])
    index = SqliteVectorIndex(str(sqlite_store.engine.url.database))
    scope = Scope(P, (VS,))
    assert len(await index.search(scope, embed("copper"), 5)) == 1
    process = index._process
    assert process is not None
    process.kill()
    process.wait()
    assert len(await index.search(scope, embed("copper"), 5)) == 1
    assert index._process is not None and index._process is not process
    await index.close()
    assert index._process is None


async def test_a_failed_query_is_raised_and_the_worker_survives(sqlite_store: Store) -> None:
    await add_file(sqlite_store, ["Copper kettles whistle at dawn."])
    index = SqliteVectorIndex(str(sqlite_store.engine.url.database))
    scope = Scope(P, (VS,))
    with pytest.raises(RuntimeError, match="Vector search failed"):
        await index.search(scope, embed("copper"), "five")  # type: ignore[arg-type]
    assert len(await index.search(scope, embed("copper"), 5)) == 1
    await index.close()
