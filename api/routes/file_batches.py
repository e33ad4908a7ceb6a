"""/v1/vector_stores/{id}/file_batches (SPEC §2.8): create, retrieve, cancel, list files.

A batch's `file_counts` and `status` are computed from its files on every read, so the SDK's
`create_and_poll` (which waits for `file_counts.in_progress == 0`) ends as soon as they are done.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response

from api.deps import ProjectDep, VectorStoresDep
from api.pagination import ListParamsDep, to_list
from api.routes.vector_stores_paths import POLL_AFTER_MS, BatchId, StatusFilter, VectorStoreId
from api.validation import require_assistants_v2
from core.objects.list import ListResponse
from core.objects.params_vector_stores import FileBatchCreateParams
from core.objects.vector_store_file import VectorStoreFile
from core.objects.vector_store_file_batch import VectorStoreFileBatch

router = APIRouter(tags=["vector_stores"], dependencies=[Depends(require_assistants_v2)])

BATCHES_PATH = "/vector_stores/{vector_store_id}/file_batches"
BATCH_PATH = f"{BATCHES_PATH}/{{batch_id}}"


@router.post(BATCHES_PATH)
async def create_file_batch(
    vector_store_id: VectorStoreId,
    params: FileBatchCreateParams,
    service: VectorStoresDep,
    project: ProjectDep,
) -> VectorStoreFileBatch:
    """Attach every file (all checked first) and start their ingestions."""
    return await service.batches.create(project, vector_store_id, params)


@router.get(BATCH_PATH)
async def retrieve_file_batch(
    vector_store_id: VectorStoreId,
    batch_id: BatchId,
    response: Response,
    service: VectorStoresDep,
    project: ProjectDep,
) -> VectorStoreFileBatch:
    """The batch with live counts, and a hint that paces the SDK's polling."""
    response.headers["openai-poll-after-ms"] = POLL_AFTER_MS
    return await service.batches.get(project, vector_store_id, batch_id)


@router.post(f"{BATCH_PATH}/cancel")
async def cancel_file_batch(
    vector_store_id: VectorStoreId, batch_id: BatchId, service: VectorStoresDep, project: ProjectDep
) -> VectorStoreFileBatch:
    """Cancel the batch's files still ingesting; 400 once the batch has ended."""
    return await service.batches.cancel(project, vector_store_id, batch_id)


@router.get(f"{BATCH_PATH}/files")
async def list_file_batch_files(
    vector_store_id: VectorStoreId,
    batch_id: BatchId,
    page: ListParamsDep,
    service: VectorStoresDep,
    project: ProjectDep,
    status: StatusFilter = None,
) -> ListResponse[VectorStoreFile]:
    """One page of the batch's files, only those in the `filter` status if given."""
    return to_list(
        await service.batches.list_files(project, vector_store_id, batch_id, page, status=status)
    )
