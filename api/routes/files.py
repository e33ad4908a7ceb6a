"""/v1/files (SPEC §2.6): upload (multipart), list, retrieve, download, delete.

Metadata lives in the store, contents in the blob store. Expiry (`expires_at`) is recorded but
not enforced yet: expired files are not swept.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated, Final, Literal

from fastapi import APIRouter, Form, Query, UploadFile
from fastapi.responses import StreamingResponse

from api.deps import ProjectDep, StoreDep, VectorStoresDep
from api.pagination import to_list
from api.validation import FileId
from core.errors import InvalidRequestError
from core.ids import new_id
from core.objects.file_object import FileDeleted, FileObject, FilePurpose
from core.objects.list import ListResponse
from core.store import FileListParams
from core.store.blobs import CHUNK_SIZE

router = APIRouter(tags=["files"])

MAX_FILE_BYTES: Final = 512 * 1024 * 1024
"""OpenAI's per-file limit (SPEC §10)."""

ExpiresAnchor = Annotated[Literal["created_at"] | None, Form(alias="expires_after[anchor]")]
ExpiresSeconds = Annotated[int | None, Form(alias="expires_after[seconds]", ge=3600, le=2_592_000)]


@router.post("/files")
async def upload_file(
    file: UploadFile,
    purpose: Annotated[FilePurpose, Form()],
    store: StoreDep,
    project: ProjectDep,
    anchor: ExpiresAnchor = None,
    seconds: ExpiresSeconds = None,
) -> FileObject:
    """Store the contents, then the metadata (so a listed file can always be downloaded)."""
    _check_purpose(purpose)
    now = int(time.time())
    expires_at = _expires_at(now, anchor, seconds)
    file_id = new_id("file")
    size = await store.blobs.put(file_id, _read_capped(file))
    obj = FileObject(
        id=file_id, bytes=size, created_at=now, expires_at=expires_at,
        filename=file.filename or "file", purpose=purpose, status="processed",
    )  # fmt: skip
    try:
        return await store.files.upsert(project, obj)
    except BaseException:
        await store.blobs.delete(file_id)
        raise


def _check_purpose(purpose: FilePurpose) -> None:
    """Refuse `evals`: the SDK's File type has no such purpose, so it could not parse the File."""
    if purpose == "evals":
        raise InvalidRequestError(
            "Invalid 'purpose': 'evals' is not supported by this server (it serves the "
            "Assistants API; the SDK's File object cannot carry that purpose).",
            param="purpose",
            code="invalid_value",
        )


def _expires_at(now: int, anchor: str | None, seconds: int | None) -> int | None:
    """`expires_after` is all or nothing: both the anchor and the seconds, or neither."""
    if anchor is None and seconds is None:
        return None
    missing = "expires_after[anchor]" if anchor is None else "expires_after[seconds]"
    if anchor is None or seconds is None:
        raise InvalidRequestError(
            f"Missing required parameter: '{missing}'.",
            param=missing,
            code="missing_required_parameter",
        )
    return now + seconds


async def _read_capped(upload: UploadFile) -> AsyncIterator[bytes]:
    """The upload in chunks; 400 past `MAX_FILE_BYTES` (the blob store drops the partial)."""
    total = 0
    while chunk := await upload.read(CHUNK_SIZE):
        total += len(chunk)
        if total > MAX_FILE_BYTES:
            raise InvalidRequestError(
                f"Invalid 'file': files may be at most {MAX_FILE_BYTES} bytes.", param="file"
            )
        yield chunk


@router.get("/files")
async def list_files(
    store: StoreDep,
    project: ProjectDep,
    purpose: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 10_000,
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    after: Annotated[str | None, Query()] = None,
) -> ListResponse[FileObject]:
    """The project's files, newest first by default; `/files` has no `before` cursor."""
    params = FileListParams(limit=limit, order=order, after=after)
    page = await store.files.list_files(project, params, purpose=purpose)
    return to_list(page)


@router.get("/files/{file_id}")
async def retrieve_file(file_id: FileId, store: StoreDep, project: ProjectDep) -> FileObject:
    """One file's metadata."""
    return await store.files.get(project, file_id)


@router.get("/files/{file_id}/content")
async def download_file(file_id: FileId, store: StoreDep, project: ProjectDep) -> StreamingResponse:
    """The raw bytes, streamed from the blob store (the metadata check scopes it to the project)."""
    obj = await store.files.get(project, file_id)
    chunks = await store.blobs.open(file_id)
    return StreamingResponse(
        chunks,
        media_type="application/octet-stream",
        headers={"content-length": str(obj.bytes)},
    )


@router.delete("/files/{file_id}")
async def delete_file(
    file_id: FileId, store: StoreDep, vector_stores: VectorStoresDep, project: ProjectDep
) -> FileDeleted:
    """Delete the metadata, detach the file from every vector store (its rows and chunks go,
    a running ingestion is cancelled), then delete the contents.

    Not done yet: removing the id from assistants' and threads' code_interpreter `file_ids`.
    """
    if not await store.files.delete(project, file_id):
        raise store.files.not_found(file_id)
    await vector_stores.detach_everywhere(project, file_id)
    await store.blobs.delete(file_id)
    return FileDeleted(id=file_id)
