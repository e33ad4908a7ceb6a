"""Vector stores, their files and file batches (SPEC §2.7, §2.8)."""

from __future__ import annotations

import builtins

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.objects.vector_store import VectorStore
from core.objects.vector_store_file import VectorStoreFile
from core.objects.vector_store_file_batch import VectorStoreFileBatch
from core.store import tables
from core.store.pagination import ListParams, Page
from core.store.repository import DocumentRepository

__all__ = ["FileBatchRepository", "VectorStoreFileRepository", "VectorStoreRepository"]


class VectorStoreRepository(DocumentRepository[VectorStore]):
    """Vector stores of a project; deleting one deletes its files and batches (not the Files)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            engine,
            tables.vector_stores,
            VectorStore,
            noun="vector store",
            param="vector_store_id",
            columns=("status",),
        )

    async def delete(self, project_id: str, id: str, **scope: str | None) -> bool:
        """Delete the vector store with its file entries and batches, in one transaction."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                sa.delete(self.table).where(*self._where(project_id, id=id, **scope))
            )
            if result.rowcount == 0:
                return False
            for child in (tables.vector_store_files, tables.vector_store_file_batches):
                await conn.execute(
                    sa.delete(child).where(
                        child.c.project_id == project_id, child.c.vector_store_id == id
                    )
                )
        return True


class VectorStoreFileRepository(DocumentRepository[VectorStoreFile]):
    """Files attached to vector stores, keyed by `(vector_store_id, id)` (`id` is the file id).

    `find`/`get`/`delete` therefore require `vector_store_id=`. `upsert(..., batch_id=...)`
    records the batch that added the file.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            engine,
            tables.vector_store_files,
            VectorStoreFile,
            noun="vector store file",
            param="file_id",
            columns=("vector_store_id", "status", "usage_bytes"),
            key=("vector_store_id", "id"),
        )

    async def list_for_store(
        self,
        project_id: str,
        vector_store_id: str,
        params: ListParams,
        *,
        status: str | None = None,
    ) -> Page[VectorStoreFile]:
        """One page of the store's files, only those in `status` if given (the `filter` param)."""
        return await self.list(project_id, params, vector_store_id=vector_store_id, status=status)

    async def list_for_batch(
        self,
        project_id: str,
        vector_store_id: str,
        batch_id: str,
        params: ListParams,
        *,
        status: str | None = None,
    ) -> Page[VectorStoreFile]:
        """One page of the files a batch added, only those in `status` if given."""
        return await self.list(
            project_id, params, vector_store_id=vector_store_id, batch_id=batch_id, status=status
        )

    async def count_by_status(
        self, project_id: str, vector_store_id: str, *, batch_id: str | None = None
    ) -> dict[str, int]:
        """`{status: count}` of the store's (or batch's) files, for keeping `file_counts` exact."""
        t = self.table
        where = self._where(project_id, vector_store_id=vector_store_id, batch_id=batch_id)
        stmt = sa.select(t.c.status, sa.func.count()).where(*where).group_by(t.c.status)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return {status: int(count) for status, count in rows}

    async def usage_bytes(self, project_id: str, vector_store_id: str) -> int:
        """The store's `usage_bytes`: the sum over its files."""
        t = self.table
        total = sa.func.coalesce(sa.func.sum(t.c.usage_bytes), 0)
        stmt = sa.select(total).where(*self._where(project_id, vector_store_id=vector_store_id))
        async with self._engine.connect() as conn:
            return int((await conn.execute(stmt)).scalar_one())

    async def vector_store_ids_for_file(self, project_id: str, file_id: str) -> builtins.list[str]:
        """The ids of the vector stores `file_id` is attached to (deleting a File detaches it)."""
        t = self.table
        stmt = sa.select(t.c.vector_store_id).where(t.c.project_id == project_id, t.c.id == file_id)
        async with self._engine.connect() as conn:
            return list((await conn.execute(stmt)).scalars())

    def _where(
        self, project_id: str, **filters: str | None
    ) -> builtins.list[sa.ColumnElement[bool]]:
        # A file id alone is ambiguous here: the same File can be in several vector stores.
        if filters.get("id") is not None and filters.get("vector_store_id") is None:
            raise TypeError("vector store files are keyed by vector_store_id and file id")
        return super()._where(project_id, **filters)


class FileBatchRepository(DocumentRepository[VectorStoreFileBatch]):
    """File batches of a project's vector stores; `get`/`find` accept `vector_store_id=`."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            engine,
            tables.vector_store_file_batches,
            VectorStoreFileBatch,
            noun="file batch",
            param="batch_id",
            columns=("vector_store_id", "status"),
        )
