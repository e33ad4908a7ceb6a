"""The `thread.run` object (openai `types/beta/threads/run.py`)."""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import Field

from core.objects.assistant_tool import AssistantTool
from core.objects.assistant_tool_choice import (
    AssistantToolChoice,
    AssistantToolChoiceFunction,
    AssistantToolChoiceOption,
)
from core.objects.response_format import AssistantResponseFormatOption
from core.objects.shared import Metadata, Usage, WireModel

__all__ = [
    "AssistantToolChoice",
    "AssistantToolChoiceFunction",
    "AssistantToolChoiceOption",
    "IncompleteDetails",
    "LastError",
    "RequiredAction",
    "RequiredActionFunction",
    "RequiredActionFunctionToolCall",
    "RequiredActionSubmitToolOutputs",
    "Run",
    "RunStatus",
    "TruncationStrategy",
    "Usage",
]

RunStatus: TypeAlias = Literal[
    "queued",
    "in_progress",
    "requires_action",
    "cancelling",
    "cancelled",
    "failed",
    "completed",
    "incomplete",
    "expired",
]
"""Lifecycle of a run (SPEC §3.2)."""


class RequiredActionFunction(WireModel):
    """The function call the run is waiting on."""

    name: str
    """The name of the function."""

    arguments: str
    """The arguments, as a JSON string."""


class RequiredActionFunctionToolCall(WireModel):
    """A function call whose output the client must submit."""

    id: str
    """The tool call id (`call_...`) to reference when submitting outputs."""

    type: Literal["function"] = "function"
    """Always `function`."""

    function: RequiredActionFunction
    """The function call."""


class RequiredActionSubmitToolOutputs(WireModel):
    """The tool outputs needed for the run to continue."""

    tool_calls: list[RequiredActionFunctionToolCall]
    """Every pending call; all outputs must arrive in one request."""


class RequiredAction(WireModel):
    """What the client must do for a `requires_action` run to continue."""

    type: Literal["submit_tool_outputs"] = "submit_tool_outputs"
    """Always `submit_tool_outputs`."""

    submit_tool_outputs: RequiredActionSubmitToolOutputs
    """The tool outputs needed for the run to continue."""


class LastError(WireModel):
    """The error that failed the run."""

    code: Literal["server_error", "rate_limit_exceeded", "invalid_prompt"]
    """One of `server_error`, `rate_limit_exceeded` or `invalid_prompt`."""

    message: str
    """A human-readable description of the error."""


class IncompleteDetails(WireModel):
    """Which token budget ended the run as `incomplete`."""

    reason: Literal["max_completion_tokens", "max_prompt_tokens"]
    """The budget that ran out."""


class TruncationStrategy(WireModel):
    """How the thread is truncated to form the run's context."""

    type: Literal["auto", "last_messages"] = "auto"
    """`auto` drops messages from the middle; `last_messages` keeps the newest N."""

    last_messages: int | None = None
    """N, the number of most recent messages kept (with `last_messages`)."""


class Run(WireModel):
    """One execution of an assistant on a thread."""

    id: str
    """The identifier (`run_...`); also the Temporal workflow id."""

    object: Literal["thread.run"] = "thread.run"
    """Always `thread.run`."""

    created_at: int
    """Unix timestamp (seconds) of creation."""

    thread_id: str
    """The thread the run executes on."""

    assistant_id: str
    """The assistant the run executes."""

    status: RunStatus
    """The run's lifecycle status."""

    required_action: RequiredAction | None = None
    """What the client must do; set only while `requires_action`."""

    last_error: LastError | None = None
    """The error that failed the run; null unless `failed`."""

    expires_at: int | None = None
    """Unix timestamp (seconds) when the run expires; null once terminal."""

    started_at: int | None = None
    """Unix timestamp (seconds) when the run (last) entered `in_progress`."""

    cancelled_at: int | None = None
    """Unix timestamp (seconds) of cancellation."""

    failed_at: int | None = None
    """Unix timestamp (seconds) of failure."""

    completed_at: int | None = None
    """Unix timestamp (seconds) of completion."""

    incomplete_details: IncompleteDetails | None = None
    """Why the run is incomplete; null unless `incomplete`."""

    model: str
    """The effective model (the run's override, else the assistant's)."""

    instructions: str
    """The effective instructions, `additional_instructions` appended."""

    tools: list[AssistantTool] = Field(default_factory=list)
    """The effective tools."""

    metadata: Metadata = Field(default_factory=dict)
    """Up to 16 key-value pairs attached to the object."""

    usage: Usage | None = None
    """Tokens used over every model call of the run; null until terminal."""

    temperature: float | None = 1.0
    """The sampling temperature used."""

    top_p: float | None = 1.0
    """The nucleus sampling mass used."""

    max_prompt_tokens: int | None = None
    """Run-wide prompt token budget (>= 256)."""

    max_completion_tokens: int | None = None
    """Run-wide completion token budget (>= 256)."""

    truncation_strategy: TruncationStrategy | None = Field(default_factory=TruncationStrategy)
    """How the thread is truncated to form the context."""

    tool_choice: AssistantToolChoiceOption | None = "auto"
    """Which tool, if any, the model must call."""

    parallel_tool_calls: bool = True
    """Whether the model may issue several function calls in one step."""

    response_format: AssistantResponseFormatOption | None = "auto"
    """The format the model must output."""
