"""Request bodies of the run endpoints beyond `RunCreateParams` (SPEC §2.4; limits of §10).

Like `core.objects.params`, every model forbids unknown fields, so a misspelled argument is a 400
rather than silently ignored.
"""

from __future__ import annotations

from core.objects.params import (
    MetadataParam,
    Params,
    RunCreateParams,
    RunOptionsParams,
)
from core.objects.params_assistants import ToolResourcesParam
from core.objects.params_threads import ThreadCreateParams
from core.objects.thread import Thread

__all__ = [
    "RunUpdateParams",
    "SubmitToolOutputsParams",
    "ThreadAndRunCreateParams",
    "ToolOutputParam",
]


class ThreadAndRunCreateParams(RunOptionsParams):
    """POST /threads/runs: create a thread and run it in one request (SPEC §2.4).

    The run fields of `RunCreateParams` without `additional_instructions`,
    `additional_messages` and `reasoning_effort` (the thread's own messages take their place).
    """

    thread: ThreadCreateParams | None = None
    """The thread to create (as POST /threads takes it); an empty one if absent."""
    tool_resources: ToolResourcesParam | None = None

    def run_params(self) -> RunCreateParams:
        """The run part, as the body of a create-run request on the new thread."""
        fields = self.model_dump(exclude={"thread", "tool_resources"}, exclude_unset=True)
        return RunCreateParams.model_validate(fields)

    def new_thread(self, thread_id: str, *, now: int) -> Thread:
        """The thread to create (its messages are created separately, in order).

        Top-level `tool_resources` apply when the thread names none: runs carry no resources
        of their own (only the assistant's and the thread's are in scope, SPEC §2.4), and this
        thread exists for this run.
        """
        thread = (self.thread or ThreadCreateParams()).to_thread(thread_id, now=now)
        if thread.tool_resources is None and self.tool_resources is not None:
            thread = thread.model_copy(update={"tool_resources": self.tool_resources.to_wire()})
        return thread


class RunUpdateParams(Params):
    """POST /threads/{thread_id}/runs/{run_id}: only `metadata` can change (replaced whole)."""

    metadata: MetadataParam = None


class ToolOutputParam(Params):
    """One `tool_outputs[]` entry."""

    tool_call_id: str
    output: str


class SubmitToolOutputsParams(Params):
    """POST .../submit_tool_outputs: every pending call's output, in one request."""

    tool_outputs: list[ToolOutputParam]
    stream: bool | None = None
