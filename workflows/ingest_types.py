"""Payloads of IngestFileWorkflow and the pinned names the API starts it by.

One workflow per (vector store, file): extract and chunk, embed (when an embeddings model is
configured), then record the outcome on the vector-store file. The API imports this module, never
workflows.ingest.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from workflows.types import RetrySettings

INGEST_FILE_WORKFLOW = "IngestFileWorkflow"
CANCEL_INGEST = "cancel"

IngestOutcome = Literal["completed", "failed", "cancelled"]
IngestErrorCode = Literal["server_error", "unsupported_file", "invalid_file"]


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


def ingest_workflow_id(vector_store_id: str, file_id: str) -> str:
    """One ingestion per file per store: re-adding a file replaces the running one."""
    return f"ingest-{vector_store_id}-{file_id}"


class IngestLimits(_Payload):
    """Timeouts and retries, passed in so tests can shrink them."""

    chunk_timeout_s: float = 1800.0
    """Extracting and chunking a file up to 512 MB / 5M tokens."""
    embed_timeout_s: float = 1800.0
    heartbeat_timeout_s: float = 60.0
    retry: RetrySettings = RetrySettings(maximum_attempts=5)
    store_timeout_s: float = 30.0
    store_retry: RetrySettings = RetrySettings(maximum_attempts=0, maximum_interval_s=10.0)


class IngestFileInput(_Payload):
    """Which file goes into which store, chunked how."""

    project_id: str
    vector_store_id: str
    file_id: str
    batch_id: str | None = None
    max_chunk_size_tokens: int = Field(800, ge=100, le=4096)
    chunk_overlap_tokens: int = Field(400, ge=0)
    limits: IngestLimits = IngestLimits()


class IngestFileRef(_Payload):
    """Identifies the vector-store file an activity works on."""

    project_id: str
    vector_store_id: str
    file_id: str


class ChunkFileInput(_Payload):
    file: IngestFileRef
    max_chunk_size_tokens: int
    chunk_overlap_tokens: int


class ChunkFileResult(_Payload):
    chunks: int


class FinishIngestInput(_Payload):
    """Record the outcome on the vector-store file (status, usage_bytes, last_error)."""

    file: IngestFileRef
    outcome: IngestOutcome
    error_code: IngestErrorCode | None = None
    error_message: str | None = None
