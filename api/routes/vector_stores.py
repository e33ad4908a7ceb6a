"""/v1/vector_stores (SPEC §2.7): create, list, retrieve, modify, delete, search.

Every read computes `file_counts`, `usage_bytes`, `status` and `expires_at` from the store's
files at that moment (`core.vector_stores.rules`). Files and batches have their own routers.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import ProjectDep, RetrieverDep, VectorStoresDep
from api.pagination import ListParamsDep, to_list
from api.routes.vector_stores_paths import VectorStoreId
from api.validation import require_assistants_v2
from core.objects.list import ListResponse
from core.objects.params_vector_stores import (
    VectorStoreCreateParams,
    VectorStoreSearchParams,
    VectorStoreUpdateParams,
)
from core.objects.vector_store import VectorStore, VectorStoreDeleted
from core.vector_stores.pages import SearchResultsPage
from core.vector_stores.search import search

router = APIRouter(tags=["vector_stores"], dependencies=[Depends(require_assistants_v2)])

STORE_PATH = "/vector_stores/{vector_store_id}"


@router.post("/vector_stores")
async def create_vector_store(
    params: VectorStoreCreateParams, service: VectorStoresDep, project: ProjectDep
) -> VectorStore:
    """Create a store; each of `file_ids` starts ingesting (`description` is not kept)."""
    expires_after = params.expires_after.to_wire() if params.expires_after else None
    return await service.create(
        project, name=params.name, file_ids=params.file_ids or [],
        chunking_strategy=params.chunking_strategy, expires_after=expires_after,
        metadata=params.metadata,
    )  # fmt: skip


@router.get("/vector_stores")
async def list_vector_stores(
    page: ListParamsDep, service: VectorStoresDep, project: ProjectDep
) -> ListResponse[VectorStore]:
    """One page of the project's stores."""
    return to_list(await service.list(project, page))


@router.get(STORE_PATH)
async def retrieve_vector_store(
    vector_store_id: VectorStoreId, service: VectorStoresDep, project: ProjectDep
) -> VectorStore:
    """One store."""
    return await service.get(project, vector_store_id)


@router.post(STORE_PATH)
async def modify_vector_store(
    vector_store_id: VectorStoreId,
    params: VectorStoreUpdateParams,
    service: VectorStoresDep,
    project: ProjectDep,
) -> VectorStore:
    """Change `name`, `expires_after` (null clears it) or `metadata` (replaced whole)."""
    return await service.modify(project, vector_store_id, params)


@router.delete(STORE_PATH)
async def delete_vector_store(
    vector_store_id: VectorStoreId, service: VectorStoresDep, project: ProjectDep
) -> VectorStoreDeleted:
    """Delete the store and its chunks, cancelling ingestions; the Files stay."""
    await service.delete(project, vector_store_id)
    return VectorStoreDeleted(id=vector_store_id)


@router.post(f"{STORE_PATH}/search")
async def search_vector_store(
    vector_store_id: VectorStoreId,
    params: VectorStoreSearchParams,
    service: VectorStoresDep,
    retriever: RetrieverDep,
    project: ProjectDep,
) -> SearchResultsPage:
    """The best chunks of the store's completed files (queries are not rewritten)."""
    return await search(service, retriever, project, vector_store_id, params)
