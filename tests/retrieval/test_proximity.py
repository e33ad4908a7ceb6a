"""Query-term proximity: the pure bonus, and the rerank step using it on both databases."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.retrieval import RankingOptions, Retriever
from core.retrieval.porter import stem
from core.retrieval.proximity import (
    PHRASE_WEIGHT,
    WINDOW,
    WINDOW_WEIGHT,
    proximity_bonus,
    query_pairs,
    with_proximity,
)
from core.retrieval.terms import significant_words
from core.store import Store
from tests.retrieval.corpus import VS, HashedEmbedder, P, add_file, texts

FULL = PHRASE_WEIGHT + WINDOW_WEIGHT

# The same words (so the same BM25 and the same bag-of-words embedding), in another order:
# only proximity tells them apart. SCATTERED is stored first, so it wins a tie by pk.
SCATTERED = "North of the tower, the keeper replaced a lamp."
PHRASE = "The keeper replaced a north lamp of the tower."
FILLER = [
    f"Harbour note {n}: the ferry sailed at dawn with {n} crates of apples." for n in range(6)
]


def _reference(pairs: list[tuple[str, str]], text: str) -> float:
    """The bonus by its definition: every significant word stemmed, every position compared."""
    if not pairs:
        return 0.0
    positions: dict[str, list[int]] = {}
    for index, word in enumerate(significant_words(text)):
        positions.setdefault(stem(word), []).append(index)
    phrases = windows = 0
    for first, second in pairs:
        before, after = positions.get(first, []), positions.get(second, [])
        if any(abs(i - j) < WINDOW for i in before for j in after):
            windows += 1
            phrases += any(i + 1 == j for i in before for j in after)
    return (PHRASE_WEIGHT * phrases + WINDOW_WEIGHT * windows) / len(pairs)


# --- pure ---


def test_query_pairs_are_consecutive_significant_stems() -> None:
    assert query_pairs("When was the north lamp of the lighthouse replaced?") == [
        ("north", "lamp"),
        ("lamp", "lighthous"),
        ("lighthous", "replac"),
    ]
    assert query_pairs("lamps, lamp and LAMP") == []  # one stem: no pair with itself
    assert query_pairs("the lamp") == []
    assert query_pairs("?!") == []
    assert query_pairs("north lamp north lamp") == [("north", "lamp"), ("lamp", "north")]


def test_query_pairs_are_capped() -> None:
    # Only the first 32 distinct words count, as for the keyword half's terms...
    pairs = query_pairs(" ".join(f"w{i}" for i in range(100)))
    assert len(pairs) == 31 and pairs[-1] == ("w30", "w31")
    # ...and at most 32 pairs of them.
    assert len(query_pairs(" ".join(f"x{i} y{j}" for i in range(8) for j in range(8)))) == 32


@pytest.mark.parametrize(
    ("text", "bonus"),
    [
        ("The north lamp failed.", FULL),  # a phrase
        ("The NORTH lamps failed.", FULL),  # case and stemming
        ("The north lamp of the lamp changer was out.", FULL),  # stop words do not separate
        ("The lamp to the north failed.", WINDOW_WEIGHT),  # reversed: a window, no phrase
        ("North cove. Keeper Agnes saw one lamp.", WINDOW_WEIGHT),  # 4 words apart
        ("North " + "pier " * (WINDOW - 2) + "lamp.", WINDOW_WEIGHT),  # the window's far end
        ("North " + "pier " * (WINDOW - 1) + "lamp.", 0.0),  # one word beyond
        ("The northern lampshade.", 0.0),  # other words, other stems
        ("The north side only.", 0.0),
        ("", 0.0),
    ],
)
def test_bonus_for_one_pair(text: str, bonus: float) -> None:
    assert proximity_bonus(query_pairs("north lamp"), text) == pytest.approx(bonus)


def test_bonus_is_the_share_of_pairs_found() -> None:
    pairs = query_pairs("north lamp replaced")  # (north, lamp), (lamp, replac)
    assert proximity_bonus(pairs, "The north lamp was replaced.") == pytest.approx(FULL)
    assert proximity_bonus(pairs, "The north lamp failed.") == pytest.approx(FULL / 2)
    # (lamp, replac) a phrase, (north, lamp) reversed: a window only.
    assert proximity_bonus(pairs, "The lamp was replaced; north.") == pytest.approx(
        (PHRASE_WEIGHT + 2 * WINDOW_WEIGHT) / 2
    )
    assert proximity_bonus([], "The north lamp was replaced.") == 0.0


_VOCABULARY = """
    north lamp lamps replaced replacing the of was a and touch touching down pipit lander
    landers happy happily hoping hope ies x ab northern 1991 1990s
