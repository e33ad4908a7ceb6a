"""The `vector_store.files_batch` object (openai `vector_stores/vector_store_file_batch.py`)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from core.objects.shared import WireModel
from core.objects.vector_store import FileCounts
from core.objects.vector_store_file import VectorStoreFileStatus

__all__ = ["FileCounts", "VectorStoreFileBatch"]


class VectorStoreFileBatch(WireModel):
    """A batch of files attached to a vector store together."""

    id: str
    """The identifier (`vsfb_...`)."""

    # Sic: `files_batch`, not `file_batch` (the SDK's docstring says the latter; its type wins).
    object: Literal["vector_store.files_batch"] = "vector_store.files_batch"
    """Always `vector_store.files_batch`."""

    created_at: int
    """Unix timestamp (seconds) of creation."""

    vector_store_id: str
    """The vector store the files are attached to."""

    status: VectorStoreFileStatus
    """`in_progress`, `completed`, `cancelled` or `failed`."""

    file_counts: FileCounts = Field(default_factory=FileCounts)
    """Files of the batch by status; SDK pollers wait for `in_progress == 0`."""
