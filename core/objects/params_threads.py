"""Request bodies of `/threads` and of modifying a message (SPEC §2.2, §2.3).

Creating a message reuses `MessageCreateParams` (core/objects/params.py). Like every request model,
`extra="forbid"`: an unknown argument is a 400.
"""

from __future__ import annotations

from core.objects.message import Message
from core.objects.params import MessageCreateParams, MetadataParam, Params
from core.objects.params_assistants import ToolResourcesCreateParam, ToolResourcesParam
from core.objects.thread import Thread

__all__ = ["MessageUpdateParams", "ThreadCreateParams", "ThreadUpdateParams"]


class ThreadUpdateParams(Params):
    """POST /threads/{thread_id}: `metadata` (replaced wholesale) and `tool_resources` (ids)."""

    tool_resources: ToolResourcesParam | None = None
    metadata: MetadataParam = None

    def apply(self, thread: Thread) -> Thread:
        """The thread with the fields this request set replaced."""
        changes: dict[str, object] = {}
        if "metadata" in self.model_fields_set:
            changes["metadata"] = self.metadata or {}
        if "tool_resources" in self.model_fields_set:
            resources = self.tool_resources
            changes["tool_resources"] = (
                resources.merged_into(thread.tool_resources) if resources else None
            )
        return thread.model_copy(update=changes)


class ThreadCreateParams(ThreadUpdateParams):
    """POST /threads: optional initial `messages`; the body may be empty."""

    messages: list[MessageCreateParams] | None = None
    tool_resources: ToolResourcesCreateParam | None = None

    def to_thread(self, thread_id: str, *, now: int) -> Thread:
        """The new thread (its messages are created separately, in order)."""
        return self.apply(Thread(id=thread_id, created_at=now))


class MessageUpdateParams(Params):
    """POST /threads/{thread_id}/messages/{message_id}: only `metadata` can change."""

    metadata: MetadataParam = None

    def apply(self, message: Message) -> Message:
        """The message with its metadata replaced wholesale (if the request set it)."""
        if "metadata" not in self.model_fields_set:
            return message
        return message.model_copy(update={"metadata": self.metadata or {}})
