"""Request bodies, server-side: pydantic models with `extra="forbid"` so an unknown argument is a
400, as the Assistants API answers (SPEC §2, limits of §10). Shared by the API and the typed
runs client; field names are openai-python's `*CreateParams`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError

from core.objects.assistant_tool import AssistantTool
from core.objects.assistant_tool_choice import AssistantToolChoiceOption
from core.objects.message import Attachment
from core.objects.response_format import AssistantResponseFormatOption
from core.objects.run import TruncationStrategy

MAX_METADATA_PAIRS = 16
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512


def _check_metadata(value: dict[str, str] | None) -> dict[str, str] | None:
    # PydanticCustomError's type becomes the error `code` OpenAI sends (api/validation_errors.py).
    if value is None:
        return value
    if len(value) > MAX_METADATA_PAIRS:
        raise PydanticCustomError(
            "object_above_max_properties",
            "too many properties. Expected an object with at most {limit} properties, but got "
            "an object with {count} properties instead",
            {"limit": MAX_METADATA_PAIRS, "count": len(value)},
        )
    for key, item in value.items():
        if len(key) > MAX_METADATA_KEY:
            raise PydanticCustomError(
                "property_name_above_max_length",
                "property name too long. Expected property names with at most {limit} "
                "characters, but got '{key}...' ({length} characters) instead",
                {"limit": MAX_METADATA_KEY, "key": key[:16], "length": len(key)},
            )
        if len(item) > MAX_METADATA_VALUE:
            raise PydanticCustomError(
                "string_above_max_length",
                "string too long. Expected the value of '{key}' to have at most {limit} "
                "characters, but got {length} characters instead",
                {"limit": MAX_METADATA_VALUE, "key": key, "length": len(item)},
            )
    return value


MetadataParam = Annotated[dict[str, str] | None, AfterValidator(_check_metadata)]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TruncationStrategyParam(Params):
    """`truncation_strategy` as a request: `last_messages` is at least 1 (SPEC §3.3)."""

    type: Literal["auto", "last_messages"]
    last_messages: Annotated[int, Field(ge=1)] | None = None

    def to_wire(self) -> TruncationStrategy:
        return TruncationStrategy(type=self.type, last_messages=self.last_messages)


class TextPart(Params):
    type: Literal["text"]
    text: str


class ImageFileRef(Params):
    file_id: str
    detail: Literal["auto", "low", "high"] | None = None


class ImageFilePart(Params):
    type: Literal["image_file"]
    image_file: ImageFileRef


class ImageURLRef(Params):
    url: str
    detail: Literal["auto", "low", "high"] | None = None


class ImageURLPart(Params):
    type: Literal["image_url"]
    image_url: ImageURLRef


ContentPart = Annotated[TextPart | ImageFilePart | ImageURLPart, Field(discriminator="type")]


class MessageCreateParams(Params):
    """POST /threads/{thread_id}/messages, and `additional_messages[]` / `thread.messages[]`."""

    role: Literal["user", "assistant"]
    content: str | Annotated[list[ContentPart], Field(min_length=1)]
    attachments: list[Attachment] | None = None
    metadata: MetadataParam = None


class RunOptionsParams(Params):
    """The run fields shared by create-run and create-thread-and-run (SPEC §2.4, limits §10)."""

    assistant_id: str
    model: str | None = None
    instructions: str | None = Field(default=None, max_length=256_000)
    tools: Annotated[list[AssistantTool], Field(max_length=20)] | None = None
    metadata: MetadataParam = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    top_p: Annotated[float, Field(ge=0, le=1)] | None = None
    stream: bool | None = None
    max_prompt_tokens: Annotated[int, Field(ge=256)] | None = None
    max_completion_tokens: Annotated[int, Field(ge=256)] | None = None
    truncation_strategy: TruncationStrategyParam | None = None
    tool_choice: AssistantToolChoiceOption | None = None
    parallel_tool_calls: bool | None = None
    response_format: AssistantResponseFormatOption | None = None


class RunCreateParams(RunOptionsParams):
    """POST /threads/{thread_id}/runs (SPEC §2.4)."""

    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = (
        None
    )
    additional_instructions: str | None = None
    additional_messages: list[MessageCreateParams] | None = None

    def effective_options(self) -> dict[str, Any]:
        """The optional run fields a caller set explicitly (None means: take the default)."""
        return self.model_dump(exclude_none=True, exclude={"stream", "additional_messages"})
