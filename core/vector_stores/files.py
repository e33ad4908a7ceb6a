"""Files of vector stores (SPEC §2.8): attach (which starts ingestion), read, relabel, detach.

A vector-store file row is written `in_progress` before its ingestion starts; from then on the
ingestion workflow records the outcome (`completed` / `failed` / `cancelled`). The only status
this module writes afterwards is `cancelled`, for a cancel asked before the workflow ended (the
workflow's last step keeps a cancel it finds on the row).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence

import structlog

from core.errors import NotFoundError
from core.ingestion_client import Ingestion
from core.objects.params_vector_stores import FileBatchFileParam, static_chunking
from core.objects.vector_store_file import (
    VectorStoreFile,
    VectorStoreFileAttributes,
    VectorStoreFileLastError,
    VectorStoreFileStatus,
)
from core.store import ListParams, Page, Store
from core.vector_stores.pages import FileContent, FileContentPage
from core.vector_stores.rules import reconstruct_text
from workflows.ingest_types import IngestFileInput

__all__ = ["VectorStoreFiles"]

log = structlog.get_logger()

STARTS_IN_PARALLEL = 16
"""Ingestions started at once by a batch (each start is one Temporal RPC)."""

_PAGE = ListParams(limit=100, order="asc")


class VectorStoreFiles:
    """The files of a project's vector stores. Every method checks the store exists first."""

    def __init__(self, store: Store, ingestion: Ingestion, clock: Callable[[], float]) -> None:
        self._store = store
        self._ingestion = ingestion
        self._clock = clock

    async def check_files(self, project_id: str, refs: Iterable[tuple[str, str]]) -> None:
        """Every `(param, file_id)` names a File of the project, else a 404 naming it."""
        for param, file_id in refs:
            if await self._store.files.find(project_id, file_id) is None:
                raise NotFoundError(f"No file found with id '{file_id}'.", param=param)

    async def add(
        self, project_id: str, vector_store_id: str, entry: FileBatchFileParam
    ) -> VectorStoreFile:
        """Attach one File and start ingesting it (re-adding a file restarts its ingestion)."""
        await self._store.vector_stores.get(project_id, vector_store_id)
        await self.check_files(project_id, [("file_id", entry.file_id)])
        return await self.attach(project_id, vector_store_id, entry)

    async def attach(
        self,
        project_id: str,
        vector_store_id: str,
        entry: FileBatchFileParam,
        *,
        batch_id: str | None = None,
    ) -> VectorStoreFile:
        """Write the `in_progress` row, then start the ingestion (no existence checks).

        `batch_id` is written even when None: the row belongs to the batch that last added it.
        """
        chunking = static_chunking(entry.chunking_strategy)
        row = VectorStoreFile(
            id=entry.file_id, created_at=int(self._clock()), vector_store_id=vector_store_id,
            status="in_progress", chunking_strategy=chunking,
            attributes=None if entry.attributes is None else dict(entry.attributes),
        )  # fmt: skip
        await self._store.vector_store_files.upsert(project_id, row, batch_id=batch_id)
        ingest = IngestFileInput(
            project_id=project_id, vector_store_id=vector_store_id, file_id=entry.file_id,
            batch_id=batch_id, max_chunk_size_tokens=chunking.static.max_chunk_size_tokens,
            chunk_overlap_tokens=chunking.static.chunk_overlap_tokens,
        )  # fmt: skip
        try:
            await self._ingestion.start(ingest)
        except Exception as exc:
            # The file is reported failed rather than the request: the row exists, and a batch
            # of 2000 must not end half-started because one start failed.
            log.warning("ingestion_start_failed", error_type=type(exc).__name__)
            error = VectorStoreFileLastError(
                code="server_error", message="Processing of the file could not be started."
            )
            row = row.model_copy(update={"status": "failed", "last_error": error})
            await self._store.vector_store_files.upsert(project_id, row, batch_id=batch_id)
        return row

    async def attach_many(
        self,
        project_id: str,
        vector_store_id: str,
        entries: Sequence[FileBatchFileParam],
        *,
        batch_id: str | None = None,
    ) -> None:
        """`attach` each entry, `STARTS_IN_PARALLEL` at a time."""
        gate = asyncio.Semaphore(STARTS_IN_PARALLEL)

        async def one(entry: FileBatchFileParam) -> None:
            async with gate:
                await self.attach(project_id, vector_store_id, entry, batch_id=batch_id)

        await asyncio.gather(*(one(entry) for entry in entries))

    async def add_missing(
        self, project_id: str, vector_store_id: str, file_ids: Sequence[str]
    ) -> None:
        """Attach those of `file_ids` the store lacks, or holds failed or cancelled; the others
        (ingesting or ingested) are left alone rather than ingested again."""
        rows = self._store.vector_store_files
        entries = [
            FileBatchFileParam(file_id=file_id)
            for file_id in file_ids
            if (row := await rows.find(project_id, file_id, vector_store_id=vector_store_id))
            is None
            or row.status in ("failed", "cancelled")
        ]
        await self.attach_many(project_id, vector_store_id, entries)

    async def list(
        self,
        project_id: str,
        vector_store_id: str,
        params: ListParams,
        *,
        status: VectorStoreFileStatus | None = None,
        batch_id: str | None = None,
    ) -> Page[VectorStoreFile]:
        """One page of the store's (or one batch's) files, only those in `status` if given."""
        await self._store.vector_stores.get(project_id, vector_store_id)
        files = self._store.vector_store_files
        if batch_id is None:
            return await files.list_for_store(project_id, vector_store_id, params, status=status)
        return await files.list_for_batch(
            project_id, vector_store_id, batch_id, params, status=status
        )

    async def get(self, project_id: str, vector_store_id: str, file_id: str) -> VectorStoreFile:
        """One file of the store (404 for the store first, then for the file)."""
        await self._store.vector_stores.get(project_id, vector_store_id)
        return await self._store.vector_store_files.get(
            project_id, file_id, vector_store_id=vector_store_id
        )

    async def update(
        self,
        project_id: str,
        vector_store_id: str,
        file_id: str,
        attributes: VectorStoreFileAttributes | None,
    ) -> VectorStoreFile:
        """Replace the file's attributes (null clears them); nothing else can change."""
        await self._store.vector_stores.get(project_id, vector_store_id)
        return await self._store.vector_store_files.modify(
            project_id,
            file_id,
            lambda row: row.model_copy(update={"attributes": attributes}),
            vector_store_id=vector_store_id,
        )

    async def delete(self, project_id: str, vector_store_id: str, file_id: str) -> None:
        """Detach the file from the store: row and chunks go, the File stays."""
        row = await self.get(project_id, vector_store_id, file_id)
        if not await self.remove(project_id, row):
            raise self._store.vector_store_files.not_found(file_id)

    async def remove(self, project_id: str, row: VectorStoreFile) -> bool:
        """Delete the row, its chunks, and its ingestion if running; False if already gone.

        The row goes first: an ingestion still running then finds it gone and drops any chunks
        it wrote after ours were deleted.
        """
        files = self._store.vector_store_files
        if not await files.delete(project_id, row.id, vector_store_id=row.vector_store_id):
            return False
        await self._store.chunks.delete_file(project_id, row.vector_store_id, row.id)
        if row.status == "in_progress":
            await self._cancel_ingestion(row.vector_store_id, row.id)
        return True

    async def content(self, project_id: str, vector_store_id: str, file_id: str) -> FileContentPage:
        """The file's parsed text, rebuilt from its chunks; empty unless ingestion completed
        (a failed or cancelled ingestion may leave chunks behind until its workflow ends)."""
        row = await self.get(project_id, vector_store_id, file_id)
        if row.status != "completed":
            return FileContentPage()
        chunks = await self._store.chunks.file_chunks(project_id, vector_store_id, file_id)
        text = reconstruct_text(chunks)
        return FileContentPage(data=[FileContent(text=text)] if text else [])

    async def cancel_in_progress(
        self, project_id: str, vector_store_id: str, *, batch_id: str | None = None
    ) -> int:
        """Mark the store's (or batch's) `in_progress` files `cancelled` and cancel their
        ingestions; how many were cancelled.

        Always reads the first page: each file handled leaves the `in_progress` filter, so no
        cursor is needed (a cursor could vanish under files finishing meanwhile).
        """
        seen: set[str] = set()
        while True:
            page = await self.list(
                project_id, vector_store_id, _PAGE, status="in_progress", batch_id=batch_id
            )
            # A file seen twice was re-added meanwhile: that is a new ingestion, not ours.
            rows = [row for row in page.data if row.id not in seen]
            if not rows:
                return len(seen)
            for row in rows:
                seen.add(row.id)
                try:
                    await self._store.vector_store_files.modify(
                        project_id, row.id, _cancelled, vector_store_id=vector_store_id
                    )
                except NotFoundError:
                    continue  # detached meanwhile (its ingestion was cancelled then)
                await self._cancel_ingestion(vector_store_id, row.id)

    async def _cancel_ingestion(self, vector_store_id: str, file_id: str) -> None:
        # Best effort: the row already says what happened; an ingestion that outlives a failed
        # cancel finds the row cancelled or gone, and its last step keeps it that way.
        try:
            await self._ingestion.cancel(vector_store_id, file_id)
        except Exception as exc:
            log.warning("ingestion_cancel_failed", error_type=type(exc).__name__)


def _cancelled(row: VectorStoreFile) -> VectorStoreFile:
    """A file still `in_progress` becomes `cancelled`; one that finished meanwhile is kept."""
    if row.status != "in_progress":
        return row
    return row.model_copy(update={"status": "cancelled"})
