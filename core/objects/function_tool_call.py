"""A function call in a run step (openai `types/beta/threads/runs/function_tool_call.py`)."""

from __future__ import annotations

from typing import Literal

from core.objects.shared import WireModel

__all__ = ["FunctionToolCall", "FunctionToolCallFunction"]


class FunctionToolCallFunction(WireModel):
    """The function that was called, and its output once submitted."""

    name: str
    """The name of the function."""

    arguments: str
    """The arguments, as a JSON string."""

    output: str | None = None
    """The submitted output; null until tool outputs arrive."""


class FunctionToolCall(WireModel):
    """A call of a function tool."""

    id: str
    """The tool call id (`call_...`)."""

    type: Literal["function"] = "function"
    """Always `function`."""

    function: FunctionToolCallFunction
    """The function that was called."""
