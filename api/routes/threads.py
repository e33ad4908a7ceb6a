"""/v1/threads (SPEC §2.2): create (with initial messages), retrieve, modify, delete.

There is no list endpoint: OpenAI has none, clients keep their thread ids.
"""

from __future__ import annotations

import time
from typing import Annotated, Final

from fastapi import APIRouter, Body, Depends
from starlette.convertors import StringConvertor, register_url_convertor

from api.deps import ProjectDep, StoreDep, VectorStoresDep
from api.validation import (
    ThreadId,
    check_message_files,
    check_tool_resources,
    require_assistants_v2,
)
from core.ids import new_id
from core.objects.params_threads import ThreadCreateParams, ThreadUpdateParams
from core.objects.thread import Thread, ThreadDeleted
from core.run_factory import new_message
from core.vector_stores.helpers import prepare_thread


class _ThreadPathConvertor(StringConvertor):
    """A path segment that is not `runs`: `POST /threads/runs` is create-thread-and-run (runs
    router), and must not be taken for modify-thread whatever order the routers are mounted in.
    Other bad ids still reach the route, for the prefix check's 400."""

    regex = r"(?!runs(?:/|$))[^/]+"


register_url_convertor("thread_path", _ThreadPathConvertor())

router = APIRouter(tags=["threads"], dependencies=[Depends(require_assistants_v2)])
THREAD_PATH: Final = "/threads/{thread_id:thread_path}"


@router.post("/threads")
async def create_thread(
    store: StoreDep,
    vector_stores: VectorStoresDep,
    project: ProjectDep,
    params: Annotated[ThreadCreateParams | None, Body()] = None,
) -> Thread:
    """Create a thread and its initial messages, in order. The body may be empty.

    Its vector store (the `vector_stores` helper's, holding the files messages attach for
    file_search) is made first, so the thread is written naming it.
    """
    params = params or ThreadCreateParams()
    await check_tool_resources(store, project, params.tool_resources)
    for i, message_params in enumerate(params.messages or []):
        await check_message_files(store, project, message_params, prefix=f"messages[{i}].")
    params = await prepare_thread(vector_stores, project, params)
    now = int(time.time())
    thread = params.to_thread(new_id("thread"), now=now)
    # Messages first: a thread is visible only once its messages are (insertion order is the
    # tie-break of equal `created_at`s, so they list in request order).
    for message_params in params.messages or []:
        message = new_message(new_id("message"), thread.id, message_params, now=now)
        await store.messages.upsert(project, message)
    return await store.threads.upsert(project, thread)


@router.get(THREAD_PATH)
async def retrieve_thread(thread_id: ThreadId, store: StoreDep, project: ProjectDep) -> Thread:
    """One thread."""
    return await store.threads.get(project, thread_id)


@router.post(THREAD_PATH)
async def modify_thread(
    thread_id: ThreadId, params: ThreadUpdateParams, store: StoreDep, project: ProjectDep
) -> Thread:
    """Replace `metadata` (wholesale) and/or `tool_resources` (per tool)."""
    thread = await store.threads.get(project, thread_id)
    await check_tool_resources(store, project, params.tool_resources)
    return await store.threads.upsert(project, params.apply(thread))


@router.delete(THREAD_PATH)
async def delete_thread(thread_id: ThreadId, store: StoreDep, project: ProjectDep) -> ThreadDeleted:
    """Delete a thread with its messages and runs."""
    if not await store.threads.delete(project, thread_id):
        raise store.threads.not_found(thread_id)
    return ThreadDeleted(id=thread_id)
