"""IngestFileWorkflow on the real Temporal dev server, a real store and the scripted embeddings."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from core.ids import new_id
from core.ingestion_client import TemporalIngestion
from core.objects.file_object import FileObject
from core.objects.vector_store_file import VectorStoreFile
from core.store import Store
from core.store.chunks import unpack_vector
from tests.fakes.model_embeddings import embed
from tests.fakes.model_server import ScriptedModelServer
from tests.store import factories as f
from tests.workflows.harness import run_stack, stack_settings
from workflows.ingest_types import IngestFileInput, IngestLimits
from workflows.types import RetrySettings

PROJECT = "proj_ingest"
EMBEDDING_MODEL = "text-embedding-3-small"
FAST_INGEST = IngestLimits(
    heartbeat_timeout_s=10,
    retry=RetrySettings(initial_interval_s=0.1, maximum_attempts=2),
    store_retry=RetrySettings(initial_interval_s=0.1, maximum_attempts=0),
)
PARAGRAPH = (
    "The Kestrel Point lighthouse keeper logs the weather, the lamp hours and every passing "
    "ship in a leather-bound book. "
)


@dataclass
class IngestStack:
    store: Store
    ingestion: TemporalIngestion
    vector_store_id: str

    async def add(self, filename: str, data: bytes, **chunking: int) -> VectorStoreFile:
        """Upload `data`, attach it to the store (in_progress) and start its ingestion."""
        file = FileObject(id=new_id("file"), created_at=f.NOW, bytes=len(data),
                          filename=filename, purpose="assistants", status="processed")  # fmt: skip
        await self.store.blobs.put(file.id, data)
        await self.store.files.upsert(PROJECT, file)
        row = f.vector_store_file(self.vector_store_id, id=file.id)
        await self.store.vector_store_files.upsert(PROJECT, row)
        request = IngestFileInput(
            project_id=PROJECT, vector_store_id=self.vector_store_id, file_id=file.id, **chunking
        )
        await self.ingestion.start(request)
        return row

    async def settled(self, file_id: str, timeout_s: float = 30) -> VectorStoreFile:
        """The file once its ingestion recorded an outcome."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        while True:
            row = await self.store.vector_store_files.get(
                PROJECT, file_id, vector_store_id=self.vector_store_id
            )
            if row.status != "in_progress":
                return row
            assert asyncio.get_running_loop().time() < deadline, f"{file_id} still in progress"
            await asyncio.sleep(0.05)


