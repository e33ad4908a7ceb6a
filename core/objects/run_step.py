"""The `thread.run.step` object (openai `types/beta/threads/runs/run_step.py`)."""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

from pydantic import Field, model_validator

from core.objects.code_interpreter_tool_call import (
    CodeInterpreter,
    CodeInterpreterOutput,
    CodeInterpreterOutputImage,
    CodeInterpreterOutputImageImage,
    CodeInterpreterOutputLogs,
    CodeInterpreterToolCall,
)
from core.objects.file_search_tool_call import (
    FileSearchResult,
    FileSearchResultContent,
    FileSearchToolCall,
    FileSearchToolCallFileSearch,
    FileSearchToolCallRankingOptions,
)
from core.objects.function_tool_call import FunctionToolCall, FunctionToolCallFunction
from core.objects.shared import Metadata, Usage, WireModel

__all__ = [
    "CodeInterpreter",
    "CodeInterpreterOutput",
    "CodeInterpreterOutputImage",
    "CodeInterpreterOutputImageImage",
    "CodeInterpreterOutputLogs",
    "CodeInterpreterToolCall",
    "FileSearchResult",
    "FileSearchResultContent",
    "FileSearchToolCall",
    "FileSearchToolCallFileSearch",
    "FileSearchToolCallRankingOptions",
    "FunctionToolCall",
    "FunctionToolCallFunction",
    "MessageCreation",
    "MessageCreationStepDetails",
    "RunStep",
    "RunStepLastError",
    "RunStepStatus",
    "RunStepType",
    "StepDetails",
    "ToolCall",
    "ToolCallsStepDetails",
    "Usage",
]

RunStepStatus: TypeAlias = Literal["in_progress", "cancelled", "failed", "completed", "expired"]
"""Lifecycle of a run step; a step expires when its run does."""

RunStepType: TypeAlias = Literal["message_creation", "tool_calls"]
"""What a run step does."""

ToolCall: TypeAlias = Annotated[
    CodeInterpreterToolCall | FileSearchToolCall | FunctionToolCall, Field(discriminator="type")
]
"""One tool call of a `tool_calls` step, discriminated on `type`."""


class MessageCreation(WireModel):
    """The message a step created."""

    message_id: str
    """The id of the message."""


class MessageCreationStepDetails(WireModel):
    """Details of a `message_creation` step."""

    type: Literal["message_creation"] = "message_creation"
    """Always `message_creation`."""

    message_creation: MessageCreation
    """The message the step created."""


class ToolCallsStepDetails(WireModel):
    """Details of a `tool_calls` step."""

    type: Literal["tool_calls"] = "tool_calls"
    """Always `tool_calls`."""

    tool_calls: list[ToolCall] = Field(default_factory=list)
    """The tool calls of the step: code_interpreter, file_search or function."""


StepDetails: TypeAlias = Annotated[
    MessageCreationStepDetails | ToolCallsStepDetails, Field(discriminator="type")
]
"""The details of a run step, discriminated on `type`."""


class RunStepLastError(WireModel):
    """The error that failed the step."""

    code: Literal["server_error", "rate_limit_exceeded"]
    """One of `server_error` or `rate_limit_exceeded`."""

    message: str
    """A human-readable description of the error."""


class RunStep(WireModel):
    """One step of a run: creating a message or calling tools."""

    id: str
    """The identifier (`step_...`)."""

    object: Literal["thread.run.step"] = "thread.run.step"
    """Always `thread.run.step`."""

    created_at: int
    """Unix timestamp (seconds) of creation."""

    assistant_id: str
    """The assistant of the run."""

    thread_id: str
    """The thread of the run."""

    run_id: str
    """The run the step belongs to."""

    type: RunStepType
    """`message_creation` or `tool_calls`; always equal to `step_details.type`."""

    status: RunStepStatus
    """The step's lifecycle status."""

    step_details: StepDetails
    """The details of the step."""

    last_error: RunStepLastError | None = None
    """The error that failed the step; null unless `failed`."""

    expired_at: int | None = None
    """Unix timestamp (seconds) of expiry (when the run expired)."""

    cancelled_at: int | None = None
    """Unix timestamp (seconds) of cancellation."""

    failed_at: int | None = None
    """Unix timestamp (seconds) of failure."""

    completed_at: int | None = None
    """Unix timestamp (seconds) of completion."""

    metadata: Metadata = Field(default_factory=dict)
    """Up to 16 key-value pairs attached to the object."""

    usage: Usage | None = None
    """Tokens the step used; null while `in_progress`."""

    @model_validator(mode="after")
    def _type_matches_details(self) -> RunStep:
        if self.type != self.step_details.type:
            raise ValueError(
                f"type {self.type!r} does not match step_details.type {self.step_details.type!r}"
            )
        return self
