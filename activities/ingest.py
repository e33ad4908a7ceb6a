"""IngestActivities: a vector-store file's text extracted, chunked, embedded and recorded.

Extraction and chunking are CPU-bound and run in a thread while the activity heartbeats, so a
512 MB PDF neither blocks the worker's event loop nor looks like a dead worker. Every write is
idempotent: chunks are replaced per file, embeddings fill only rows still without one.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities import _metrics
from activities._errors import to_application_error
from core.errors import NotFoundError
from core.ingest import ChunkingStrategy, IngestError, check_limits, chunk_text, extract_text
from core.objects.vector_store_file import VectorStoreFile, VectorStoreFileLastError
from core.providers.embeddings import Embedder
from core.store import Store
from core.store.chunks import ChunkRecord
from workflows.ingest_types import (
    ChunkFileInput,
    ChunkFileResult,
    FinishIngestInput,
    IngestFileRef,
    IngestOutcome,
)

T = TypeVar("T")

HEARTBEAT_EVERY_S = 5.0
EMBED_BATCH = 256
"""Chunks embedded per request and written per transaction."""


async def _in_thread_heartbeating(work: Callable[[], T]) -> T:
    """Run CPU-bound `work` in a thread, heartbeating until it ends."""
    task = asyncio.ensure_future(asyncio.to_thread(work))
    while True:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_EVERY_S)
        if done:
            return task.result()
        activity.heartbeat()


def _chunks_of(filename: str, data: bytes, strategy: ChunkingStrategy) -> list[ChunkRecord]:
    """Extract, check the 512 MB / 5M-token limits, chunk. Raises IngestError."""
    check_limits(data, 0, filename=filename)
    text = extract_text(filename, data)
    chunks = chunk_text(text, strategy)
    # The last window ends at the text's last token.
    tokens = chunks[-1].start_token + chunks[-1].token_count if chunks else 0
    check_limits(data, tokens, filename=filename)
    return [ChunkRecord(c.index, c.text, c.token_count, c.start_char, c.end_char) for c in chunks]


def _ingest_failure(err: IngestError) -> ApplicationError:
    # The type is the vector-store file's last_error.code; a bad file stays bad: no retry.
    # Benign: a user's corrupt upload is not a worker fault worth a logged traceback.
    return ApplicationError(
        err.message,
        type=err.code,
        non_retryable=True,
        category=ApplicationErrorCategory.BENIGN,
    )


class IngestActivities:
    """Reads blobs, writes chunks and embeddings, records each file's outcome."""

    def __init__(self, store: Store, embedder: Embedder | None) -> None:
        self._store = store
        self._embedder = embedder

    @activity.defn(name="chunk_file")
    async def chunk_file(self, request: ChunkFileInput) -> ChunkFileResult:
        """Replace the file's chunks in the store with a fresh chunking of its text."""
        ref = request.file
        file = await self._store.files.find(ref.project_id, ref.file_id)
        if file is None:
            raise ApplicationError(
                f"File {ref.file_id} no longer exists.", type="invalid_file", non_retryable=True
            )
        data = await self._store.blobs.read(ref.file_id)
        strategy = ChunkingStrategy.of(request.max_chunk_size_tokens, request.chunk_overlap_tokens)
        started = time.monotonic()
        try:
            chunks = await _in_thread_heartbeating(
                lambda: _chunks_of(file.filename, data, strategy)
            )
        except IngestError as err:
            raise _ingest_failure(err) from err
        await self._store.chunks.replace_file(
            ref.project_id, ref.vector_store_id, ref.file_id, chunks
        )
        _metrics.ingest_stage("chunk", time.monotonic() - started)
        _metrics.ingest_chunked(len(data), len(chunks))
        return ChunkFileResult(chunks=len(chunks))

    @activity.defn(name="embed_file")
    async def embed_file(self, ref: IngestFileRef) -> None:
        """Embed the file's chunks that have no vector yet (none: keyword-only search)."""
        if self._embedder is None:
            return
        started = time.monotonic()
        chunks = self._store.chunks
        while pending := await chunks.without_embeddings(
            ref.project_id, ref.vector_store_id, ref.file_id, EMBED_BATCH
        ):
            try:
                vectors = await self._embedder.embed([text for _, text in pending])
            except Exception as exc:
                raise to_application_error(exc) from exc
            await chunks.set_embeddings(
                [(pk, vector) for (pk, _), vector in zip(pending, vectors, strict=True)]
            )
            activity.heartbeat()
        _metrics.ingest_stage("embed", time.monotonic() - started)

    @activity.defn(name="finish_ingest")
    async def finish_ingest(self, request: FinishIngestInput) -> None:
        """Write the outcome on the vector-store file; a file that is gone is left alone.

        A cancel recorded on the row (a batch cancel) wins over a completion that raced it.
        """
        _metrics.ingest_finished(await self._record_outcome(request))

    async def _record_outcome(self, request: FinishIngestInput) -> IngestOutcome:
        ref = request.file
        files = self._store.vector_store_files
        row = await files.find(ref.project_id, ref.file_id, vector_store_id=ref.vector_store_id)
        if row is None or row.status == "cancelled" or request.outcome != "completed":
            await self._drop_chunks(ref)
        if row is None:
            return request.outcome
        _, usage = await self._store.chunks.stats(ref.project_id, ref.vector_store_id, ref.file_id)
        try:
            # Atomic: a delete or cancel between the read above and this write is not undone.
            finished = await files.modify(
                ref.project_id,
                ref.file_id,
                lambda latest: _finished(latest, request, usage),
                vector_store_id=ref.vector_store_id,
            )
        except NotFoundError:
            await self._drop_chunks(ref)
            return request.outcome
        return _outcome(finished, request)

    async def _drop_chunks(self, ref: IngestFileRef) -> None:
        await self._store.chunks.delete_file(ref.project_id, ref.vector_store_id, ref.file_id)


def _outcome(row: VectorStoreFile, request: FinishIngestInput) -> IngestOutcome:
    return "cancelled" if row.status == "cancelled" else request.outcome


def _finished(row: VectorStoreFile, request: FinishIngestInput, usage: int) -> VectorStoreFile:
    outcome = _outcome(row, request)
    if outcome != "completed":
        usage = 0
    last_error = None
    if outcome == "failed":
        last_error = VectorStoreFileLastError(
            code=request.error_code or "server_error",
            message=request.error_message or "The file could not be processed.",
        )
    return row.model_copy(
        update={"status": outcome, "last_error": last_error, "usage_bytes": usage}
    )
