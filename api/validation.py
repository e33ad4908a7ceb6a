"""Checks routes share: id prefixes in the path, the `OpenAI-Beta` header, references to other
objects, and the thread lock a new message must respect.

They raise `core.errors` exceptions, which `api/errors.py` renders in the OpenAI envelope.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Header, Path, Query

from core import ids
from core.errors import InvalidRequestError, NotFoundError
from core.objects.params import ImageFilePart, MessageCreateParams
from core.objects.params_assistants import ToolResourcesParam
from core.runs_client import ORPHAN_AFTER_S
from core.store import ACTIVE_RUN_STATUSES, Store

__all__ = [
    "AssistantId",
    "FileId",
    "MessageId",
    "RunIdFilter",
    "ThreadId",
    "check_id",
    "check_message_files",
    "check_thread_accepts_messages",
    "check_tool_resources",
    "require_assistants_v2",
]


def check_id(kind: ids.IdKind, value: str, param: str) -> str:
    """`value` if it has `kind`'s prefix; else OpenAI's 400 (not a 404: it can't be an id)."""
    if not ids.has_prefix(kind, value):
        expected = ids.PREFIXES[kind].rstrip("_-")
        raise InvalidRequestError(
            f"Invalid '{param}': '{value}'. Expected an ID that begins with '{expected}'.",
            param=param,
            code="invalid_value",
        )
    return value


async def _assistant_id(assistant_id: Annotated[str, Path()]) -> str:
    return check_id("assistant", assistant_id, "assistant_id")


async def _thread_id(thread_id: Annotated[str, Path()]) -> str:
    return check_id("thread", thread_id, "thread_id")


async def _message_id(message_id: Annotated[str, Path()]) -> str:
    return check_id("message", message_id, "message_id")


async def _file_id(file_id: Annotated[str, Path()]) -> str:
    return check_id("file", file_id, "file_id")


async def _run_id_filter(run_id: Annotated[str | None, Query()] = None) -> str | None:
    return None if run_id is None else check_id("run", run_id, "run_id")


AssistantId = Annotated[str, Depends(_assistant_id)]
ThreadId = Annotated[str, Depends(_thread_id)]
MessageId = Annotated[str, Depends(_message_id)]
FileId = Annotated[str, Depends(_file_id)]
RunIdFilter = Annotated[str | None, Depends(_run_id_filter)]
"""The `run_id` query filter of list-messages."""


async def require_assistants_v2(
    openai_beta: Annotated[str | None, Header(alias="OpenAI-Beta")] = None,
) -> None:
    """Router dependency: accept `assistants=v2` or no header (treated as v2); refuse others.

    The header may carry several comma-separated betas; only `assistants=...` is ours.
    """
    for beta in (openai_beta or "").split(","):
        name, _, version = beta.strip().partition("=")
        if name == "assistants" and version != "v2":
            raise InvalidRequestError(
                f"The Assistants API version '{version}' (OpenAI-Beta: {beta.strip()}) is not "
                "supported: this server implements Assistants v2 only. Send "
                "'OpenAI-Beta: assistants=v2', or omit the header.",
                code="invalid_beta",
            )


async def _check_files(store: Store, project_id: str, refs: Iterable[tuple[str, str]]) -> None:
    """Every `(param, file_id)` names a File of the project (another project's is a 404 too)."""
    for param, file_id in refs:
        if await store.files.find(project_id, file_id) is None:
            raise NotFoundError(f"No file found with id '{file_id}'.", param=param)


async def check_tool_resources(
    store: Store, project_id: str, resources: ToolResourcesParam | None
) -> None:
    """The files and vector stores `tool_resources` names exist in the project."""
    if resources is None:
        return
    param = "tool_resources.code_interpreter.file_ids"
    await _check_files(store, project_id, ((param, file_id) for file_id in resources.file_ids()))
    for store_id in resources.vector_store_ids():
        if await store.vector_stores.find(project_id, store_id) is None:
            raise NotFoundError(
                f"No vector store found with id '{store_id}'.",
                param="tool_resources.file_search.vector_store_ids",
            )


async def check_message_files(
    store: Store, project_id: str, params: MessageCreateParams, *, prefix: str = ""
) -> None:
    """The files a new message attaches or shows (`image_file`) exist in the project."""
    refs = [
        (f"{prefix}attachments[{i}].file_id", attachment.file_id)
        for i, attachment in enumerate(params.attachments or [])
    ]
    if not isinstance(params.content, str):
        refs += [
            (f"{prefix}content[{i}].image_file.file_id", part.image_file.file_id)
            for i, part in enumerate(params.content)
            if isinstance(part, ImageFilePart)
        ]
    await _check_files(store, project_id, refs)


async def check_thread_accepts_messages(store: Store, project_id: str, thread_id: str) -> None:
    """400 while a run of the thread is active (SPEC §1.1 wording).

    The lock alone is not enough: a run that ended may not have released it yet. A lock with no
    run row is a creation in flight (the lock is taken before the row is written), unless it is
    older than `ORPHAN_AFTER_S`, when its creator died (the runs client frees it then).
    """
    holder = await store.thread_locks.holder(thread_id)
    if holder is None:
        return
    run = await store.runs.find(project_id, holder)
    if run is None:
        claimed_at = await store.thread_locks.claimed_at(thread_id)
        active = claimed_at is not None and time.time() - claimed_at <= ORPHAN_AFTER_S
    else:
        active = run.status in ACTIVE_RUN_STATUSES
    if active:
        raise InvalidRequestError(
            f"Can't add messages to {thread_id} while a run {holder} is active."
        )
