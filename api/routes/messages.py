"""/v1/threads/{thread_id}/messages (SPEC §2.3, §5): create, list, retrieve, modify, delete."""

from __future__ import annotations

import time

from fastapi import APIRouter, Depends

from api.deps import ProjectDep, StoreDep, VectorStoresDep
from api.pagination import ListParamsDep, to_list
from api.validation import (
    MessageId,
    RunIdFilter,
    ThreadId,
    check_message_files,
    check_thread_accepts_messages,
    require_assistants_v2,
)
from core.ids import new_id
from core.objects.list import ListResponse
from core.objects.message import Message, MessageDeleted
from core.objects.params import MessageCreateParams
from core.objects.params_threads import MessageUpdateParams
from core.run_factory import new_message
from core.vector_stores.helpers import attach_message_files

router = APIRouter(tags=["messages"], dependencies=[Depends(require_assistants_v2)])


@router.post("/threads/{thread_id}/messages")
async def create_message(
    thread_id: ThreadId, params: MessageCreateParams, store: StoreDep,
    vector_stores: VectorStoresDep, project: ProjectDep,
) -> Message:  # fmt: skip
    """Add a message; refused (400) while a run of the thread is active.

    Files it attaches for file_search go into the thread's vector store (made if need be).
    """
    await store.threads.get(project, thread_id)
    await check_thread_accepts_messages(store, project, thread_id)
    await check_message_files(store, project, params)
    await attach_message_files(vector_stores, store, project, thread_id, [params])
    message = new_message(new_id("message"), thread_id, params, now=int(time.time()))
    return await store.messages.upsert(project, message)


@router.get("/threads/{thread_id}/messages")
async def list_messages(
    thread_id: ThreadId, page: ListParamsDep, run_id: RunIdFilter, store: StoreDep,
    project: ProjectDep,
) -> ListResponse[Message]:  # fmt: skip
    """One page of the thread's messages, only those `run_id` created if given."""
    await store.threads.get(project, thread_id)
    return to_list(await store.messages.list_for_thread(project, thread_id, page, run_id=run_id))


@router.get("/threads/{thread_id}/messages/{message_id}")
async def retrieve_message(
    thread_id: ThreadId, message_id: MessageId, store: StoreDep, project: ProjectDep
) -> Message:
    """One message of the thread."""
    await store.threads.get(project, thread_id)
    return await store.messages.get(project, message_id, thread_id=thread_id)


@router.post("/threads/{thread_id}/messages/{message_id}")
async def modify_message(
    thread_id: ThreadId, message_id: MessageId, params: MessageUpdateParams, store: StoreDep,
    project: ProjectDep,
) -> Message:  # fmt: skip
    """Replace the message's metadata (the only field that can change)."""
    await store.threads.get(project, thread_id)
    message = await store.messages.get(project, message_id, thread_id=thread_id)
    return await store.messages.upsert(project, params.apply(message))


@router.delete("/threads/{thread_id}/messages/{message_id}")
async def delete_message(
    thread_id: ThreadId, message_id: MessageId, store: StoreDep, project: ProjectDep
) -> MessageDeleted:
    """Delete one message of the thread."""
    await store.threads.get(project, thread_id)
    if not await store.messages.delete(project, message_id, thread_id=thread_id):
        raise store.messages.not_found(message_id)
    return MessageDeleted(id=message_id)
