"""What a search may return: the project's completed files, in the requested stores, passing
the filters; and how many."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from core.errors import InvalidRequestError
from core.retrieval import RankingOptions, Retriever
from core.store import Store
from tests.retrieval.corpus import VS, HashedEmbedder, P, add_file, texts

QUERY = ["saffron buns"]


def _bun(n: int) -> str:
    return f"Batch {n} of saffron buns: {n + 1} pinches of saffron per dozen buns."


@pytest.fixture(params=["keyword", "hybrid"])
async def retriever(request: pytest.FixtureRequest, store: Store) -> AsyncIterator[Retriever]:
    embedder = HashedEmbedder() if request.param == "hybrid" else None
    opened = Retriever(store, embedder)
    yield opened
    await opened.close()


async def test_the_hit_carries_file_chunk_and_attributes(
    store: Store, retriever: Retriever
) -> None:
    file_id = await add_file(
        store, ["Plain bread.", _bun(1)], filename="bakery.md", attributes={"shelf": "top"}
    )
    [hit] = await retriever.search(P, [VS], QUERY, max_num_results=5)
    assert (hit.file_id, hit.filename, hit.attributes) == (file_id, "bakery.md", {"shelf": "top"})
    chunk = hit.chunk
    assert (chunk.text, chunk.chunk_index, chunk.vector_store_id) == (_bun(1), 1, VS)
    assert (chunk.start_char, chunk.end_char) == (13, 13 + len(_bun(1)))


async def test_max_num_results_caps_the_hits(store: Store, retriever: Retriever) -> None:
    await add_file(store, [_bun(n) for n in range(12)])
    assert len(await retriever.search(P, [VS], QUERY, max_num_results=5)) == 5
    assert len(await retriever.search(P, [VS], QUERY, max_num_results=50)) == 12
    with pytest.raises(InvalidRequestError):
        await retriever.search(P, [VS], QUERY, max_num_results=0)


async def test_score_threshold_drops_weaker_hits(store: Store, retriever: Retriever) -> None:
    await add_file(store, [_bun(1), "Buns without spice.", "Saffron prices rose in March."])
    everything = await retriever.search(P, [VS], QUERY, max_num_results=10)
    assert len(everything) == 3
    middle = (everything[0].score + everything[-1].score) / 2
    ranking = RankingOptions(score_threshold=middle)
    kept = await retriever.search(P, [VS], QUERY, max_num_results=10, ranking=ranking)
    assert 0 < len(kept) < 3
    assert all(hit.score >= middle for hit in kept)
    assert kept == everything[: len(kept)]


async def test_other_projects_chunks_are_never_returned(store: Store, retriever: Retriever) -> None:
    await add_file(store, [_bun(1)], project="proj_b")  # same store id, other project
    await add_file(store, [_bun(2)], project="proj_b", vector_store_id="vs_b")
    mine = await add_file(store, ["Saffron is expensive."])
    hits = await retriever.search(P, [VS, "vs_b"], QUERY, max_num_results=10)
    assert [hit.file_id for hit in hits] == [mine]
    assert await retriever.search("proj_c", [VS, "vs_b"], QUERY, max_num_results=10) == []


async def test_only_requested_stores_are_searched(store: Store, retriever: Retriever) -> None:
    await add_file(store, [_bun(1)], vector_store_id="vs_other")
    assert await retriever.search(P, [VS], QUERY, max_num_results=10) == []
    assert await retriever.search(P, [], QUERY, max_num_results=10) == []
    both = await retriever.search(P, [VS, "vs_other"], QUERY, max_num_results=10)
    assert texts(both) == [_bun(1)]


@pytest.mark.parametrize("status", ["in_progress", "failed", "cancelled"])
async def test_only_completed_files_are_searchable(
    store: Store, retriever: Retriever, status: str
) -> None:
    await add_file(store, [_bun(1)], status=status)
    done = await add_file(store, [_bun(2)])
    hits = await retriever.search(P, [VS], QUERY, max_num_results=10)
    assert [hit.file_id for hit in hits] == [done]


async def _shelved(store: Store) -> None:
    """Four files `a.txt`..`d.txt` with varied attributes (`d` has none)."""
    shelves: dict[str, dict[str, str | float | bool] | None] = {
        "a": {"author": "ada", "year": 2021, "draft": False},
        "b": {"author": "bob", "year": 2023, "draft": True},
        "c": {"author": "ada", "year": 2024.5},
        "d": None,
    }
    for i, (name, attributes) in enumerate(shelves.items()):
        await add_file(store, [_bun(i)], filename=f"{name}.txt", attributes=attributes)


FILTERS = [
    ({"type": "eq", "key": "author", "value": "ada"}, "ac"),
    ({"type": "ne", "key": "author", "value": "ada"}, "bd"),
    ({"type": "gt", "key": "year", "value": 2023}, "c"),
    ({"type": "gte", "key": "year", "value": 2023}, "bc"),
    ({"type": "lt", "key": "year", "value": 2023}, "a"),
    ({"type": "lte", "key": "year", "value": 2021.0}, "a"),
    ({"type": "eq", "key": "draft", "value": True}, "b"),
    ({"type": "in", "key": "author", "value": ["bob", "eve"]}, "b"),
    ({"type": "nin", "key": "author", "value": ["bob", "eve"]}, "acd"),
    (
        {
            "type": "or",
            "filters": [
                {"type": "eq", "key": "author", "value": "bob"},
                {
                    "type": "and",
                    "filters": [
                        {"type": "eq", "key": "author", "value": "ada"},
                        {"type": "gt", "key": "year", "value": 2022},
                    ],
                },
            ],
        },
        "bc",
    ),
]


@pytest.mark.parametrize(("filters", "expected"), FILTERS, ids=[str(f[0]) for f in FILTERS])
async def test_filters_narrow_the_files(
    store: Store, retriever: Retriever, filters: dict[str, object], expected: str
) -> None:
    await _shelved(store)
    hits = await retriever.search(P, [VS], QUERY, max_num_results=10, filters=filters)
    assert sorted(hit.filename for hit in hits) == [f"{name}.txt" for name in expected]


async def test_filters_apply_before_the_cap(store: Store, retriever: Retriever) -> None:
    """max_num_results counts matching hits: better-scoring others do not crowd them out."""
    for n in range(60):
        await add_file(store, [_bun(n) + " saffron saffron buns"], attributes={"keep": False})
    wanted = await add_file(store, ["One saffron bun."], attributes={"keep": True})
    filters = {"type": "eq", "key": "keep", "value": True}
    hits = await retriever.search(P, [VS], QUERY, max_num_results=1, filters=filters)
    assert [hit.file_id for hit in hits] == [wanted]


async def test_a_filter_matching_nothing_returns_nothing(
    store: Store, retriever: Retriever
) -> None:
    await _shelved(store)
    filters = {"type": "eq", "key": "author", "value": "zed"}
    assert await retriever.search(P, [VS], QUERY, max_num_results=5, filters=filters) == []


async def test_a_bad_filter_is_an_invalid_request(store: Store, retriever: Retriever) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        await retriever.search(
            P, [VS], QUERY, max_num_results=5, filters={"type": "eq", "key": "author"}
        )
    assert raised.value.param == "filters"


async def test_bad_ranking_options_are_invalid_requests(store: Store, retriever: Retriever) -> None:
    for ranking in (
        RankingOptions(ranker="best"),
        RankingOptions(score_threshold=1.5),
        RankingOptions(embedding_weight=0, text_weight=0),
    ):
        with pytest.raises(InvalidRequestError):
            await retriever.search(P, [VS], QUERY, max_num_results=5, ranking=ranking)
