"""`Retriever`: one search over vector stores, from query texts to ranked `SearchHit`s."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from core.errors import InvalidRequestError
from core.retrieval.filters import parse_filters
from core.retrieval.fusion import Candidates, best_of, fuse, top, vector_score
from core.retrieval.hits import chunk_texts, load_hits
from core.retrieval.keyword import keyword_index
from core.retrieval.proximity import query_pairs, with_proximity
from core.retrieval.scope import Scope, resolve_scope
from core.retrieval.terms import query_terms
from core.retrieval.types import RankingOptions, RetrievalMode, SearchHit
from core.retrieval.vector import vector_index
from core.store.store import Store

if TYPE_CHECKING:
    # Typing only: the API process searches too, and need not import the providers (openai).
    from core.providers.embeddings import Embedder

__all__ = ["MIN_CANDIDATES", "Retriever"]

MIN_CANDIDATES = 50
"""Candidates taken from each half per query: max(50, 4 * max_num_results)."""


class Retriever:
    """Hybrid (keyword + vector) search, or keyword-only without an embedder or vector support.

    Safe to share between concurrent searches. `close()` releases its own database connection;
    the store and the embedder belong to the caller.
    """

    def __init__(self, store: Store, embedder: Embedder | None) -> None:
        self._store = store
        self._embedder = embedder
        self._keyword = keyword_index(store.engine)
        self._vector = vector_index(store) if embedder is not None else None

    @property
    def mode(self) -> RetrievalMode:
        """`keyword` without an embedder or where the database cannot search vectors.

        On PostgreSQL the pgvector column is probed by the first search; until then `hybrid`
        is assumed for a configured embedder.
        """
        return "hybrid" if self._vector is not None and self._vector.available else "keyword"

    async def search(
        self,
        project_id: str,
        vector_store_ids: Sequence[str],
        queries: Sequence[str],
        *,
        max_num_results: int,
        ranking: RankingOptions = RankingOptions(),  # noqa: B008 (frozen, so shareable)
        filters: Mapping[str, Any] | None = None,
    ) -> list[SearchHit]:
        """The best chunks for any of `queries`, best first, at most `max_num_results`.

        Raises:
            InvalidRequestError: bad `filters`, ranking options or `max_num_results`.
        """
        ranking.validate()
        if max_num_results < 1:
            raise InvalidRequestError(
                "max_num_results must be at least 1.", param="max_num_results"
            )
        attribute_filter = parse_filters(filters)
        texts = [q for q in dict.fromkeys(queries) if q.strip()]
        if not texts:
            return []
        scope = await resolve_scope(
            self._store.engine, project_id, vector_store_ids, attribute_filter
        )
        if scope is None:
            return []
        limit = max(MIN_CANDIDATES, 4 * max_num_results)
        vectors = await self._embed(texts, ranking)
        per_query = await asyncio.gather(
            *(
                self._score(scope, text, vector, limit, ranking)
                for text, vector in zip(texts, vectors, strict=True)
            )
        )
        ranked = top(best_of(per_query), ranking.score_threshold, max_num_results)
        return await load_hits(self._store, project_id, ranked)

    async def close(self) -> None:
        """Close the retriever's own connection (SQLite vectors); the store stays open."""
        if self._vector is not None:
            await self._vector.close()

    async def _embed(
        self, texts: list[str], ranking: RankingOptions
    ) -> list[list[float]] | list[None]:
        """One embedding per query (one call), or None each when vectors are not used."""
        no_vectors: list[None] = [None] * len(texts)
        if self._embedder is None or self._vector is None or ranking.embedding_weight == 0:
            return no_vectors
        if not await self._vector.ready():
            return no_vectors
        return await self._embedder.embed(texts)

    async def _score(
        self,
        scope: Scope,
        text: str,
        vector: list[float] | None,
        limit: int,
        ranking: RankingOptions,
    ) -> dict[int, float]:
        """One query's candidates with their final scores."""
        if vector is None or self._vector is None:
            # Keyword-only: the hybrid weights have nothing to weigh.
            found = (await self._keyword.search(scope, query_terms(text), limit)).normalised()
            return await self._proximity(found, scope, text) if ranking.reranks else found
        terms = query_terms(text) if ranking.text_weight > 0 else []
        keyword, nearest = await asyncio.gather(
            self._keyword.search(scope, terms, limit),
            self._vector.search(scope, vector, limit),
        )
        candidates = Candidates(
            keyword=keyword.normalised(),
            vector={pk: vector_score(d) for pk, d in nearest},
        )
        # A list shorter than `limit` holds every chunk its half can score: nothing to complete.
        keyword_full, vector_full = len(keyword.scores) == limit, len(nearest) == limit
        if ranking.reranks:
            await self._complete(candidates, scope, terms, vector, keyword_full, vector_full)
            candidates.keyword = await self._proximity(candidates.keyword, scope, text)
        if ranking.reranks or not vector_full:
            candidates.without_vector = candidates.keyword.keys() - candidates.vector.keys()
        return fuse(candidates, ranking)

    async def _proximity(
        self, keyword: dict[int, float], scope: Scope, text: str
    ) -> dict[int, float]:
        """The rerank step's keyword scores: each raised by its chunk's proximity bonus."""
        pairs = query_pairs(text)
        if not pairs or not keyword:
            return keyword
        matched = sorted(pk for pk, score in keyword.items() if score > 0)
        texts = await chunk_texts(self._store.engine, scope.project_id, matched)
        return with_proximity(keyword, texts, pairs)

    async def _complete(
        self,
        candidates: Candidates,
        scope: Scope,
        terms: list[str],
        vector: list[float],
        keyword_full: bool,
        vector_full: bool,
    ) -> None:
        """The rerank step: score each candidate on the half whose list left it out."""
        need_vector = sorted(candidates.keyword.keys() - candidates.vector.keys())
        need_keyword = sorted(candidates.vector.keys() - candidates.keyword.keys())
        if need_vector and vector_full and self._vector is not None:
            nearest = await self._vector.search(scope, vector, len(need_vector), need_vector)
            candidates.vector.update((pk, vector_score(d)) for pk, d in nearest)
        if need_keyword and keyword_full:
            keyword = await self._keyword.search(scope, terms, len(need_keyword), need_keyword)
            candidates.keyword.update(keyword.normalised())
