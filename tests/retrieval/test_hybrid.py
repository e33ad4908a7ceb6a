"""The vector half and hybrid fusion on both databases (hashed bag-of-words embeddings)."""

from __future__ import annotations

import asyncio

import pytest

from core.retrieval import RankingOptions, Retriever
from core.store import Store
from tests.retrieval.corpus import VS, HashedEmbedder, P, add_file, texts

HAMLET = "To be, or not to be, that is the question."
ZORBLAX = "The zorblax flux capacitor needs recalibration every spring."
BOTH = "Zorblax engineers ask whether to be or not to be recalibrated."
GARDENS = [f"Garden note {n}: pruning roses and planting tulips in bed {n}." for n in range(6)]


async def test_mode_is_hybrid_with_an_embedder_and_keyword_without(store: Store) -> None:
    hybrid, keyword = Retriever(store, HashedEmbedder()), Retriever(store, None)
    assert (hybrid.mode, keyword.mode) == ("hybrid", "keyword")
    await hybrid.close()
    await keyword.close()


async def test_vector_search_finds_a_passage_keywords_cannot(store: Store) -> None:
    """Stop words are no keyword terms, but the embedding still carries them."""
    await add_file(store, [HAMLET, *GARDENS])
    embedder = HashedEmbedder()
    retriever = Retriever(store, embedder)
    hits = await retriever.search(P, [VS], ["to be or not to be"], max_num_results=3)
    assert texts(hits)[:1] == [HAMLET]
    assert embedder.calls == [["to be or not to be"]]
    assert (
        await Retriever(store, None).search(P, [VS], ["to be or not to be"], max_num_results=3)
        == []
    )
    await retriever.close()


async def test_vector_only_weights_rank_by_embedding(store: Store) -> None:
    await add_file(store, [ZORBLAX, *GARDENS])
    retriever = Retriever(store, HashedEmbedder())
    vector_only = RankingOptions(text_weight=0.0)
    hits = await retriever.search(
        P, [VS], ["zorblax flux capacitor"], max_num_results=2, ranking=vector_only
    )
    assert texts(hits)[:1] == [ZORBLAX]
    assert hits[0].score == pytest.approx(0.5, abs=0.15)  # cosine of 3 shared words out of 8
    await retriever.close()


@pytest.mark.parametrize("ranker", ["auto", "none"])
async def test_hybrid_merges_keyword_and_vector_candidates(store: Store, ranker: str) -> None:
    # ZORBLAX has no embedding: only the keyword half can find it; HAMLET only the vector half.
    await add_file(store, [ZORBLAX], dimensions=None)
    await add_file(store, [HAMLET, BOTH, *GARDENS])
    retriever = Retriever(store, HashedEmbedder())
    hits = await retriever.search(
        P, [VS], ["zorblax: to be or not to be"], max_num_results=3,
        ranking=RankingOptions(ranker=ranker),
    )  # fmt: skip
    assert texts(hits)[0] == BOTH
    assert set(texts(hits)) == {BOTH, ZORBLAX, HAMLET}
    await retriever.close()


async def test_chunks_without_embeddings_keep_their_keyword_score(store: Store) -> None:
    await add_file(store, [ZORBLAX], dimensions=None)
    keyword_only = await Retriever(store, None).search(P, [VS], ["zorblax"], max_num_results=1)
    retriever = Retriever(store, HashedEmbedder())
    hybrid = await retriever.search(P, [VS], ["zorblax"], max_num_results=1)
    assert hybrid[0].score == pytest.approx(keyword_only[0].score)
    await retriever.close()


async def test_reranking_scores_candidates_on_the_half_that_missed_them(store: Store) -> None:
    """60 passages outscore the target on its only keyword, so it misses the keyword list's cut
    (50 candidates) while topping the vector list: the reranker still gives it its keyword
    score, `none` counts 0 for it there."""
    crowd = [f"Beacon beacon beacon report {n}." for n in range(60)]
    target = "What is it that we have been doing all of this while with the beacon?"
    await add_file(store, [*crowd, target])
    retriever = Retriever(store, HashedEmbedder())
    scores = {}
    for ranker in ("auto", "none"):
        hits = await retriever.search(
            P, [VS], [target], max_num_results=10, ranking=RankingOptions(ranker=ranker)
        )
        scores[ranker] = next(hit.score for hit in hits if hit.chunk.text == target)
    assert texts(await retriever.search(P, [VS], [target], max_num_results=1)) == [target]
    assert scores["none"] == pytest.approx(0.5)  # (0 keyword + 1.0 cosine) / 2
    assert scores["auto"] > 0.6
    await retriever.close()


async def test_embeddings_of_another_length_are_skipped(store: Store) -> None:
    """After a change of embeddings model, old vectors are not compared with new ones."""
    await add_file(store, [ZORBLAX], dimensions=64)
    retriever = Retriever(store, HashedEmbedder(dimensions=256))
    hits = await retriever.search(P, [VS], ["zorblax capacitor"], max_num_results=3)
    assert texts(hits) == [ZORBLAX]
    await retriever.close()


async def test_a_query_with_a_zero_embedding_is_searched_by_keywords(store: Store) -> None:
    await add_file(store, [ZORBLAX, *GARDENS])
    retriever = Retriever(store, HashedEmbedder())
    assert await retriever.search(P, [VS], ["?!"], max_num_results=3) == []
    await retriever.close()


async def test_several_queries_merge_keeping_each_chunks_best_score(store: Store) -> None:
    await add_file(store, [HAMLET, ZORBLAX, *GARDENS])
    retriever = Retriever(store, HashedEmbedder())
    one = await retriever.search(P, [VS], ["zorblax capacitor"], max_num_results=1)
    two = await retriever.search(P, [VS], ["pruning roses"], max_num_results=10)
    both = await retriever.search(
        P, [VS], ["zorblax capacitor", "pruning roses", "zorblax capacitor"], max_num_results=10
    )
    expected = {h.chunk.pk: h.score for h in two} | {h.chunk.pk: h.score for h in one}
    assert {h.chunk.pk: h.score for h in both} == pytest.approx(expected)
    assert len({h.chunk.pk for h in both}) == len(both)
    await retriever.close()


async def test_concurrent_searches_share_the_retriever(store: Store) -> None:
    await add_file(store, [HAMLET, ZORBLAX, *GARDENS])
    retriever = Retriever(store, HashedEmbedder())
    results = await asyncio.gather(
        *(retriever.search(P, [VS], [q], max_num_results=2) for q in ["zorblax", "roses"] * 5)
    )
    assert [texts(r)[0] for r in results[:2]] == [ZORBLAX, GARDENS[0]]
    await retriever.close()
