"""`VectorStoreService`: vector stores, their files and file batches, with no HTTP in sight.

The API routes translate requests into these calls; thread attachments and the inline
`vector_stores` helpers (`core.vector_stores.helpers`) use them too. Errors are `core.errors`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from core.ids import new_id
from core.ingestion_client import Ingestion
from core.objects.params_vector_stores import (
    ChunkingStrategyParam,
    FileBatchFileParam,
    VectorStoreUpdateParams,
)
from core.objects.shared import Metadata
from core.objects.vector_store import ExpiresAfter, VectorStore
from core.store import ListParams, Page, Store
from core.vector_stores.batches import FileBatches
from core.vector_stores.files import VectorStoreFiles
from core.vector_stores.rules import expires_at, live_store

__all__ = ["VectorStoreService"]


class VectorStoreService:
    """Vector stores of every project; `files` and `batches` handle their contents.

    Args:
        store: The SQL store.
        ingestion: Starts and cancels the ingestion workflow of a file.
        clock: Unix time in seconds (tests pass a fixed one).
    """

    def __init__(
        self, store: Store, ingestion: Ingestion, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._store = store
        self._clock = clock
        self.files = VectorStoreFiles(store, ingestion, clock)
        self.batches = FileBatches(store, self.files, clock)

    async def create(
        self,
        project_id: str,
        *,
        name: str | None = None,
        file_ids: Sequence[str] = (),
        chunking_strategy: ChunkingStrategyParam | None = None,
        expires_after: ExpiresAfter | None = None,
        metadata: Metadata | None = None,
        file_ids_param: str = "file_ids",
    ) -> VectorStore:
        """Check the files, write the store (active as of now), start one ingestion per file.

        Args:
            file_ids_param: How a 404 names `file_ids` (the inline helpers nest it).
        """
        unique = list(dict.fromkeys(file_ids))
        refs = [(f"{file_ids_param}[{i}]", file_id) for i, file_id in enumerate(file_ids)]
        await self.files.check_files(project_id, refs)
        now = int(self._clock())
        vector_store = VectorStore(
            id=new_id("vector_store"), created_at=now, name=name or "", status="completed",
            expires_after=expires_after, last_active_at=now, metadata=metadata or {},
        )  # fmt: skip
        await self._store.vector_stores.upsert(project_id, self._live(vector_store, {}, 0))
        entries = [
            FileBatchFileParam(file_id=file_id, chunking_strategy=chunking_strategy)
            for file_id in unique
        ]
        await self.files.attach_many(project_id, vector_store.id, entries)
        return await self.live(project_id, vector_store)

    async def get(self, project_id: str, vector_store_id: str) -> VectorStore:
        """The store with live `file_counts`, `usage_bytes`, `status` and `expires_at`."""
        return await self.live(
            project_id, await self._store.vector_stores.get(project_id, vector_store_id)
        )

    async def find(self, project_id: str, vector_store_id: str) -> VectorStore | None:
        """Like `get`, None when there is no such store."""
        found = await self._store.vector_stores.find(project_id, vector_store_id)
        return None if found is None else await self.live(project_id, found)

    async def list(self, project_id: str, params: ListParams) -> Page[VectorStore]:
        """One page of the project's stores, each live."""
        page = await self._store.vector_stores.list(project_id, params)
        data = [await self.live(project_id, item) for item in page.data]
        return page.model_copy(update={"data": data})

    async def modify(
        self, project_id: str, vector_store_id: str, params: VectorStoreUpdateParams
    ) -> VectorStore:
        """Replace the fields the request set: `name` (null keeps it), `expires_after` (null
        clears it), `metadata` (wholesale)."""
        named = params.model_fields_set

        def change(current: VectorStore) -> VectorStore:
            updates: dict[str, object] = {}
            if params.name is not None:
                updates["name"] = params.name
            if "expires_after" in named:
                policy = params.expires_after.to_wire() if params.expires_after else None
                updates["expires_after"] = policy
                updates["expires_at"] = expires_at(current.last_active_at, policy)
            if "metadata" in named:
                updates["metadata"] = params.metadata or {}
            return current.model_copy(update=updates)

        changed = await self._store.vector_stores.modify(project_id, vector_store_id, change)
        return await self.live(project_id, changed)

    async def delete(self, project_id: str, vector_store_id: str) -> None:
        """Cancel the ingestions still running, then delete the store, its files' rows, its
        batches and its chunks (the Files themselves stay)."""
        await self._store.vector_stores.get(project_id, vector_store_id)
        await self.files.cancel_in_progress(project_id, vector_store_id)
        if not await self._store.vector_stores.delete(project_id, vector_store_id):
            raise self._store.vector_stores.not_found(vector_store_id)
        await self._store.chunks.delete_store(project_id, vector_store_id)

    async def detach_everywhere(self, project_id: str, file_id: str) -> None:
        """Remove a File from every store of the project (the File is being deleted)."""
        files = self._store.vector_store_files
        for vector_store_id in await files.vector_store_ids_for_file(project_id, file_id):
            row = await files.find(project_id, file_id, vector_store_id=vector_store_id)
            if row is not None:
                await self.files.remove(project_id, row)  # False if detached meanwhile: fine
        await self._store.chunks.delete_file_everywhere(project_id, file_id)

    async def live(self, project_id: str, vector_store: VectorStore) -> VectorStore:
        """`vector_store` with the fields derived from its files computed now."""
        files = self._store.vector_store_files
        counts = await files.count_by_status(project_id, vector_store.id)
        usage = await files.usage_bytes(project_id, vector_store.id)
        return self._live(vector_store, counts, usage)

    def _live(self, store: VectorStore, counts: dict[str, int], usage: int) -> VectorStore:
        return live_store(store, counts, usage, int(self._clock()))
