"""A file_search call in a run step (openai `.../runs/file_search_tool_call.py`).

The SDK names the nested classes `FileSearch`, `FileSearchRankingOptions`, ...; here they carry a
`FileSearchToolCall`/`FileSearchResult` prefix so they can't be confused with the tool's own
`core.objects.assistant_tool.FileSearch*` (whose `ranker` is optional).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.objects.shared import WireModel

__all__ = [
    "FileSearchResult",
    "FileSearchResultContent",
    "FileSearchToolCall",
    "FileSearchToolCallFileSearch",
    "FileSearchToolCallRankingOptions",
]


class FileSearchToolCallRankingOptions(WireModel):
    """The ranking options the search used."""

    ranker: Literal["auto", "default_2024_08_21"]
    """The ranker used."""

    score_threshold: float
    """Results scoring below this threshold (0..1) were dropped."""


class FileSearchResultContent(WireModel):
    """A chunk of text from a result."""

    type: Literal["text"] = "text"
    """Always `text`."""

    text: str
    """The chunk's text."""


class FileSearchResult(WireModel):
    """One search hit."""

    file_id: str
    """The file the hit was found in."""

    file_name: str
    """The name of that file."""

    score: float
    """Relevance score, 0..1."""

    content: list[FileSearchResultContent] | None = None
    """The matching chunks; present only when the request asked for them through `include[]`."""


class FileSearchToolCallFileSearch(WireModel):
    """What the search used and found."""

    ranking_options: FileSearchToolCallRankingOptions | None = None
    """The ranking options used."""

    results: list[FileSearchResult] | None = None
    """The hits, best first."""


class FileSearchToolCall(WireModel):
    """A call of the file_search tool."""

    id: str
    """The tool call id."""

    type: Literal["file_search"] = "file_search"
    """Always `file_search`."""

    file_search: FileSearchToolCallFileSearch = Field(default_factory=FileSearchToolCallFileSearch)
    """What the search used and found."""
