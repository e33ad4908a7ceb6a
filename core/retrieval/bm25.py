"""BM25 as both keyword backends compute it, and its normalisation to 0..1.

Both backends score a chunk with BM25 (k1 = 1.2, b = 0.75, FTS5's formula, whose IDF
`ln((N - n + 0.5) / (n + 0.5))` is floored at 1e-6 for terms in over half the chunks) for the
query's terms joined by OR (`core.retrieval.terms`). See `keyword_sqlite.py` and
`keyword_postgres.py` for where N and n are counted.

Normalisation: a chunk's keyword score is its BM25 divided by the highest BM25 the query can
reach, `(k1 + 1) * sum(IDF of each query term found in the index)` (every term present, at
saturating frequency). That is 0 for no match and below 1 for any real chunk, keeps BM25's
order, and reads the same on a small store, where the query's words are common, as on a large
one: the fraction of the query's (rarity-weighted) evidence the chunk carries. Terms found in no
chunk are left out of the ceiling, so a typo does not lower every score.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["BM25_B", "BM25_K1", "KeywordHits", "bm25_ceiling", "idf"]

BM25_K1 = 1.2
BM25_B = 0.75
_MIN_IDF = 1e-6


@dataclass(frozen=True)
class KeywordHits:
    """One keyword search's chunks, best first, with the query's BM25 ceiling."""

    scores: list[tuple[int, float]]
    """`(chunk pk, BM25)`."""
    ceiling: float
    """The highest BM25 this query can reach (see the module docstring)."""

    def normalised(self) -> dict[int, float]:
        """Each chunk's BM25 as a fraction of the ceiling, in 0..1."""
        if self.ceiling <= 0:
            return {}
        return {pk: min(1.0, max(0.0, s / self.ceiling)) for pk, s in self.scores}


def idf(total: float, containing: float) -> float:
    """FTS5's BM25 IDF for a term in `containing` of `total` chunks."""
    return max(_MIN_IDF, math.log((total - containing + 0.5) / (containing + 0.5)))


def bm25_ceiling(total: float, document_frequencies: Sequence[float]) -> float:
    """`(k1 + 1) * sum(IDF)` over the terms found in at least one chunk."""
    return (BM25_K1 + 1) * sum(idf(total, n) for n in document_frequencies if n > 0)
