"""The `vector_store` object (openai `types/vector_store.py`, `vector_store_deleted.py`)."""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import Field

from core.objects.shared import DeletedObject, Metadata, WireModel

__all__ = [
    "ExpiresAfter",
    "FileCounts",
    "VectorStore",
    "VectorStoreDeleted",
    "VectorStoreStatus",
]

VectorStoreStatus: TypeAlias = Literal["expired", "in_progress", "completed"]
"""`in_progress` while any file ingests, `completed` when ready, `expired` past `expires_at`."""


class FileCounts(WireModel):
    """Files of a vector store (or batch) by status."""

    in_progress: int = 0
    """Files being processed."""

    completed: int = 0
    """Files processed successfully."""

    failed: int = 0
    """Files that failed to process."""

    cancelled: int = 0
    """Files that were cancelled."""

    total: int = 0
    """All files."""


class ExpiresAfter(WireModel):
    """The expiration policy of a vector store."""

    anchor: Literal["last_active_at"] = "last_active_at"
    """The anchor timestamp; always `last_active_at`."""

    days: int
    """Days after the anchor when the store expires (1..365)."""


class VectorStore(WireModel):
    """A collection of processed files searched by file_search."""

    id: str
    """The identifier (`vs_...`)."""

    object: Literal["vector_store"] = "vector_store"
    """Always `vector_store`."""

    created_at: int
    """Unix timestamp (seconds) of creation."""

    name: str
    """The name of the vector store."""

    usage_bytes: int = 0
    """Bytes used by parsed chunks and embeddings (not the raw file size)."""

    file_counts: FileCounts = Field(default_factory=FileCounts)
    """Files of the store by status."""

    status: VectorStoreStatus
    """`expired`, `in_progress` or `completed`."""

    expires_after: ExpiresAfter | None = None
    """The expiration policy."""

    expires_at: int | None = None
    """Unix timestamp (seconds) when the store expires."""

    last_active_at: int | None = None
    """Unix timestamp (seconds) when a run last used the store."""

    metadata: Metadata = Field(default_factory=dict)
    """Up to 16 key-value pairs attached to the object."""


class VectorStoreDeleted(DeletedObject):
    """Response of `DELETE /vector_stores/{vector_store_id}`."""

    object: Literal["vector_store.deleted"] = "vector_store.deleted"
    """Always `vector_store.deleted`."""
