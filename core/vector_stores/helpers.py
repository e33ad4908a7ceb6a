"""Vector stores made on the side: the inline `tool_resources.file_search.vector_stores` helper of
create-assistant and create-thread, and the thread store message attachments fill (SPEC §7).

A thread has at most one vector store. Files attached to its messages for `file_search` go into
that store, which is created on demand and recorded in the thread's `tool_resources`. Stores
created for threads (by either path) expire 7 days after they were last active, as OpenAI's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from core.objects.params import MessageCreateParams
from core.objects.params_assistants import ToolResourcesCreateParam
from core.objects.params_threads import ThreadCreateParams
from core.objects.thread import Thread
from core.objects.tool_resources import ToolResources, ToolResourcesFileSearch
from core.objects.vector_store import ExpiresAfter
from core.store import Store
from core.vector_stores.service import VectorStoreService

__all__ = [
    "THREAD_STORE_EXPIRY",
    "THREAD_STORE_NAME",
    "attach_message_files",
    "create_helper_store",
    "file_search_attachments",
    "prepare_thread",
]

THREAD_STORE_NAME: Final = "thread vector store"
"""The name of a store created for a thread's message attachments."""

THREAD_STORE_EXPIRY: Final = ExpiresAfter(anchor="last_active_at", days=7)
"""Thread stores expire a week after their last use (the file-search guide's default)."""


def file_search_attachments(messages: Iterable[MessageCreateParams]) -> list[str]:
    """The ids of the files attached for `file_search`, in order, each once."""
    file_ids = [
        attachment.file_id
        for message in messages
        for attachment in message.attachments or []
        if any(tool.type == "file_search" for tool in attachment.tools)
    ]
    return list(dict.fromkeys(file_ids))


async def create_helper_store(
    service: VectorStoreService,
    project_id: str,
    resources: ToolResourcesCreateParam | None,
    *,
    param: str,
    expires_after: ExpiresAfter | None = None,
) -> ToolResourcesCreateParam | None:
    """Create the store the `vector_stores` helper asks for; `resources` naming it instead.

    Args:
        param: Where `resources` sits in the request (`tool_resources`), for 404s.
        expires_after: The new store's policy (threads' stores expire, assistants' do not).
    """
    helper = resources.vector_store_helper() if resources else None
    if resources is None or helper is None:
        return resources
    created = await service.create(
        project_id, file_ids=helper.file_ids, chunking_strategy=helper.chunking_strategy,
        metadata=helper.metadata, expires_after=expires_after,
        file_ids_param=f"{param}.file_search.vector_stores[0].file_ids",
    )  # fmt: skip
    return resources.with_vector_store(created.id)


async def prepare_thread(
    service: VectorStoreService, project_id: str, params: ThreadCreateParams, *, prefix: str = ""
) -> ThreadCreateParams:
    """A new thread's request with its vector store made: the helper's, and the attachments'
    files added to it (or to the store the request names, or to a new thread store).

    Call it after the request's references were checked and before the thread is written;
    `prefix` locates `params` in the request (`thread.` in create-thread-and-run).
    """
    resources = await create_helper_store(
        service, project_id, params.tool_resources, param=f"{prefix}tool_resources",
        expires_after=THREAD_STORE_EXPIRY,
    )  # fmt: skip
    file_ids = file_search_attachments(params.messages or [])
    named = resources.vector_store_ids() if resources else []
    if file_ids and named:
        await service.files.add_missing(project_id, named[0], file_ids)
    elif file_ids:
        created = await service.create(
            project_id, name=THREAD_STORE_NAME, file_ids=file_ids,
            expires_after=THREAD_STORE_EXPIRY, file_ids_param=f"{prefix}messages.attachments",
        )  # fmt: skip
        resources = (resources or ToolResourcesCreateParam()).with_vector_store(created.id)
    if resources is params.tool_resources:
        return params
    return params.model_copy(update={"tool_resources": resources})


async def attach_message_files(
    service: VectorStoreService,
    store: Store,
    project_id: str,
    thread_id: str,
    messages: Iterable[MessageCreateParams],
) -> None:
    """Add the files new messages of an existing thread attach for `file_search` to the
    thread's store, creating it (and recording it on the thread) if it has none.

    Files already in the store and not failed or cancelled are left alone (not re-ingested).
    """
    file_ids = file_search_attachments(messages)
    if not file_ids:
        return
    thread = await store.threads.get(project_id, thread_id)
    current = _thread_store_id(thread)
    if current is not None and await service.find(project_id, current) is not None:
        await service.files.add_missing(project_id, current, file_ids)
        return
    created = await service.create(
        project_id, name=THREAD_STORE_NAME, file_ids=file_ids,
        expires_after=THREAD_STORE_EXPIRY, file_ids_param="attachments",
    )  # fmt: skip
    await store.threads.modify(project_id, thread_id, lambda t: _with_store(t, created.id))


def _thread_store_id(thread: Thread) -> str | None:
    file_search = thread.tool_resources.file_search if thread.tool_resources else None
    ids = file_search.vector_store_ids if file_search else []
    return ids[0] if ids else None


def _with_store(thread: Thread, vector_store_id: str) -> Thread:
    """The thread with file_search on `vector_store_id` (its other resources kept)."""
    resources = thread.tool_resources or ToolResources()
    file_search = ToolResourcesFileSearch(vector_store_ids=[vector_store_id])
    updated = resources.model_copy(update={"file_search": file_search})
    return thread.model_copy(update={"tool_resources": updated})
