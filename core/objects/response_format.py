"""`response_format` of assistants and runs (openai `assistant_response_format_option.py`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import ConfigDict, Field

from core.objects.shared import WireModel

__all__ = [
    "AssistantResponseFormatOption",
    "JSONSchema",
    "ResponseFormat",
    "ResponseFormatJSONObject",
    "ResponseFormatJSONSchema",
    "ResponseFormatText",
]


class ResponseFormatText(WireModel):
    """Plain text output (the default)."""

    type: Literal["text"] = "text"
    """Always `text`."""


class ResponseFormatJSONObject(WireModel):
    """JSON mode: the output is valid JSON (the prompt must also ask for JSON)."""

    type: Literal["json_object"] = "json_object"
    """Always `json_object`."""


class JSONSchema(WireModel):
    """Structured Outputs configuration."""

    # `schema` would shadow `BaseModel.schema`, so the attribute is `schema_` and the wire name
    # is the alias; serialize by alias so dumps carry `schema`.
    model_config = ConfigDict(
        validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    name: str
    """Name of the format: a-z, A-Z, 0-9, underscores and dashes, at most 64 characters."""

    description: str | None = None
    """What the format is for, used by the model to decide how to respond."""

    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    """The JSON Schema the output must follow."""

    strict: bool | None = None
    """Whether the output must follow `schema` exactly."""


class ResponseFormatJSONSchema(WireModel):
    """Structured Outputs: the output follows a JSON Schema."""

    type: Literal["json_schema"] = "json_schema"
    """Always `json_schema`."""

    json_schema: JSONSchema
    """Structured Outputs configuration, including the JSON Schema."""


ResponseFormat: TypeAlias = Annotated[
    ResponseFormatText | ResponseFormatJSONObject | ResponseFormatJSONSchema,
    Field(discriminator="type"),
]
"""An explicit response format, discriminated on `type`."""

AssistantResponseFormatOption: TypeAlias = Literal["auto"] | ResponseFormat
"""`"auto"` (the default) or an explicit response format."""
