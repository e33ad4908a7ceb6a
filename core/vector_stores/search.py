"""`POST /vector_stores/{id}/search` (SPEC §2.7): the retriever's hits as a search results page.

Queries are searched as given: `rewrite_query` is accepted but no model rewrites them, so
`search_query` echoes the request's queries.
"""

from __future__ import annotations

from core.objects.params_vector_stores import VectorStoreSearchParams
from core.retrieval import RankingOptions, Retriever, SearchHit
from core.vector_stores.pages import FileContent, SearchResult, SearchResultsPage
from core.vector_stores.service import VectorStoreService

__all__ = ["search"]


async def search(
    service: VectorStoreService,
    retriever: Retriever,
    project_id: str,
    vector_store_id: str,
    params: VectorStoreSearchParams,
) -> SearchResultsPage:
    """The best chunks of the store's completed files for the request's queries (404 first)."""
    await service.get(project_id, vector_store_id)
    options = params.ranking_options
    ranking = (
        RankingOptions(ranker=options.ranker, score_threshold=options.score_threshold)
        if options
        else RankingOptions()
    )
    queries = params.queries()
    hits = await retriever.search(
        project_id, [vector_store_id], queries, max_num_results=params.max_num_results,
        ranking=ranking, filters=params.filters,
    )  # fmt: skip
    return SearchResultsPage(search_query=queries, data=[_result(hit) for hit in hits])


def _result(hit: SearchHit) -> SearchResult:
    return SearchResult(
        file_id=hit.file_id,
        filename=hit.filename,
        score=hit.score,
        attributes=hit.attributes,
        content=[FileContent(text=hit.chunk.text)],
    )
