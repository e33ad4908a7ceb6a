"""Request bodies of `/assistants` (SPEC §2.1), and the `tools` / `tool_resources` /
`response_format` request shapes threads and runs share.

Server-side pydantic models with `extra="forbid"` (an unknown argument is a 400). Limits are those
of SPEC §10. Each body turns itself into the wire object (`to_assistant`, `apply`), so routes only
translate.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import Field, TypeAdapter, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from core.objects.assistant import Assistant
from core.objects.assistant_tool import AssistantTool
from core.objects.params import MetadataParam, Params
from core.objects.params_vector_stores import ChunkingStrategyParam
from core.objects.response_format import AssistantResponseFormatOption
from core.objects.tool_resources import (
    ToolResources,
    ToolResourcesCodeInterpreter,
    ToolResourcesFileSearch,
)

__all__ = [
    "AssistantCreateParams",
    "AssistantUpdateParams",
    "ToolParam",
    "ToolResourcesCreateParam",
    "ToolResourcesParam",
]

NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
"""Function and json_schema names (SPEC §10)."""

MAX_TOOLS = 128
MAX_CODE_INTERPRETER_FILES = 20
MAX_VECTOR_STORES = 1
MAX_HELPER_FILES = 10_000
"""Files an inline `vector_stores` helper may name (the SDK's docstring: 10,000 per store)."""


class FunctionDefinitionParam(Params):
    """A function tool's definition; the name is checked against SPEC §10."""

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class FunctionToolParam(Params):
    type: Literal["function"]
    function: FunctionDefinitionParam


class CodeInterpreterToolParam(Params):
    type: Literal["code_interpreter"]


class RankingOptionsParam(Params):
    score_threshold: Annotated[float, Field(ge=0, le=1)]
    ranker: Literal["auto", "default_2024_08_21"] | None = None


class FileSearchOptionsParam(Params):
    """file_search overrides: `max_num_results` 1..50, ranking options."""

    max_num_results: Annotated[int, Field(ge=1, le=50)] | None = None
    ranking_options: RankingOptionsParam | None = None


class FileSearchToolParam(Params):
    type: Literal["file_search"]
    file_search: FileSearchOptionsParam | None = None


ToolParam: TypeAlias = Annotated[
    CodeInterpreterToolParam | FileSearchToolParam | FunctionToolParam,
    Field(discriminator="type"),
]
"""One tool in a request, discriminated on `type` (the wire `AssistantTool`, with limits)."""


class JSONSchemaParam(Params):
    """Structured Outputs configuration; the name follows the function-name rule."""

    name: Annotated[str, Field(pattern=NAME_PATTERN)]
    description: str | None = None
    # `schema` would shadow `BaseModel.schema`; the wire name is the alias.
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    strict: bool | None = None


class ResponseFormatTextParam(Params):
    type: Literal["text"]


class ResponseFormatJSONObjectParam(Params):
    type: Literal["json_object"]


class ResponseFormatJSONSchemaParam(Params):
    type: Literal["json_schema"]
    json_schema: JSONSchemaParam


ResponseFormatParam: TypeAlias = (
    Literal["auto"]
    | Annotated[
        ResponseFormatTextParam | ResponseFormatJSONObjectParam | ResponseFormatJSONSchemaParam,
        Field(discriminator="type"),
    ]
)

_TOOLS: TypeAdapter[list[AssistantTool]] = TypeAdapter(list[AssistantTool])
_RESPONSE_FORMAT: TypeAdapter[AssistantResponseFormatOption] = TypeAdapter(
    AssistantResponseFormatOption
)


def wire_tools(tools: list[ToolParam]) -> list[AssistantTool]:
    """Request tools as wire tools (same fields; the limits were checked on the way in)."""
    return _TOOLS.validate_python([tool.model_dump(by_alias=True) for tool in tools])


def wire_response_format(value: ResponseFormatParam) -> AssistantResponseFormatOption:
    """A request `response_format` as the wire option."""
    dumped = value if isinstance(value, str) else value.model_dump(by_alias=True)
    return _RESPONSE_FORMAT.validate_python(dumped)


class CodeInterpreterResourceParam(Params):
    """Files for code_interpreter (at most 20)."""

    file_ids: Annotated[list[str], Field(max_length=MAX_CODE_INTERPRETER_FILES)] = Field(
        default_factory=list
    )


class FileSearchResourceParam(Params):
    """Vector stores for file_search (at most 1)."""

    vector_store_ids: Annotated[list[str], Field(max_length=MAX_VECTOR_STORES)] = Field(
        default_factory=list
    )


class VectorStoreHelperParam(Params):
    """The inline `vector_stores` helper: a vector store created with the object, holding
    `file_ids` (chunked per `chunking_strategy`)."""

    file_ids: Annotated[list[str], Field(max_length=MAX_HELPER_FILES)] = Field(default_factory=list)
    chunking_strategy: ChunkingStrategyParam | None = None
    metadata: MetadataParam = None


class FileSearchResourceCreateParam(FileSearchResourceParam):
    vector_stores: Annotated[list[VectorStoreHelperParam], Field(max_length=1)] | None = None

    @field_validator("vector_stores")
    @classmethod
    def _one_store_in_all(
        cls, value: list[VectorStoreHelperParam] | None, info: ValidationInfo
    ) -> list[VectorStoreHelperParam] | None:
        # At most one store per assistant or thread, whether named by id or created inline.
        named = len(info.data.get("vector_store_ids") or [])
        if value and named + len(value) > MAX_VECTOR_STORES:
            raise PydanticCustomError(
                "invalid_value",
                "at most {limit} vector store may be attached: pass 'vector_store_ids' or "
                "'vector_stores', not both",
                {"limit": MAX_VECTOR_STORES},
            )
        return value


class ToolResourcesParam(Params):
    """`tool_resources`, ids only (modify assistant, create and modify thread without helper)."""

    code_interpreter: CodeInterpreterResourceParam | None = None
    file_search: FileSearchResourceParam | None = None

    def to_wire(self) -> ToolResources:
        """The wire `tool_resources` (ids only)."""
        ci, fs = self.code_interpreter, self.file_search
        return ToolResources(
            code_interpreter=ToolResourcesCodeInterpreter(file_ids=ci.file_ids) if ci else None,
            file_search=ToolResourcesFileSearch(vector_store_ids=fs.vector_store_ids)
            if fs
            else None,
        )

    def merged_into(self, current: ToolResources | None) -> ToolResources:
        """Modify semantics: each tool named here has its lists replaced; the others are kept."""
        new, old = self.to_wire(), current or ToolResources()
        named = self.model_fields_set
        return ToolResources(
            code_interpreter=new.code_interpreter
            if "code_interpreter" in named
            else old.code_interpreter,
            file_search=new.file_search if "file_search" in named else old.file_search,
        )

    def file_ids(self) -> list[str]:
        """The File ids named for code_interpreter."""
        return self.code_interpreter.file_ids if self.code_interpreter else []

    def vector_store_ids(self) -> list[str]:
        """The vector store ids named for file_search."""
        return self.file_search.vector_store_ids if self.file_search else []


class ToolResourcesCreateParam(ToolResourcesParam):
    """`tool_resources` on create: also the inline `vector_stores` helper, which the route
    replaces by the id of the store it creates (`with_vector_store`) before writing."""

    file_search: FileSearchResourceCreateParam | None = None

    def vector_store_helper(self) -> VectorStoreHelperParam | None:
        """The store to create inline, if the request asks for one."""
        stores = self.file_search.vector_stores if self.file_search else None
        return stores[0] if stores else None

    def with_vector_store(self, vector_store_id: str) -> ToolResourcesCreateParam:
        """These resources with file_search on `vector_store_id` (and no helper left)."""
        file_search = FileSearchResourceCreateParam(vector_store_ids=[vector_store_id])
        return self.model_copy(update={"file_search": file_search})


class AssistantUpdateParams(Params):
    """POST /assistants/{assistant_id}: every field optional; set fields replace stored ones."""

    model: str | None = None
    name: Annotated[str, Field(max_length=256)] | None = None
    description: Annotated[str, Field(max_length=512)] | None = None
    instructions: Annotated[str, Field(max_length=256_000)] | None = None
    # Accepted and ignored: the SDK's Assistant has no such field (SPEC §2.1).
    reasoning_effort: Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"] | None = (
        None
    )
    tools: Annotated[list[ToolParam], Field(max_length=MAX_TOOLS)] | None = None
    tool_resources: ToolResourcesParam | None = None
    metadata: MetadataParam = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    top_p: Annotated[float, Field(ge=0, le=1)] | None = None
    response_format: ResponseFormatParam | None = None

    def apply(self, assistant: Assistant) -> Assistant:
        """The assistant with the fields this request set replaced (metadata wholesale)."""
        changes = self._wire_changes(self.model_fields_set)
        if "tool_resources" in self.model_fields_set:
            resources = self.tool_resources
            changes["tool_resources"] = (
                resources.merged_into(assistant.tool_resources) if resources else None
            )
        return assistant.model_copy(update=changes)

    def _wire_changes(self, names: set[str]) -> dict[str, Any]:
        """Wire values of the set fields other than `tool_resources`.

        An explicit null on a field the wire object cannot hold null (`model`, `tools`) leaves
        the stored value alone; on `metadata` it clears it.
        """
        changes: dict[str, Any] = {}
        for name in names & {"name", "description", "instructions", "temperature", "top_p"}:
            changes[name] = getattr(self, name)
        if self.model is not None:
            changes["model"] = self.model
        if self.tools is not None:
            changes["tools"] = wire_tools(self.tools)
        if "metadata" in names:
            changes["metadata"] = self.metadata or {}
        if "response_format" in names:
            value = self.response_format
            changes["response_format"] = wire_response_format(value) if value else "auto"
        return changes


class AssistantCreateParams(AssistantUpdateParams):
    """POST /assistants (SPEC §2.1): `model` is required."""

    model: str
    tool_resources: ToolResourcesCreateParam | None = None

    def to_assistant(self, assistant_id: str, *, now: int) -> Assistant:
        """The new assistant; unset sampling options take OpenAI's defaults (1.0, `auto`)."""
        blank = Assistant(id=assistant_id, created_at=now, model=self.model)
        assistant = self.apply(blank)
        return assistant.model_copy(
            update={
                "temperature": 1.0 if self.temperature is None else self.temperature,
                "top_p": 1.0 if self.top_p is None else self.top_p,
            }
        )
