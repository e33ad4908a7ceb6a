"""The `Store` facade: one engine, every repository, the blob store; opened (and migrated) once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.store.admin import AdminQueries
from core.store.assistants import AssistantRepository
from core.store.blobs import BlobStore, FilesystemBlobStore
from core.store.chunks import ChunkRepository
from core.store.engine import create_engine
from core.store.files import FileRepository
from core.store.messages import MessageRepository
from core.store.migrate import upgrade
from core.store.run_contexts import RunContextRepository
from core.store.run_events import RunEventRepository
from core.store.runs import RunRepository, RunStepRepository
from core.store.thread_locks import ThreadLockRepository
from core.store.threads import ThreadRepository
from core.store.tool_call_arguments import ToolCallArgumentsRepository
from core.store.vector_stores import (
    FileBatchRepository,
    VectorStoreFileRepository,
    VectorStoreRepository,
)

__all__ = ["Store", "open_store"]


class Store:
    """Every aggregate's repository over one engine. Build it with `open_store`."""

    def __init__(self, engine: AsyncEngine, blobs: BlobStore) -> None:
        self.engine = engine
        self.blobs = blobs
        self.assistants = AssistantRepository(engine)
        self.threads = ThreadRepository(engine)
        self.thread_locks = ThreadLockRepository(engine)
        self.messages = MessageRepository(engine)
        self.runs = RunRepository(engine)
        self.run_steps = RunStepRepository(engine)
        self.run_events = RunEventRepository(engine)
        self.run_contexts = RunContextRepository(engine)
        self.files = FileRepository(engine)
        self.vector_stores = VectorStoreRepository(engine)
        self.vector_store_files = VectorStoreFileRepository(engine)
        self.file_batches = FileBatchRepository(engine)
        self.chunks = ChunkRepository(engine)
        self.tool_call_arguments = ToolCallArgumentsRepository(engine)
        self.admin = AdminQueries(engine)

    async def ping(self) -> None:
        """Health check: raises if the database cannot answer `SELECT 1`."""
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()

    async def __aenter__(self) -> Store:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


async def open_store(database_url: str, *, blob_dir: Path) -> Store:
    """Connect to `database_url`, migrate it to the newest schema and return the store.

    Args:
        database_url: SQLAlchemy async URL (`sqlite+aiosqlite:///...` or
            `postgresql+asyncpg://...`); see `Settings.resolved_database_url`.
        blob_dir: Directory for uploaded file contents (created if missing).
    """
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        blobs = await asyncio.to_thread(FilesystemBlobStore, blob_dir)
    except BaseException:
        await engine.dispose()
        raise
    return Store(engine, blobs)
