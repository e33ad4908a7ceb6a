"""File batches (SPEC §2.8): many files attached in one request, followed and cancelled together.

A batch row records only what cannot be derived: its id, store, creation time, and whether a
cancel was asked. `file_counts` and `status` are computed from its files on every read
(`rules.live_batch`).
"""

from __future__ import annotations

from collections.abc import Callable

from core.errors import InvalidRequestError
from core.ids import new_id
from core.objects.params_vector_stores import FileBatchCreateParams
from core.objects.vector_store_file import VectorStoreFile, VectorStoreFileStatus
from core.objects.vector_store_file_batch import VectorStoreFileBatch
from core.store import ListParams, Page, Store
from core.vector_stores.files import VectorStoreFiles
from core.vector_stores.rules import live_batch

__all__ = ["FileBatches"]


class FileBatches:
    """The file batches of a project's vector stores."""

    def __init__(self, store: Store, files: VectorStoreFiles, clock: Callable[[], float]) -> None:
        self._store = store
        self._files = files
        self._clock = clock

    async def create(
        self, project_id: str, vector_store_id: str, params: FileBatchCreateParams
    ) -> VectorStoreFileBatch:
        """Check every file, then write the batch and start one ingestion per file.

        A file named twice is attached once, with its last entry's options.
        """
        await self._store.vector_stores.get(project_id, vector_store_id)
        entries = list({entry.file_id: entry for entry in params.entries()}.values())
        await self._files.check_files(project_id, _refs(params))
        batch = VectorStoreFileBatch(
            id=new_id("file_batch"), created_at=int(self._clock()),
            vector_store_id=vector_store_id, status="in_progress",
        )  # fmt: skip
        await self._store.file_batches.upsert(project_id, batch)
        await self._files.attach_many(project_id, vector_store_id, entries, batch_id=batch.id)
        return await self._live(project_id, batch)

    async def get(
        self, project_id: str, vector_store_id: str, batch_id: str
    ) -> VectorStoreFileBatch:
        """The batch with live `file_counts` and `status`."""
        await self._store.vector_stores.get(project_id, vector_store_id)
        batch = await self._store.file_batches.get(
            project_id, batch_id, vector_store_id=vector_store_id
        )
        return await self._live(project_id, batch)

    async def cancel(
        self, project_id: str, vector_store_id: str, batch_id: str
    ) -> VectorStoreFileBatch:
        """Cancel the batch's files still in progress; 400 once the batch has ended.

        The batch is marked first, so it reads `cancelled` even while its files are being
        cancelled one by one.
        """
        batch = await self.get(project_id, vector_store_id, batch_id)
        if batch.status != "in_progress":
            raise InvalidRequestError(
                f"Cannot cancel file batch with status '{batch.status}'.", param="batch_id"
            )
        await self._store.file_batches.modify(
            project_id, batch_id, lambda row: row.model_copy(update={"status": "cancelled"})
        )
        await self._files.cancel_in_progress(project_id, vector_store_id, batch_id=batch_id)
        return await self.get(project_id, vector_store_id, batch_id)

    async def list_files(
        self,
        project_id: str,
        vector_store_id: str,
        batch_id: str,
        params: ListParams,
        *,
        status: VectorStoreFileStatus | None = None,
    ) -> Page[VectorStoreFile]:
        """One page of the files the batch added (those re-added since belong elsewhere)."""
        await self.get(project_id, vector_store_id, batch_id)
        return await self._files.list(
            project_id, vector_store_id, params, status=status, batch_id=batch_id
        )

    async def _live(self, project_id: str, batch: VectorStoreFileBatch) -> VectorStoreFileBatch:
        counts = await self._store.vector_store_files.count_by_status(
            project_id, batch.vector_store_id, batch_id=batch.id
        )
        return live_batch(batch, counts)


def _refs(params: FileBatchCreateParams) -> list[tuple[str, str]]:
    """`(param, file_id)` of every file the request names, for 404s that point at it."""
    if params.files is not None:
        return [(f"files[{i}].file_id", f.file_id) for i, f in enumerate(params.files)]
    return [(f"file_ids[{i}]", file_id) for i, file_id in enumerate(params.file_ids or [])]
