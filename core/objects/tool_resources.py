"""`tool_resources` as returned on assistants and threads (ids only, no `vector_stores` helper)."""

from __future__ import annotations

from pydantic import Field

from core.objects.shared import WireModel

__all__ = ["ToolResources", "ToolResourcesCodeInterpreter", "ToolResourcesFileSearch"]


class ToolResourcesCodeInterpreter(WireModel):
    """Files available to the code_interpreter tool."""

    file_ids: list[str] = Field(default_factory=list)
    """File ids made available to code_interpreter (at most 20)."""


class ToolResourcesFileSearch(WireModel):
    """Vector stores searched by the file_search tool."""

    vector_store_ids: list[str] = Field(default_factory=list)
    """Vector store ids attached to the assistant or thread (at most 1)."""


class ToolResources(WireModel):
    """Resources used by the tools, per tool type."""

    code_interpreter: ToolResourcesCodeInterpreter | None = None
    """Resources of the code_interpreter tool."""

    file_search: ToolResourcesFileSearch | None = None
    """Resources of the file_search tool."""
