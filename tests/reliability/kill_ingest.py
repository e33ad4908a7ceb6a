"""Ingestion under worker kills: a vector-store file ingested by IngestFileWorkflow on a lane,
then audited like a run: completed, as many chunks as a clean ingest, each once and embedded."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from core import ids
from core.ingest import ChunkingStrategy, chunk_text, extract_text
from core.ingestion_client import TemporalIngestion
from core.objects.file_object import FileObject
from core.objects.vector_store import VectorStore
from core.objects.vector_store_file import VectorStoreFile
from tests.reliability.audit import RunAudit
from tests.workflows.harness import PROJECT, RunStack
from workflows.ingest_types import IngestFileInput, IngestLimits, ingest_workflow_id
from workflows.types import RetrySettings

FAST = RetrySettings(initial_interval_s=0.05, maximum_interval_s=0.2, maximum_attempts=5)
INGEST_LIMITS = IngestLimits(
    chunk_timeout_s=20,
    embed_timeout_s=20,
    # A dead worker's chunk_file / embed_file is retried this soon (they heartbeat).
    heartbeat_timeout_s=2.5,
    retry=FAST,
    store_timeout_s=3,
    store_retry=FAST.model_copy(update={"maximum_attempts": 0}),
)
CHUNKING = {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 0}
SENTENCE = "The {n}th keeper of Kestrel Point logged fog, gulls and the north lamp. "
SMALL_DOC = "".join(SENTENCE.format(n=n) for n in range(200))
"""About 30 chunks: one embeddings batch."""
BIG_DOC = "".join(SENTENCE.format(n=n) for n in range(2200))
"""Over 256 chunks: two embeddings batches, so a kill can land between them."""


def clean_chunk_count(filename: str, text: str) -> int:
    """The chunks a clean ingest of `text` writes (the ingestion's own chunker, offline)."""
    strategy = ChunkingStrategy.of(CHUNKING["max_chunk_size_tokens"],
                                   CHUNKING["chunk_overlap_tokens"])  # fmt: skip
    return len(chunk_text(extract_text(filename, text.encode()), strategy))


async def new_file(stack: RunStack, filename: str, text: str) -> tuple[str, str]:
    """A vector store and a file in it, not ingested yet: `(vector_store_id, file_id)`."""
    now = int(time.time())
    data = text.encode()
    file = FileObject(id=ids.new_id("file"), created_at=now, bytes=len(data), filename=filename,
                      purpose="assistants", status="processed")  # fmt: skip
    await stack.store.blobs.put(file.id, data)
    await stack.store.files.upsert(PROJECT, file)
    store = VectorStore(id=ids.new_id("vector_store"), created_at=now, name="kill",
                        status="completed", last_active_at=now)  # fmt: skip
    await stack.store.vector_stores.upsert(PROJECT, store)
    row = VectorStoreFile(id=file.id, created_at=now, vector_store_id=store.id,
                          status="in_progress")  # fmt: skip
    await stack.store.vector_store_files.upsert(PROJECT, row)
    return store.id, file.id


async def ingest(stack: RunStack, store_id: str, file_id: str, timeout_s: float = 90) -> None:
    """Run IngestFileWorkflow for the file on the stack's task queue and await it."""
    ingestion = TemporalIngestion(stack.client, stack.settings.task_queue, INGEST_LIMITS)
    await ingestion.start(
        IngestFileInput(project_id=PROJECT, vector_store_id=store_id, file_id=file_id, **CHUNKING)
    )
    handle = stack.client.get_workflow_handle(ingest_workflow_id(store_id, file_id))
    await asyncio.wait_for(handle.result(), timeout_s)


async def audit_ingest(
    stack: RunStack, store_id: str, file_id: str, expected_chunks: int
) -> RunAudit:
    """The verdict on one ingested file, in a run audit's terms."""
    row = await stack.store.vector_store_files.get(PROJECT, file_id, vector_store_id=store_id)
    audit = RunAudit(f"{store_id}/{file_id}", row.status, "completed")
    if row.status != "completed":
        audit.wrong(f"status {row.status!r}, expected 'completed' ({row.last_error})")
    chunks = await stack.store.chunks.file_chunks(PROJECT, store_id, file_id)
    for index, count in Counter(c.chunk_index for c in chunks).items():
        if count > 1:
            audit.dup(f"chunk {index} stored {count} times")
    if len(chunks) > expected_chunks:
        audit.dup(f"{len(chunks)} chunks, a clean ingest writes {expected_chunks}")
    missing = set(range(expected_chunks)) - {c.chunk_index for c in chunks}
    if missing:
        audit.lost(f"chunks {sorted(missing)[:5]}... of {expected_chunks} missing")
    unembedded = await stack.store.chunks.without_embeddings(
        PROJECT, store_id, file_id, expected_chunks + 1
    )
    if unembedded:
        audit.lost(f"{len(unembedded)} chunks without an embedding")
    _, usage = await stack.store.chunks.stats(PROJECT, store_id, file_id)
    if row.usage_bytes != usage:
        audit.wrong(f"usage_bytes {row.usage_bytes}, the chunks hold {usage}")
    return audit
