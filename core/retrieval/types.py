"""The retrieval engine's value types: ranking options in, search hits out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from core.errors import InvalidRequestError
from core.store.chunks import StoredChunk

__all__ = ["RANKERS", "AttributeValue", "RankingOptions", "RetrievalMode", "SearchHit"]

RetrievalMode: TypeAlias = Literal["hybrid", "keyword"]
"""`hybrid`: keyword and vector search fused; `keyword`: BM25 only (no embeddings)."""

AttributeValue: TypeAlias = str | float | bool
"""A vector-store file attribute's value (`VectorStoreFileAttributes`)."""

RANKERS = frozenset({"auto", "default_2024_08_21", "default-2024-11-15", "none"})
"""Every ranker name accepted (SPEC §7 and the SDK's two spellings of the dated ranker)."""


@dataclass(frozen=True)
class RankingOptions:
    """`ranking_options` of a file_search tool or a vector-store search (SPEC §7)."""

    ranker: str = "auto"
    """`auto` and the dated rankers rerank the candidates (both halves scored for each, plus the
    query-term proximity bonus); `none` keeps first-stage scores."""

    score_threshold: float = 0.0
    """0..1: hits scoring below it are dropped."""

    embedding_weight: float = 1.0
    """Weight of the vector score in hybrid fusion (`hybrid_search.embedding_weight`)."""

    text_weight: float = 1.0
    """Weight of the keyword score in hybrid fusion (`hybrid_search.text_weight`)."""

    @property
    def reranks(self) -> bool:
        """Whether the candidates are rescored (every ranker but `none`)."""
        return self.ranker != "none"

    def validate(self) -> None:
        """Raise `InvalidRequestError` on options the API would have refused."""
        if self.ranker not in RANKERS:
            raise InvalidRequestError(
                f"Invalid ranker '{self.ranker}': expected one of {', '.join(sorted(RANKERS))}.",
                param="ranking_options.ranker",
            )
        if not 0.0 <= self.score_threshold <= 1.0:
            raise InvalidRequestError(
                "score_threshold must be between 0 and 1.", param="ranking_options.score_threshold"
            )
        weights = (self.embedding_weight, self.text_weight)
        if min(weights) < 0 or max(weights) <= 0:
            raise InvalidRequestError(
                "embedding_weight and text_weight must not be negative, and one must be positive.",
                param="ranking_options.hybrid_search",
            )


@dataclass(frozen=True)
class SearchHit:
    """One retrieved chunk with its file's name and attributes."""

    file_id: str
    filename: str
    score: float
    """0..1, higher is better (see `core.retrieval` for how it is computed)."""
    attributes: dict[str, AttributeValue] | None
    chunk: StoredChunk
