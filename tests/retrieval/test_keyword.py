"""The keyword half on both databases: BM25 ranking, OR semantics, safe query parsing."""

from __future__ import annotations

import pytest

from core.retrieval import Retriever
from core.store import Store
from tests.retrieval.corpus import VS, P, add_file, texts

LAMP = "The keeper replaced the north lamp with a tungsten halogen lamp after the storm."
GARDENS = [
    f"Garden report {n}: the garden roses, the garden walls and the garden paths, as the "
    f"garden report for week {n} describes them."
    for n in range(8)
]
TIDES = "Tide tables for the harbour: spring tides, neap tides and the marmalade ferry timetable."


async def _seed(store: Store) -> None:
    await add_file(store, [LAMP, TIDES], filename="lighthouse.txt")
    await add_file(store, GARDENS, filename="gardens.md")


async def test_ranking_prefers_the_passage_sharing_rare_terms(store: Store) -> None:
    await _seed(store)
    retriever = Retriever(store, None)
    hits = await retriever.search(
        P, [VS], ["Which garden report describes the tungsten lamp?"], max_num_results=5
    )
    assert hits[0].chunk.text == LAMP
    assert hits[0].filename == "lighthouse.txt"
    # Every garden passage matches too (OR), below the rare-term one.
    assert set(texts(hits[1:])) <= set(GARDENS) and len(hits) == 5
    assert all(0 < hit.score < 1 for hit in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


async def test_a_question_matches_any_significant_term(store: Store) -> None:
    await _seed(store)
    hits = await Retriever(store, None).search(
        P, [VS], ["Is there a zeppelin, quantum or marmalade schedule?"], max_num_results=10
    )
    assert texts(hits) == [TIDES]


async def test_stemming_matches_other_forms_of_a_word(store: Store) -> None:
    await _seed(store)
    hits = await Retriever(store, None).search(P, [VS], ["replacing lamps"], max_num_results=3)
    assert texts(hits) == [LAMP]


async def test_only_stop_words_find_nothing_by_keyword(store: Store) -> None:
    await _seed(store)
    hits = await Retriever(store, None).search(P, [VS], ["what is the"], max_num_results=3)
    assert hits == []


@pytest.mark.parametrize(
    "query",
    [
        '"unbalanced quote lamp',
        "lamp*",
        "NEAR(lamp keeper, 2)",
        "-lamp",
        "(lamp OR",
        "text:lamp",
        "^lamp AND OR NOT",
        "lamp'); DROP TABLE vector_store_chunks; --",
        "lamp & | ! <-> :* \\ {}",
        "lamp_tungsten ² ½ 東京",
    ],
)
async def test_query_syntax_characters_are_plain_text(store: Store, query: str) -> None:
    await _seed(store)
    hits = await Retriever(store, None).search(P, [VS], [query], max_num_results=3)
    assert texts(hits)[:1] == [LAMP]


@pytest.mark.parametrize("query", ["", "   ", "?!", '"', "* - ( )"])
async def test_queries_without_words_return_nothing(store: Store, query: str) -> None:
    await _seed(store)
    assert await Retriever(store, None).search(P, [VS], [query], max_num_results=3) == []
