"""Hybrid fusion of the two halves' 0..1 scores, the merge of several queries, the final cut.

Pure functions, no I/O. Every score is absolute (it does not depend on the other candidates), so
`score_threshold` means the same thing for every query and a weak best match stays weak:
- keyword: BM25 as a fraction of the query's BM25 ceiling (`bm25.py`), raised by the
  query-term proximity bonus when the ranker reranks (`proximity.py`);
- vector: cosine similarity `1 - distance`, clamped to 0..1 (opposite directions score 0);
- hybrid: the weighted mean `(text_weight * keyword + embedding_weight * vector) / (sum of
  weights)`. A chunk known to have no usable embedding is scored on keywords alone rather than
  halved for a signal it cannot have.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.retrieval.types import RankingOptions

__all__ = ["Candidates", "best_of", "fuse", "top", "vector_score"]


def vector_score(distance: float) -> float:
    """A cosine distance (0..2) as a similarity in 0..1."""
    if math.isnan(distance):
        return 0.0
    return min(1.0, max(0.0, 1.0 - distance))


@dataclass
class Candidates:
    """One query's candidates with their normalised scores per half."""

    keyword: dict[int, float] = field(default_factory=dict)
    vector: dict[int, float] = field(default_factory=dict)
    without_vector: set[int] = field(default_factory=set)
    """Chunks known to have no embedding comparable with the query's."""


def fuse(candidates: Candidates, ranking: RankingOptions) -> dict[int, float]:
    """Each candidate's hybrid score (a chunk missing from a half's list counts 0 there)."""
    text, embedding = ranking.text_weight, ranking.embedding_weight
    scores: dict[int, float] = {}
    for pk in candidates.keyword.keys() | candidates.vector.keys():
        keyword = candidates.keyword.get(pk, 0.0)
        if pk in candidates.without_vector:
            scores[pk] = keyword
            continue
        vector = candidates.vector.get(pk, 0.0)
        scores[pk] = (text * keyword + embedding * vector) / (text + embedding)
    return scores


def best_of(per_query: Iterable[Mapping[int, float]]) -> dict[int, float]:
    """Several queries' scores merged: each chunk keeps its best."""
    best: dict[int, float] = {}
    for scores in per_query:
        for pk, score in scores.items():
            if score > best.get(pk, -1.0):
                best[pk] = score
    return best


def top(scores: Mapping[int, float], threshold: float, limit: int) -> list[tuple[int, float]]:
    """The `limit` best `(pk, score)` scoring at least `threshold` and above 0 (a chunk sharing
    nothing with the query is no hit); ties broken by pk, so the order is deterministic."""
    kept = [(pk, score) for pk, score in scores.items() if score >= threshold and score > 0]
    kept.sort(key=lambda item: (-item[1], item[0]))
    return kept[:limit]
