"""The `thread` object (openai `types/beta/thread.py`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.objects.shared import DeletedObject, Metadata, WireModel
from core.objects.tool_resources import ToolResources

__all__ = ["Thread", "ThreadDeleted"]


class Thread(WireModel):
    """A conversation: an ordered list of messages that runs read and append to."""

    id: str
    """The identifier (`thread_...`)."""

    object: Literal["thread"] = "thread"
    """Always `thread`."""

    created_at: int
    """Unix timestamp (seconds) of creation."""

    tool_resources: ToolResources | None = None
    """Thread-scoped resources of the tools, in scope for every run on the thread."""

    metadata: Metadata = Field(default_factory=dict)
    """Up to 16 key-value pairs attached to the object."""


class ThreadDeleted(DeletedObject):
    """Response of `DELETE /threads/{thread_id}`."""

    object: Literal["thread.deleted"] = "thread.deleted"
    """Always `thread.deleted`."""
