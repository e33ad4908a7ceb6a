"""`tool_choice` of runs (openai `types/beta/assistant_tool_choice*.py`)."""

from __future__ import annotations

from typing import Literal, TypeAlias

from pydantic import model_validator

from core.objects.shared import WireModel

__all__ = ["AssistantToolChoice", "AssistantToolChoiceFunction", "AssistantToolChoiceOption"]


class AssistantToolChoiceFunction(WireModel):
    """The function a forced tool choice names."""

    name: str
    """The name of the function to call."""


class AssistantToolChoice(WireModel):
    """Forces the model to call one specific tool."""

    type: Literal["function", "code_interpreter", "file_search"]
    """The type of the tool; `function` also needs `function.name`."""

    function: AssistantToolChoiceFunction | None = None
    """The function to call; set exactly when `type` is `function`."""

    @model_validator(mode="after")
    def _function_iff_function_type(self) -> AssistantToolChoice:
        if (self.type == "function") != (self.function is not None):
            raise ValueError("`function` must be set exactly when `type` is 'function'")
        return self


AssistantToolChoiceOption: TypeAlias = Literal["none", "auto", "required"] | AssistantToolChoice
"""`none` (no tools), `auto` (the model decides), `required` (some tool), or one named tool."""
