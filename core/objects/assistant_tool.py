"""Tools an assistant or run can use (openai `types/beta/assistant_tool.py` and friends)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field

from core.objects.shared import WireModel

__all__ = [
    "AssistantTool",
    "CodeInterpreterTool",
    "FileSearch",
    "FileSearchRankingOptions",
    "FileSearchTool",
    "FunctionDefinition",
    "FunctionTool",
]


class CodeInterpreterTool(WireModel):
    """The `code_interpreter` tool."""

    type: Literal["code_interpreter"] = "code_interpreter"
    """The type of tool being defined: `code_interpreter`."""


class FileSearchRankingOptions(WireModel):
    """How file_search ranks and filters chunks."""

    score_threshold: float
    """Chunks scoring below this threshold (0..1) are dropped."""

    ranker: Literal["auto", "default_2024_08_21"] | None = None
    """The ranker to use; `auto` (the latest) when null."""


class FileSearch(WireModel):
    """Overrides for the file_search tool."""

    max_num_results: int | None = None
    """Maximum number of results (1..50); model-dependent default when null."""

    ranking_options: FileSearchRankingOptions | None = None
    """Ranking options; `auto` ranker with score_threshold 0 when null."""


class FileSearchTool(WireModel):
    """The `file_search` tool."""

    type: Literal["file_search"] = "file_search"
    """The type of tool being defined: `file_search`."""

    file_search: FileSearch | None = None
    """Overrides for the file_search tool."""


class FunctionDefinition(WireModel):
    """A function the model may call; the caller runs it and submits the output."""

    name: str
    """Function name: a-z, A-Z, 0-9, underscores and dashes, at most 64 characters."""

    description: str | None = None
    """What the function does, used by the model to decide when and how to call it."""

    parameters: dict[str, Any] | None = None
    """JSON Schema object of the arguments; null means the function takes no arguments."""

    strict: bool | None = None
    """Whether the model must follow `parameters` exactly (Structured Outputs)."""


class FunctionTool(WireModel):
    """The `function` tool."""

    type: Literal["function"] = "function"
    """The type of tool being defined: `function`."""

    function: FunctionDefinition
    """The function definition."""


AssistantTool: TypeAlias = Annotated[
    CodeInterpreterTool | FileSearchTool | FunctionTool, Field(discriminator="type")
]
"""One tool of an assistant or run, discriminated on `type`."""
