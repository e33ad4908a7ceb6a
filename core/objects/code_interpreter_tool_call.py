"""A code_interpreter call in a run step (openai `.../runs/code_interpreter_tool_call.py`)."""

from __future__ import annotations

from typing import Annotated, Literal, TypeAlias

from pydantic import Field

from core.objects.shared import WireModel

__all__ = [
    "CodeInterpreter",
    "CodeInterpreterOutput",
    "CodeInterpreterOutputImage",
    "CodeInterpreterOutputImageImage",
    "CodeInterpreterOutputLogs",
    "CodeInterpreterToolCall",
]


class CodeInterpreterOutputLogs(WireModel):
    """Text output (stdout/stderr) of the code."""

    type: Literal["logs"] = "logs"
    """Always `logs`."""

    logs: str
    """The text output."""


class CodeInterpreterOutputImageImage(WireModel):
    """The File holding an image the code produced."""

    file_id: str
    """The id of the image File."""


class CodeInterpreterOutputImage(WireModel):
    """An image the code produced."""

    type: Literal["image"] = "image"
    """Always `image`."""

    image: CodeInterpreterOutputImageImage
    """The image File."""


CodeInterpreterOutput: TypeAlias = Annotated[
    CodeInterpreterOutputLogs | CodeInterpreterOutputImage, Field(discriminator="type")
]
"""One output of a code_interpreter call, discriminated on `type`."""


class CodeInterpreter(WireModel):
    """The code that ran and what it produced."""

    input: str
    """The code sent to the interpreter."""

    outputs: list[CodeInterpreterOutput] = Field(default_factory=list)
    """Logs and images, in order."""


class CodeInterpreterToolCall(WireModel):
    """A call of the code_interpreter tool."""

    id: str
    """The tool call id."""

    type: Literal["code_interpreter"] = "code_interpreter"
    """Always `code_interpreter`."""

    code_interpreter: CodeInterpreter
    """The code and its outputs."""
