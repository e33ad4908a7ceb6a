"""File metadata (SPEC §2.6); the bytes live in a `BlobStore`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from core.objects.file_object import FileObject
from core.store import tables
from core.store.pagination import FileListParams, ListParams, Page
from core.store.repository import DocumentRepository

__all__ = ["FileRepository"]


class FileRepository(DocumentRepository[FileObject]):
    """Uploaded files of a project (metadata only)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            engine,
            tables.files,
            FileObject,
            noun="file",
            param="file_id",
            columns=("purpose", "filename", "bytes"),
        )

    async def list_files(
        self, project_id: str, params: ListParams | None = None, *, purpose: str | None = None
    ) -> Page[FileObject]:
        """One page of files, filtered by `purpose` if given (`/files` pages up to 10,000)."""
        return await self.list(project_id, params or FileListParams(), purpose=purpose)
