"""Inputs and results of the activities RunWorkflow drives.

Ids (steps, messages, tool calls) are minted in the workflow and passed in, so every activity is
an idempotent upsert: a retry or a replay never duplicates anything.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from workflows.types import IncompleteReason, LastErrorCode, RunStatus, TokenUsage, ToolOutput

MessageIncompleteReason = Literal["run_cancelled", "run_expired", "run_failed", "max_tokens"]


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class RunRef(_Payload):
    """Identifies a run for every activity."""

    run_id: str
    thread_id: str
    project_id: str


class LastErrorInput(_Payload):
    code: LastErrorCode
    message: str


class RecordRunStatusInput(_Payload):
    """Move the run's row to `status` and append `thread.run.<status>` to its event log.

    Terminal statuses cascade: the open step ends with the run, an open message becomes
    incomplete, and the thread's lock is released.
    """

    run: RunRef
    status: RunStatus
    transition: int
    """Sequence number of this transition in the run; the event's idempotency key."""
    at: int
    """Unix seconds, from workflow.now()."""
    usage: TokenUsage | None = None
    last_error: LastErrorInput | None = None
    incomplete_reason: IncompleteReason | None = None
    required_action_step_id: str | None = None
    """For requires_action: the tool_calls step whose pending function calls need outputs."""
    pending_call_ids: list[str] = []
    message_incomplete_reason: MessageIncompleteReason | None = None


class GenerateInput(_Payload):
    """One model call: build the context, stream the reply, persist the step it produced."""

    run: RunRef
    step_id: str
    message_id: str
    at: int
    max_prompt_tokens: int | None = None
    """Remaining run-wide prompt budget (None: uncapped)."""
    max_completion_tokens: int | None = None
    """Remaining run-wide completion budget (None: uncapped)."""


class GeneratedToolCall(_Payload):
    id: str
    name: str
    server_side: bool
    """Registered on this server: dispatched as an activity instead of requires_action."""
    kind: Literal["function", "file_search", "code_interpreter"] = "function"
    """Which activity runs a server-side call: a registered function or a built-in tool."""


class GenerateResult(_Payload):
    kind: Literal["message", "tool_calls", "prompt_too_large"]
    finish_reason: str = "stop"
    usage: TokenUsage = TokenUsage()
    tool_calls: list[GeneratedToolCall] = []


class DispatchToolInput(_Payload):
    """Run one server-registered function tool and write its output into the step."""

    run: RunRef
    step_id: str
    call_id: str


class CompleteToolStepInput(_Payload):
    """Write outputs (client-submitted ones, if any) into the step and complete it."""

    run: RunRef
    step_id: str
    at: int
    usage: TokenUsage
    outputs: list[ToolOutput] = []
