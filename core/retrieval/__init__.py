"""The retrieval engine behind file_search and `POST /vector_stores/{id}/search` (SPEC §7).

A search ranks the chunks of the requested vector stores' `completed` files (files still being
ingested are never searched half-written), narrowed first by the attribute `filters`:

1. Keyword half (`keyword.py`): the query's significant words, joined by OR, ranked by BM25
   (SQLite FTS5 `bm25()`; on PostgreSQL the same formula over the GIN-indexed `to_tsvector`).
2. Vector half (`vector*.py`): exact cosine distance between the query's embedding (one
   embeddings call per search, for all its queries) and the chunks' (pgvector on PostgreSQL;
   sqlite-vec on SQLite, queried in a small worker process: `vector_sqlite.py` says why).
3. Fusion (`fusion.py`): each half's top `max(50, 4 * max_num_results)` candidates get absolute
   0..1 scores (keyword: BM25 over the highest BM25 the query can reach, see `bm25.py`; vector:
   `1 - cosine distance`), blended as a mean weighted by `text_weight` and `embedding_weight`.
4. Ranker: `auto`, `default_2024_08_21` and `default-2024-11-15` rerank: every candidate either
   half found is scored on BOTH halves (a second, pk-restricted query per half), so a chunk that
   missed one list's cut still gets its real score there; then each candidate's keyword score
   gets a proximity bonus (`proximity.py`, computed on the candidates' text) when it holds the
   query's consecutive words as a phrase or close together, raising the score k by at most
   `0.15 * (1 - k)`, so it stays within 0..1. `none` skips that step: first-stage scores only,
   and a candidate missing from a full list counts 0 for that half, so chunks found by both
   halves are favoured.
5. Several queries run separately and merge, each chunk keeping its best score; then
   `score_threshold` drops hits below it (and hits scoring 0, which share nothing with any
   query), and the best `max_num_results` are returned, one hit per chunk, ties by chunk pk.

Without an embeddings model (`RUNWRIGHT_EMBEDDING_MODEL` or `RUNWRIGHT_MODEL_BASE_URL` unset, so
`embedder_from_settings` gives None and the caller builds `Retriever(store, None)`), or on
a database that cannot search vectors (PostgreSQL without pgvector, an in-memory SQLite), search
is keyword-only: the same BM25 half and its normalised score, which the rankers but `none`
raise by the proximity bonus. Chunks ingested without embeddings are ranked by keywords alone
in hybrid mode too.
"""

from core.retrieval.filters import (
    AttributeFilter,
    ComparisonFilter,
    CompoundFilter,
    parse_filters,
)
from core.retrieval.retriever import Retriever
from core.retrieval.types import RankingOptions, RetrievalMode, SearchHit

__all__ = [
    "AttributeFilter",
    "ComparisonFilter",
    "CompoundFilter",
    "RankingOptions",
    "RetrievalMode",
    "Retriever",
    "SearchHit",
    "parse_filters",
]
