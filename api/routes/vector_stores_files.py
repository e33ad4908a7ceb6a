"""/v1/vector_stores/{id}/files (SPEC §2.8): attach, list, retrieve, relabel, detach, content.

Attaching starts the file's ingestion; the row reads `in_progress` until the ingestion workflow
records the outcome. GETs of a file carry `openai-poll-after-ms` for the SDK's pollers.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from api.deps import ProjectDep, VectorStoresDep
from api.pagination import ListParamsDep, to_list
from api.routes.vector_stores_paths import POLL_AFTER_MS, StatusFilter, VectorStoreId
from api.validation import FileId, require_assistants_v2
from core.objects.list import ListResponse
from core.objects.params_vector_stores import (
    VectorStoreFileCreateParams,
    VectorStoreFileUpdateParams,
)
from core.objects.vector_store_file import VectorStoreFile, VectorStoreFileDeleted
from core.vector_stores.pages import FileContentPage

router = APIRouter(tags=["vector_stores"], dependencies=[Depends(require_assistants_v2)])

FILES_PATH = "/vector_stores/{vector_store_id}/files"
FILE_PATH = f"{FILES_PATH}/{{file_id}}"


@router.post(FILES_PATH)
async def create_vector_store_file(
    vector_store_id: VectorStoreId,
    params: VectorStoreFileCreateParams,
    service: VectorStoresDep,
    project: ProjectDep,
) -> VectorStoreFile:
    """Attach a File and start ingesting it (again, if it was attached already)."""
    return await service.files.add(project, vector_store_id, params)


@router.get(FILES_PATH)
async def list_vector_store_files(
    vector_store_id: VectorStoreId,
    page: ListParamsDep,
    service: VectorStoresDep,
    project: ProjectDep,
    status: StatusFilter = None,
) -> ListResponse[VectorStoreFile]:
    """One page of the store's files, only those in the `filter` status if given."""
    return to_list(await service.files.list(project, vector_store_id, page, status=status))


@router.get(FILE_PATH)
async def retrieve_vector_store_file(
    vector_store_id: VectorStoreId,
    file_id: FileId,
    response: Response,
    service: VectorStoresDep,
    project: ProjectDep,
) -> VectorStoreFile:
    """One file of the store, with a hint that paces the SDK's polling."""
    response.headers["openai-poll-after-ms"] = POLL_AFTER_MS
    return await service.files.get(project, vector_store_id, file_id)


@router.post(FILE_PATH)
async def update_vector_store_file(
    vector_store_id: VectorStoreId,
    file_id: FileId,
    params: VectorStoreFileUpdateParams,
    service: VectorStoresDep,
    project: ProjectDep,
) -> VectorStoreFile:
    """Replace the file's attributes (null clears them)."""
    attributes = params.wire_attributes()
    return await service.files.update(project, vector_store_id, file_id, attributes)


@router.delete(FILE_PATH)
async def delete_vector_store_file(
    vector_store_id: VectorStoreId, file_id: FileId, service: VectorStoresDep, project: ProjectDep
) -> VectorStoreFileDeleted:
    """Detach the file from the store (its chunks go; the File stays)."""
    await service.files.delete(project, vector_store_id, file_id)
    return VectorStoreFileDeleted(id=file_id)


@router.get(f"{FILE_PATH}/content")
async def vector_store_file_content(
    vector_store_id: VectorStoreId, file_id: FileId, service: VectorStoresDep, project: ProjectDep
) -> FileContentPage:
    """The file's parsed text, as one `text` item (none until ingestion completed)."""
    return await service.files.content(project, vector_store_id, file_id)
