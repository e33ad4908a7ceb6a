"""The two vector-store responses that are pages without cursors (openai
`vector_stores/file_content_response.py`, `vector_store_search_response.py`).

They live beside the service rather than in `core/objects/` only because that package had other
owners while these were written; they are wire objects like any other.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.objects.shared import WireModel
from core.objects.vector_store_file import VectorStoreFileAttributes

__all__ = ["FileContent", "FileContentPage", "SearchResult", "SearchResultsPage"]


class FileContent(WireModel):
    """A piece of a file's parsed text."""

    type: Literal["text"] = "text"
    """Always `text`."""

    text: str
    """The text."""


class FileContentPage(WireModel):
    """Response of `GET /vector_stores/{id}/files/{file_id}/content`."""

    object: Literal["vector_store.file_content.page"] = "vector_store.file_content.page"
    """Always `vector_store.file_content.page`."""

    data: list[FileContent] = Field(default_factory=list)
    """The file's parsed text (one entry; none before ingestion completed)."""

    has_more: bool = False
    """Always false: the whole text is in `data`."""

    next_page: str | None = None
    """Always null."""


class SearchResult(WireModel):
    """One chunk found by a vector-store search."""

    file_id: str
    """The vector-store file the chunk belongs to."""

    filename: str
    """The file's name."""

    score: float
    """The chunk's relevance score (higher is better)."""

    attributes: VectorStoreFileAttributes | None = None
    """The file's attributes."""

    content: list[FileContent]
    """The chunk's text."""


class SearchResultsPage(WireModel):
    """Response of `POST /vector_stores/{id}/search`."""

    object: Literal["vector_store.search_results.page"] = "vector_store.search_results.page"
    """Always `vector_store.search_results.page`."""

    search_query: list[str]
    """The queries searched (as given: queries are never rewritten)."""

    data: list[SearchResult]
    """The chunks found, best first."""

    has_more: bool = False
    """Always false: `max_num_results` bounds the results."""

    next_page: str | None = None
    """Always null."""
