"""Streaming run-step deltas (openai `types/beta/threads/runs/*_delta*.py`).

Never resend `id`, `name` or `message_id` after the first delta of an index: the SDK concatenates
strings, so they would double up (`call_1call_1`; SPEC §6.4).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field

from core.objects.shared import DeltaModel

__all__ = [
    "CodeInterpreterDelta",
    "CodeInterpreterLogs",
    "CodeInterpreterOutputDelta",
    "CodeInterpreterOutputImageDelta",
    "CodeInterpreterOutputImageDeltaImage",
    "CodeInterpreterToolCallDelta",
    "FileSearchToolCallDelta",
    "FunctionToolCallDelta",
    "FunctionToolCallDeltaFunction",
    "RunStepDelta",
    "RunStepDeltaEvent",
    "RunStepDeltaMessageCreation",
    "RunStepDeltaMessageDelta",
    "RunStepDeltaStepDetails",
    "ToolCallDelta",
    "ToolCallDeltaObject",
]


class FunctionToolCallDeltaFunction(DeltaModel):
    """A fragment of a function call."""

    name: str | None = None
    """The function name (first delta only)."""

    arguments: str | None = None
    """A fragment of the JSON arguments."""

    output: str | None = None
    """The submitted output."""


class FunctionToolCallDelta(DeltaModel):
    """A delta of a function call."""

    index: int
    """The index of the tool call in the step."""

    type: Literal["function"] = "function"
    """Always `function`."""

    id: str | None = None
    """The tool call id (first delta only)."""

    function: FunctionToolCallDeltaFunction | None = None
    """The function call fragment."""


class CodeInterpreterLogs(DeltaModel):
    """A logs output, in a delta."""

    index: int
    """The index of the output."""

    type: Literal["logs"] = "logs"
    """Always `logs`."""

    logs: str | None = None
    """The text output."""


class CodeInterpreterOutputImageDeltaImage(DeltaModel):
    """The image File, in a delta."""

    file_id: str | None = None
    """The id of the image File."""


class CodeInterpreterOutputImageDelta(DeltaModel):
    """An image output, in a delta (the SDK calls this `CodeInterpreterOutputImage`)."""

    index: int
    """The index of the output."""

    type: Literal["image"] = "image"
    """Always `image`."""

    image: CodeInterpreterOutputImageDeltaImage | None = None
    """The image File."""


CodeInterpreterOutputDelta: TypeAlias = Annotated[
    CodeInterpreterLogs | CodeInterpreterOutputImageDelta, Field(discriminator="type")
]
"""One code_interpreter output delta, discriminated on `type`."""


class CodeInterpreterDelta(DeltaModel):
    """A fragment of a code_interpreter call."""

    input: str | None = None
    """A fragment of the code."""

    outputs: list[CodeInterpreterOutputDelta] | None = None
    """Outputs, merged by `index`."""


class CodeInterpreterToolCallDelta(DeltaModel):
    """A delta of a code_interpreter call."""

    index: int
    """The index of the tool call in the step."""

    type: Literal["code_interpreter"] = "code_interpreter"
    """Always `code_interpreter`."""

    id: str | None = None
    """The tool call id (first delta only)."""

    code_interpreter: CodeInterpreterDelta | None = None
    """The code and output fragments."""


class FileSearchToolCallDelta(DeltaModel):
    """A delta of a file_search call."""

    index: int
    """The index of the tool call in the step."""

    type: Literal["file_search"] = "file_search"
    """Always `file_search`."""

    id: str | None = None
    """The tool call id (first delta only)."""

    file_search: dict[str, Any] = Field(default_factory=dict)
    """Always an empty object (required by the SDK)."""


ToolCallDelta: TypeAlias = Annotated[
    CodeInterpreterToolCallDelta | FileSearchToolCallDelta | FunctionToolCallDelta,
    Field(discriminator="type"),
]
"""One tool-call delta, discriminated on `type`."""


class ToolCallDeltaObject(DeltaModel):
    """Step-details delta of a `tool_calls` step."""

    type: Literal["tool_calls"] = "tool_calls"
    """Always `tool_calls`."""

    tool_calls: list[ToolCallDelta] | None = None
    """Tool-call deltas, merged by `index`."""


class RunStepDeltaMessageCreation(DeltaModel):
    """The created message, in a delta."""

    message_id: str | None = None
    """The id of the message."""


class RunStepDeltaMessageDelta(DeltaModel):
    """Step-details delta of a `message_creation` step."""

    type: Literal["message_creation"] = "message_creation"
    """Always `message_creation`."""

    message_creation: RunStepDeltaMessageCreation | None = None
    """The created message."""


RunStepDeltaStepDetails: TypeAlias = Annotated[
    RunStepDeltaMessageDelta | ToolCallDeltaObject, Field(discriminator="type")
]
"""A step-details delta, discriminated on `type`."""


class RunStepDelta(DeltaModel):
    """The fields of a run step that changed."""

    step_details: RunStepDeltaStepDetails | None = None
    """The step-details delta."""


class RunStepDeltaEvent(DeltaModel):
    """The data of a `thread.run.step.delta` event; the step must have been created first."""

    id: str
    """The id of the run step."""

    object: Literal["thread.run.step.delta"] = "thread.run.step.delta"
    """Always `thread.run.step.delta`."""

    delta: RunStepDelta
    """The fields that changed."""