@pytest.fixture
async def ingest(
    temporal_env: WorkflowEnvironment,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> AsyncIterator[IngestStack]:
    settings = stack_settings(
        tmp_path, task_queue, model_base_url=model_server.base_url, embedding_model=EMBEDDING_MODEL
    )
    store = await _with_vector_store(sqlite_store)
    async with run_stack(temporal_env.client, sqlite_store, model_server, settings):
        yield IngestStack(
            sqlite_store, TemporalIngestion(temporal_env.client, task_queue, FAST_INGEST), store
        )


async def _with_vector_store(store: Store) -> str:
    vector_store = f.vector_store()
    await store.vector_stores.upsert(PROJECT, vector_store)
    return vector_store.id


async def test_a_text_file_is_chunked_embedded_and_completed(ingest: IngestStack) -> None:
    text = PARAGRAPH * 200
    row = await ingest.add("log.txt", text.encode(), max_chunk_size_tokens=200,
                           chunk_overlap_tokens=50)  # fmt: skip

    done = await ingest.settled(row.id)

    assert done.status == "completed" and done.last_error is None
    chunks = await ingest.store.chunks.file_chunks(PROJECT, ingest.vector_store_id, row.id)
    assert len(chunks) > 5
    assert all(c.tokens <= 200 for c in chunks)
    assert [c.chunk_index for c in chunks] == list(range(len(chunks)))
    assert all(text[c.start_char : c.end_char] == c.text for c in chunks)
    count, usage = await ingest.store.chunks.stats(PROJECT, ingest.vector_store_id, row.id)
    assert count == len(chunks)
    assert done.usage_bytes == usage > sum(len(c.text) for c in chunks)
    pending = await ingest.store.chunks.without_embeddings(
        PROJECT, ingest.vector_store_id, row.id, 10
    )
    assert pending == []
    # The stored vector is what the provider's /embeddings returned for the chunk's text.
    embedded = await _embedding_of(ingest.store, chunks[0].pk)
    assert embedded == pytest.approx(embed(chunks[0].text), abs=1e-6)


async def test_a_corrupt_pdf_fails_only_that_file(ingest: IngestStack) -> None:
    good = await ingest.add("notes.md", b"# Notes\n\n" + PARAGRAPH.encode() * 5)
    bad = await ingest.add("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage")

    failed, completed = await ingest.settled(bad.id), await ingest.settled(good.id)

    assert completed.status == "completed"
    assert failed.status == "failed"
    assert failed.last_error is not None and failed.last_error.code == "invalid_file"
    assert "broken.pdf" in failed.last_error.message
    assert failed.usage_bytes == 0
    assert await ingest.store.chunks.file_chunks(PROJECT, ingest.vector_store_id, bad.id) == []


async def test_an_unsupported_file_type_fails_with_unsupported_file(ingest: IngestStack) -> None:
    row = await ingest.add("tool.exe", b"MZ\x90\x00\x03\x00\x00\x00")

    failed = await ingest.settled(row.id)

    assert failed.status == "failed"
    assert failed.last_error is not None and failed.last_error.code == "unsupported_file"


async def test_reingesting_a_file_replaces_its_chunks(ingest: IngestStack) -> None:
    row = await ingest.add("log.txt", (PARAGRAPH * 40).encode(), max_chunk_size_tokens=100,
                           chunk_overlap_tokens=0)  # fmt: skip
    await ingest.settled(row.id)
    first = await ingest.store.chunks.file_chunks(PROJECT, ingest.vector_store_id, row.id)
    await ingest.store.vector_store_files.upsert(PROJECT, row)  # back to in_progress
    await ingest.ingestion.start(
        IngestFileInput(project_id=PROJECT, vector_store_id=ingest.vector_store_id,
                        file_id=row.id, max_chunk_size_tokens=400, chunk_overlap_tokens=0)
    )  # fmt: skip

    await ingest.settled(row.id)

    second = await ingest.store.chunks.file_chunks(PROJECT, ingest.vector_store_id, row.id)
    assert len(second) < len(first)
    assert [c.chunk_index for c in second] == list(range(len(second)))


async def test_a_cancelled_ingestion_ends_cancelled_without_chunks(ingest: IngestStack) -> None:
    # Big enough that chunking is still running when the cancel arrives.
    row = await ingest.add("big.txt", (PARAGRAPH * 40_000).encode())
    await asyncio.sleep(0.3)
    await ingest.ingestion.cancel(ingest.vector_store_id, row.id)

    done = await ingest.settled(row.id, timeout_s=60)

    assert done.status == "cancelled", done.last_error
    assert await ingest.store.chunks.file_chunks(PROJECT, ingest.vector_store_id, row.id) == []


async def test_a_file_removed_during_ingestion_stays_removed(ingest: IngestStack) -> None:
    row = await ingest.add("log.txt", (PARAGRAPH * 2000).encode())
    await ingest.store.vector_store_files.delete(
        PROJECT, row.id, vector_store_id=ingest.vector_store_id
    )

    handle = ingest.ingestion._client.get_workflow_handle(
        f"ingest-{ingest.vector_store_id}-{row.id}"
    )
    assert await handle.result() == "completed"

    gone = await ingest.store.vector_store_files.find(
        PROJECT, row.id, vector_store_id=ingest.vector_store_id
    )
    assert gone is None
    assert await ingest.store.chunks.file_chunks(PROJECT, ingest.vector_store_id, row.id) == []


async def _embedding_of(store: Store, pk: int) -> list[float]:
    import sqlalchemy as sa

    table = store.chunks.table
    async with store.engine.connect() as conn:
        blob = (await conn.execute(sa.select(table.c.embedding).where(table.c.pk == pk))).scalar()
    assert blob is not None
    return unpack_vector(blob)
