"""Query terms, BM25 normalisation and fusion: the pure parts of ranking."""

from __future__ import annotations

import math

import pytest

from core.retrieval.bm25 import BM25_K1, KeywordHits, bm25_ceiling, idf
from core.retrieval.fusion import Candidates, best_of, fuse, top, vector_score
from core.retrieval.terms import MAX_TERMS, fts5_match, query_terms, tsquery_text
from core.retrieval.types import RankingOptions


def test_terms_are_the_distinct_significant_words() -> None:
    terms = query_terms('What did the "Keeper" say about the keeper\'s NEAR-miss (lamp*)?')
    assert terms == ["keeper", "say", "near", "miss", "lamp"]
    assert fts5_match(terms) == '"keeper" OR "say" OR "near" OR "miss" OR "lamp"'
    assert tsquery_text(terms) == "keeper | say | near | miss | lamp"


def test_terms_are_capped() -> None:
    assert len(query_terms(" ".join(f"w{i}" for i in range(100)))) == MAX_TERMS


def test_the_keyword_ceiling_bounds_every_bm25() -> None:
    total, frequencies = 100.0, [3.0, 60.0, 0.0]
    ceiling = bm25_ceiling(total, frequencies)
    assert ceiling == pytest.approx((BM25_K1 + 1) * (math.log(97.5 / 3.5) + 1e-6))
    assert idf(total, 60.0) == 1e-6  # in over half the chunks: floored, as FTS5 does
    hits = KeywordHits([(1, ceiling * 0.9), (2, ceiling * 0.1)], ceiling)
    assert hits.normalised() == pytest.approx({1: 0.9, 2: 0.1})


def test_vector_scores_are_clamped_similarities() -> None:
    assert [vector_score(d) for d in (0.0, 0.25, 1.0, 1.7, math.nan)] == [1.0, 0.75, 0.0, 0.0, 0.0]


def test_fusion_is_a_weighted_mean_except_without_a_vector() -> None:
    candidates = Candidates(
        keyword={1: 0.8, 2: 0.4, 3: 0.6}, vector={1: 0.2, 4: 0.9}, without_vector={3}
    )
    fused = fuse(candidates, RankingOptions(embedding_weight=3.0, text_weight=1.0))
    assert fused == pytest.approx({1: 0.35, 2: 0.1, 3: 0.6, 4: 0.675})


def test_queries_merge_by_best_score_and_the_cut_is_deterministic() -> None:
    merged = best_of([{1: 0.5, 2: 0.2}, {1: 0.3, 3: 0.5, 4: 0.0}])
    assert merged == {1: 0.5, 2: 0.2, 3: 0.5, 4: 0.0}
    assert top(merged, 0.0, 10) == [(1, 0.5), (3, 0.5), (2, 0.2)]
    assert top(merged, 0.3, 10) == [(1, 0.5), (3, 0.5)]
    assert top(merged, 0.0, 1) == [(1, 0.5)]
