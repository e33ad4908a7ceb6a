"""The `thread.message` object (openai `types/beta/threads/message.py`)."""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

from pydantic import Field

from core.objects.assistant_tool import CodeInterpreterTool
from core.objects.message_content import (
    Annotation,
    FileCitation,
    FileCitationAnnotation,
    FilePath,
    FilePathAnnotation,
    ImageDetail,
    ImageFile,
    ImageFileContentBlock,
    ImageURL,
    ImageURLContentBlock,
    MessageContent,
    RefusalContentBlock,
    Text,
    TextContentBlock,
)
from core.objects.shared import DeletedObject, Metadata, WireModel

__all__ = [
    "Annotation",
    "Attachment",
    "AttachmentTool",
    "AttachmentToolFileSearch",
    "FileCitation",
    "FileCitationAnnotation",
    "FilePath",
    "FilePathAnnotation",
    "ImageDetail",
    "ImageFile",
    "ImageFileContentBlock",
    "ImageURL",
    "ImageURLContentBlock",
    "Message",
    "MessageContent",
    "MessageDeleted",
    "MessageIncompleteDetails",
    "MessageRole",
    "MessageStatus",
    "RefusalContentBlock",
    "Text",
    "TextContentBlock",
]

MessageStatus: TypeAlias = Literal["in_progress", "incomplete", "completed"]
"""Lifecycle of a message; only run-authored messages are ever `in_progress`."""

MessageRole: TypeAlias = Literal["user", "assistant"]
"""Who produced a message. There is no `system` role; use instructions."""


class AttachmentToolFileSearch(WireModel):
    """The file_search tool as named in an attachment: the type only, no overrides."""

    type: Literal["file_search"] = "file_search"
    """Always `file_search`."""


AttachmentTool: TypeAlias = Annotated[
    CodeInterpreterTool | AttachmentToolFileSearch, Field(discriminator="type")
]
"""A tool an attached file is added to, discriminated on `type`."""


class Attachment(WireModel):
    """A file attached to a message and the tools it was added to."""

    file_id: str
    """The id of the attached file."""

    tools: list[AttachmentTool]
    """The tools the file was added to (into the thread's tool resources)."""


class MessageIncompleteDetails(WireModel):
    """Why a message is incomplete."""

    reason: Literal["content_filter", "max_tokens", "run_cancelled", "run_expired", "run_failed"]
    """The reason the message is incomplete."""


class Message(WireModel):
    """A message in a thread, written by the user or by a run."""

    id: str
    """The identifier (`msg_...`)."""

    object: Literal["thread.message"] = "thread.message"
    """Always `thread.message`."""

    created_at: int
    """Unix timestamp (seconds) of creation."""

    thread_id: str
    """The thread the message belongs to."""

    status: MessageStatus
    """`in_progress`, `incomplete` or `completed`."""

    incomplete_details: MessageIncompleteDetails | None = None
    """Why the message is incomplete; null unless `status` is `incomplete`."""

    completed_at: int | None = None
    """Unix timestamp (seconds) of completion."""

    incomplete_at: int | None = None
    """Unix timestamp (seconds) of when the message was marked incomplete."""

    role: MessageRole
    """`user` or `assistant`."""

    content: list[MessageContent] = Field(default_factory=list)
    """The content blocks: text, images and refusals."""

    assistant_id: str | None = None
    """The assistant that authored the message, for messages a run created."""

    run_id: str | None = None
    """The run that created the message; null for create-message and create-thread."""

    attachments: list[Attachment] | None = Field(default_factory=list)
    """Files attached to the message and the tools they were added to."""

    metadata: Metadata = Field(default_factory=dict)
    """Up to 16 key-value pairs attached to the object."""


class MessageDeleted(DeletedObject):
    """Response of `DELETE /threads/{thread_id}/messages/{message_id}`."""

    object: Literal["thread.message.deleted"] = "thread.message.deleted"
    """Always `thread.message.deleted`."""
