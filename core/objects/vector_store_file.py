"""The `vector_store.file` object (openai `types/vector_stores/vector_store_file.py`)."""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

from pydantic import Field

from core.objects.shared import DeletedObject, WireModel

__all__ = [
    "ChunkingStrategy",
    "OtherFileChunkingStrategyObject",
    "StaticFileChunkingStrategy",
    "StaticFileChunkingStrategyObject",
    "VectorStoreFile",
    "VectorStoreFileAttributes",
    "VectorStoreFileDeleted",
    "VectorStoreFileLastError",
    "VectorStoreFileStatus",
]

VectorStoreFileStatus: TypeAlias = Literal["in_progress", "completed", "cancelled", "failed"]
"""Ingestion status of a vector store file (also used by file batches)."""

VectorStoreFileAttributes: TypeAlias = dict[str, str | float | bool]
"""Up to 16 pairs; values are strings (<= 512 chars), numbers or booleans."""


class StaticFileChunkingStrategy(WireModel):
    """Fixed-size chunking parameters."""

    max_chunk_size_tokens: int = 800
    """Maximum tokens per chunk (100..4096)."""

    chunk_overlap_tokens: int = 400
    """Tokens shared by consecutive chunks (at most half of `max_chunk_size_tokens`)."""


class StaticFileChunkingStrategyObject(WireModel):
    """Static chunking; `auto` is reported as static 800/400."""

    type: Literal["static"] = "static"
    """Always `static`."""

    static: StaticFileChunkingStrategy = Field(default_factory=StaticFileChunkingStrategy)
    """The chunking parameters."""


class OtherFileChunkingStrategyObject(WireModel):
    """Unknown chunking, for files indexed before chunking strategies existed."""

    type: Literal["other"] = "other"
    """Always `other`."""


ChunkingStrategy: TypeAlias = Annotated[
    StaticFileChunkingStrategyObject | OtherFileChunkingStrategyObject,
    Field(discriminator="type"),
]
"""How a file was chunked, discriminated on `type`."""


class VectorStoreFileLastError(WireModel):
    """Why ingesting the file failed."""

    code: Literal["server_error", "unsupported_file", "invalid_file"]
    """One of `server_error`, `unsupported_file` or `invalid_file`."""

    message: str
    """A human-readable description of the error."""


class VectorStoreFile(WireModel):
    """A File attached to a vector store."""

    id: str
    """The identifier, equal to the File's id."""

    object: Literal["vector_store.file"] = "vector_store.file"
    """Always `vector_store.file`."""

    usage_bytes: int = 0
    """Bytes the file uses in the store (may differ from the File's size)."""

    created_at: int
    """Unix timestamp (seconds) of when the file was attached."""

    vector_store_id: str
    """The vector store the file is attached to."""

    status: VectorStoreFileStatus
    """`in_progress`, `completed`, `cancelled` or `failed`."""

    last_error: VectorStoreFileLastError | None = None
    """Why ingestion failed; null unless `failed`."""

    chunking_strategy: ChunkingStrategy | None = None
    """How the file was chunked."""

    attributes: VectorStoreFileAttributes | None = None
    """Key-value pairs usable in search filters."""


class VectorStoreFileDeleted(DeletedObject):
    """Response of `DELETE /vector_stores/{vector_store_id}/files/{file_id}`."""

    object: Literal["vector_store.file.deleted"] = "vector_store.file.deleted"
    """Always `vector_store.file.deleted`."""