"""
_WORDS = st.sampled_from(_VOCABULARY.split())
_GLUE = st.sampled_from([" ", "  ", ", ", "-", "'s ", "\n", ". ", "_"])


@given(
    st.lists(_WORDS, min_size=1, max_size=6),
    st.lists(st.tuples(_WORDS, _GLUE), max_size=60),
)
def test_the_fast_reader_agrees_with_the_definition(
    query: list[str], words: list[tuple[str, str]]
) -> None:
    text = "".join(word + glue for word, glue in words)
    pairs = query_pairs(" ".join(query))
    assert proximity_bonus(pairs, text) == pytest.approx(_reference(pairs, text), abs=1e-12)


@given(
    st.dictionaries(st.integers(0, 20), st.floats(0.0, 1.0), max_size=20),
    st.lists(_WORDS, min_size=2, max_size=5),
    st.lists(_WORDS, max_size=30),
)
def test_scores_stay_within_0_and_1_and_never_drop(
    keyword: dict[int, float], query: list[str], words: list[str]
) -> None:
    chunk = " ".join(words)
    raised = with_proximity(keyword, {pk: chunk for pk in keyword}, query_pairs(" ".join(query)))
    assert raised.keys() == keyword.keys()
    for pk, score in keyword.items():
        assert score <= raised[pk] <= 1.0
        assert raised[pk] <= score + FULL * (1.0 - score) + 1e-12
        if score == 0.0:
            assert raised[pk] == 0.0


def test_a_chunk_without_text_keeps_its_score() -> None:
    pairs = query_pairs("north lamp")
    assert with_proximity({1: 0.5, 2: 0.5}, {1: "north lamp"}, pairs) == {
        1: pytest.approx(0.5 + FULL * 0.5),
        2: 0.5,
    }


# --- the rerank step, on both databases ---


@pytest.mark.parametrize("hybrid", [False, True], ids=["keyword", "hybrid"])
async def test_proximity_breaks_a_tie_in_favour_of_the_phrase(store: Store, hybrid: bool) -> None:
    await add_file(store, [SCATTERED, PHRASE, *FILLER])
    retriever = Retriever(store, HashedEmbedder() if hybrid else None)
    query = ["Which north lamp did the keeper replace?"]
    ranked = {}
    for ranker in ("auto", "default-2024-11-15", "none"):
        hits = await retriever.search(
            P, [VS], query, max_num_results=2, ranking=RankingOptions(ranker=ranker)
        )
        ranked[ranker] = [(hit.chunk.text, hit.score) for hit in hits]
    # `none`: the same words score the same; the tie goes to the first stored.
    (first, none_first), (second, none_second) = ranked["none"]
    assert (first, second) == (SCATTERED, PHRASE)
    assert none_first == pytest.approx(none_second)
    for ranker in ("auto", "default-2024-11-15"):
        (first, phrase), (second, scattered) = ranked[ranker]
        assert (first, second) == (PHRASE, SCATTERED)
        assert 0 < scattered < phrase <= 1
        assert scattered >= none_first  # a window (4 words apart) adds a little, never less
    await retriever.close()


@pytest.mark.parametrize("hybrid", [False, True], ids=["keyword", "hybrid"])
async def test_none_keeps_first_stage_scores(store: Store, hybrid: bool) -> None:
    """`none` scores are the plain BM25 fractions (or their fusion); with one significant
    word there is no pair, so the rerankers' scores are the same too."""
    await add_file(store, [SCATTERED, PHRASE, *FILLER])
    retriever = Retriever(store, HashedEmbedder() if hybrid else None)

    async def scores(query: str, ranker: str) -> dict[str, float]:
        hits = await retriever.search(
            P, [VS], [query], max_num_results=10, ranking=RankingOptions(ranker=ranker)
        )
        return {hit.chunk.text: hit.score for hit in hits}

    assert await scores("lamp", "auto") == pytest.approx(await scores("lamp", "none"))
    auto, none = await scores("north lamp", "auto"), await scores("north lamp", "none")
    assert auto.keys() == none.keys()
    assert auto[PHRASE] > none[PHRASE]
    assert all(auto[text] >= none[text] for text in none)
    await retriever.close()


@pytest.mark.parametrize("ranker", ["auto", "none"])
async def test_scores_stay_within_0_and_1(store: Store, ranker: str) -> None:
    """A chunk that is the query itself, several times over, scores highest, at most 1."""
    query = "north lamp keeper tower replaced"
    await add_file(store, [f"{query}. {query}. {query}.", SCATTERED, PHRASE, *FILLER])
    for embedder in (None, HashedEmbedder()):
        retriever = Retriever(store, embedder)
        hits = await retriever.search(
            P, [VS], [query], max_num_results=10, ranking=RankingOptions(ranker=ranker)
        )
        assert texts(hits)[0].startswith(query)
        assert all(0 < hit.score <= 1 for hit in hits)
        await retriever.close()
