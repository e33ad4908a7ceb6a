"""/v1/assistants (SPEC §2.1): create, list, retrieve, modify, delete."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends

from api.deps import ProjectDep, StoreDep, VectorStoresDep
from api.pagination import ListParamsDep, to_list
from api.validation import AssistantId, check_tool_resources, require_assistants_v2
from core.ids import new_id
from core.objects.assistant import Assistant, AssistantDeleted
from core.objects.list import ListResponse
from core.objects.params_assistants import AssistantCreateParams, AssistantUpdateParams
from core.vector_stores.helpers import create_helper_store

router = APIRouter(tags=["assistants"], dependencies=[Depends(require_assistants_v2)])


@router.post("/assistants")
async def create_assistant(
    params: AssistantCreateParams,
    store: StoreDep,
    vector_stores: VectorStoresDep,
    project: ProjectDep,
) -> Assistant:
    """Create an assistant (and the vector store its `vector_stores` helper describes)."""
    await check_tool_resources(store, project, params.tool_resources)
    resources = await create_helper_store(
        vector_stores, project, params.tool_resources, param="tool_resources"
    )
    if resources is not params.tool_resources:
        params = params.model_copy(update={"tool_resources": resources})
    assistant = params.to_assistant(new_id("assistant"), now=int(time.time()))
    return await store.assistants.upsert(project, assistant)


@router.get("/assistants")
async def list_assistants(
    page: ListParamsDep, store: StoreDep, project: ProjectDep
) -> ListResponse[Assistant]:
    """One page of the project's assistants."""
    return to_list(await store.assistants.list(project, page))


@router.get("/assistants/{assistant_id}")
async def retrieve_assistant(
    assistant_id: AssistantId, store: StoreDep, project: ProjectDep
) -> Assistant:
    """One assistant."""
    return await store.assistants.get(project, assistant_id)


@router.post("/assistants/{assistant_id}")
async def modify_assistant(
    assistant_id: AssistantId, params: AssistantUpdateParams, store: StoreDep, project: ProjectDep
) -> Assistant:
    """Replace the fields the request sets (metadata wholesale, tool_resources per tool)."""
    assistant = await store.assistants.get(project, assistant_id)
    await check_tool_resources(store, project, params.tool_resources)
    return await store.assistants.upsert(project, params.apply(assistant))


@router.delete("/assistants/{assistant_id}")
async def delete_assistant(
    assistant_id: AssistantId, store: StoreDep, project: ProjectDep
) -> AssistantDeleted:
    """Delete an assistant (runs already created keep their copy of its settings)."""
    if not await store.assistants.delete(project, assistant_id):
        raise store.assistants.not_found(assistant_id)
    return AssistantDeleted(id=assistant_id)
