"""The `assistant` object (openai `types/beta/assistant.py`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.objects.assistant_tool import AssistantTool
from core.objects.response_format import AssistantResponseFormatOption
from core.objects.shared import DeletedObject, Metadata, WireModel
from core.objects.tool_resources import ToolResources

__all__ = ["Assistant", "AssistantDeleted"]


class Assistant(WireModel):
    """An assistant: a model, instructions and tools that runs execute with."""

    id: str
    """The identifier (`asst_...`)."""

    object: Literal["assistant"] = "assistant"
    """Always `assistant`."""

    created_at: int
    """Unix timestamp (seconds) of creation."""

    name: str | None = None
    """The name of the assistant (at most 256 characters)."""

    description: str | None = None
    """The description of the assistant (at most 512 characters)."""

    model: str
    """The model the assistant uses."""

    instructions: str | None = None
    """The system instructions (at most 256,000 characters)."""

    tools: list[AssistantTool] = Field(default_factory=list)
    """Tools enabled on the assistant (at most 128)."""

    tool_resources: ToolResources | None = None
    """Resources used by the tools: code_interpreter file ids, file_search vector store ids."""

    metadata: Metadata = Field(default_factory=dict)
    """Up to 16 key-value pairs attached to the object."""

    temperature: float | None = 1.0
    """Sampling temperature, 0..2."""

    top_p: float | None = 1.0
    """Nucleus sampling mass, 0..1."""

    response_format: AssistantResponseFormatOption | None = "auto"
    """The format the model must output."""


class AssistantDeleted(DeletedObject):
    """Response of `DELETE /assistants/{assistant_id}`."""

    object: Literal["assistant.deleted"] = "assistant.deleted"
    """Always `assistant.deleted`."""
