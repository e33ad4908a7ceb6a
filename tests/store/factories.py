"""Minimal valid wire objects for store tests (ids are fresh unless given)."""

from __future__ import annotations

from typing import Any

from core.ids import new_id
from core.objects.assistant import Assistant
from core.objects.file_object import FileObject
from core.objects.message import Message
from core.objects.run import Run, TruncationStrategy
from core.objects.run_context import RunContext
from core.objects.run_step import (
    MessageCreation,
    MessageCreationStepDetails,
    RunStep,
    ToolCallsStepDetails,
)
from core.objects.thread import Thread
from core.objects.vector_store import VectorStore
from core.objects.vector_store_file import VectorStoreFile
from core.objects.vector_store_file_batch import VectorStoreFileBatch

NOW = 1_760_000_000


def assistant(*, created_at: int = NOW, **fields: Any) -> Assistant:
    """An assistant on `gpt-4o`."""
    fields.setdefault("id", new_id("assistant"))
    return Assistant(created_at=created_at, model="gpt-4o", **fields)


def thread(*, created_at: int = NOW, **fields: Any) -> Thread:
    """An empty thread."""
    fields.setdefault("id", new_id("thread"))
    return Thread(created_at=created_at, **fields)


def message(thread_id: str, *, created_at: int = NOW, **fields: Any) -> Message:
    """A completed user message without content."""
    fields.setdefault("id", new_id("message"))
    fields.setdefault("role", "user")
    fields.setdefault("status", "completed")
    return Message(thread_id=thread_id, created_at=created_at, **fields)


def run(thread_id: str, *, created_at: int = NOW, **fields: Any) -> Run:
    """A queued run."""
    fields.setdefault("id", new_id("run"))
    fields.setdefault("assistant_id", "asst_test")
    fields.setdefault("status", "queued")
    return Run(
        thread_id=thread_id, created_at=created_at, model="gpt-4o", instructions="", **fields
    )


def run_step(
    thread_id: str, run_id: str, *, created_at: int = NOW, tool_calls: bool = False, **fields: Any
) -> RunStep:
    """An in-progress step: message creation, or (empty) tool calls."""
    fields.setdefault("id", new_id("step"))
    fields.setdefault("status", "in_progress")
    details: MessageCreationStepDetails | ToolCallsStepDetails = (
        ToolCallsStepDetails()
        if tool_calls
        else MessageCreationStepDetails(message_creation=MessageCreation(message_id="msg_x"))
    )
    return RunStep(
        thread_id=thread_id,
        run_id=run_id,
        created_at=created_at,
        assistant_id="asst_test",
        type=details.type,
        step_details=details,
        **fields,
    )


def file_object(*, created_at: int = NOW, **fields: Any) -> FileObject:
    """A 3-byte `notes.txt` uploaded for assistants."""
    fields.setdefault("id", new_id("file"))
    fields.setdefault("purpose", "assistants")
    return FileObject(created_at=created_at, bytes=3, filename="notes.txt", **fields)


def vector_store(*, created_at: int = NOW, **fields: Any) -> VectorStore:
    """A completed, empty vector store."""
    fields.setdefault("id", new_id("vector_store"))
    fields.setdefault("status", "completed")
    return VectorStore(created_at=created_at, name="docs", **fields)


def vector_store_file(
    vector_store_id: str, *, created_at: int = NOW, **fields: Any
) -> VectorStoreFile:
    """A file being ingested into `vector_store_id`."""
    fields.setdefault("id", new_id("file"))
    fields.setdefault("status", "in_progress")
    return VectorStoreFile(vector_store_id=vector_store_id, created_at=created_at, **fields)


def file_batch(
    vector_store_id: str, *, created_at: int = NOW, **fields: Any
) -> VectorStoreFileBatch:
    """An in-progress file batch of `vector_store_id`."""
    fields.setdefault("id", new_id("file_batch"))
    fields.setdefault("status", "in_progress")
    return VectorStoreFileBatch(vector_store_id=vector_store_id, created_at=created_at, **fields)


def run_context(thread_id: str, run_id: str, *, created_at: int = NOW, **fields: Any) -> RunContext:
    """A recorded model call that kept one message and has no usage yet."""
    fields.setdefault("step_id", new_id("step"))
    defaults: dict[str, Any] = {
        "model": "gpt-4o", "truncation": TruncationStrategy(), "kept_message_ids": ["msg_1"],
        "dropped_message_ids": [], "unread_messages_dropped": False,
        "prompt_tokens_estimate": 42, "prompt_limit": None, "limited_by": None,
        "context_window": 128_000, "fits": True, "max_prompt_tokens": None,
        "max_completion_tokens": None, "usage": None,
    }  # fmt: skip
    return RunContext(
        thread_id=thread_id, run_id=run_id, created_at=created_at, **(defaults | fields)
    )
