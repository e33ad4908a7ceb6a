"""Request bodies of `/vector_stores`, its files, file batches and search (SPEC §2.7, §2.8, §7).

Like every request model, `extra="forbid"`: an unknown argument is a 400. Shapes follow the SDK's
`VectorStoreCreateParams`, `FileCreateParams`, `FileBatchCreateParams` and
`VectorStoreSearchParams`; limits are those of SPEC §10.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import AfterValidator, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from core.objects.params import MetadataParam, Params, _check_metadata
from core.objects.vector_store import ExpiresAfter
from core.objects.vector_store_file import (
    StaticFileChunkingStrategy,
    StaticFileChunkingStrategyObject,
    VectorStoreFileAttributes,
)

__all__ = [
    "AttributesParam",
    "ChunkingStrategyParam",
    "ExpiresAfterParam",
    "FileBatchCreateParams",
    "FileBatchFileParam",
    "VectorStoreCreateParams",
    "VectorStoreFileCreateParams",
    "VectorStoreFileUpdateParams",
    "VectorStoreSearchParams",
    "VectorStoreUpdateParams",
    "static_chunking",
]

MAX_STORE_FILE_IDS = 500
MAX_BATCH_FILES = 2000


def _check_attributes(
    value: dict[str, str | bool | int | float] | None,
) -> dict[str, str | bool | int | float] | None:
    # Metadata's rules (16 pairs, keys <= 64, strings <= 512) with numbers and booleans allowed:
    # those have no length, so they are checked as empty strings (one set of messages and codes).
    if value is not None:
        _check_metadata({k: v if isinstance(v, str) else "" for k, v in value.items()})
    return value


# bool before int: in pydantic's smart union an exact type match wins, so `true` stays a bool.
AttributesParam = Annotated[
    dict[str, str | bool | int | float] | None, AfterValidator(_check_attributes)
]
"""Vector-store file `attributes`: like metadata, but values may also be numbers or booleans."""


class StaticChunkingParam(Params):
    """`static` chunking: 100..4096 tokens per chunk, overlapping by at most half of one."""

    max_chunk_size_tokens: Annotated[int, Field(ge=100, le=4096)]
    chunk_overlap_tokens: Annotated[int, Field(ge=0)]

    @field_validator("chunk_overlap_tokens")
    @classmethod
    def _at_most_half(cls, value: int, info: ValidationInfo) -> int:
        size = info.data.get("max_chunk_size_tokens")
        # Compared doubled so that an odd size allows floor(size / 2), as OpenAI does.
        if size is not None and value * 2 > size:
            raise PydanticCustomError(
                "invalid_value",
                "integer above maximum value. Expected a value <= half of "
                "'max_chunk_size_tokens' ({half}), but got {value} instead",
                {"half": size // 2, "value": value},
            )
        return value


class AutoChunkingStrategyParam(Params):
    type: Literal["auto"]


class StaticChunkingStrategyParam(Params):
    type: Literal["static"]
    static: StaticChunkingParam


ChunkingStrategyParam: TypeAlias = Annotated[
    AutoChunkingStrategyParam | StaticChunkingStrategyParam, Field(discriminator="type")
]
"""A request's `chunking_strategy`; `auto` is static 800/400 (SPEC §7)."""


def static_chunking(strategy: ChunkingStrategyParam | None) -> StaticFileChunkingStrategyObject:
    """How a file added with `strategy` is chunked, as vector-store files report it."""
    if not isinstance(strategy, StaticChunkingStrategyParam):
        return StaticFileChunkingStrategyObject()
    sizes = StaticFileChunkingStrategy(**strategy.static.model_dump())
    return StaticFileChunkingStrategyObject(static=sizes)


class ExpiresAfterParam(Params):
    """`expires_after`: `days` (1..365) after the store was last active."""

    anchor: Literal["last_active_at"]
    days: Annotated[int, Field(ge=1, le=365)]

    def to_wire(self) -> ExpiresAfter:
        return ExpiresAfter(anchor=self.anchor, days=self.days)


class VectorStoreUpdateParams(Params):
    """POST /vector_stores/{id}: `name`, `expires_after` (null clears it), `metadata`."""

    name: str | None = None
    expires_after: ExpiresAfterParam | None = None
    metadata: MetadataParam = None


class VectorStoreCreateParams(Params):
    """POST /vector_stores.

    `description` is accepted (the SDK sends it) but not kept: the SDK's `VectorStore` has no
    field to return it in. `chunking_strategy` only applies to `file_ids`.
    """

    name: str | None = None
    description: str | None = None
    file_ids: Annotated[list[str], Field(max_length=MAX_STORE_FILE_IDS)] | None = None
    chunking_strategy: ChunkingStrategyParam | None = None
    expires_after: ExpiresAfterParam | None = None
    metadata: MetadataParam = None


class VectorStoreFileUpdateParams(Params):
    """POST /vector_stores/{id}/files/{file_id}: `attributes` is required (null clears them)."""

    attributes: AttributesParam

    def wire_attributes(self) -> VectorStoreFileAttributes | None:
        return None if self.attributes is None else dict(self.attributes)


class FileBatchFileParam(Params):
    """One `files[]` entry of a batch: its own attributes and chunking."""

    file_id: str
    attributes: AttributesParam = None
    chunking_strategy: ChunkingStrategyParam | None = None


class VectorStoreFileCreateParams(FileBatchFileParam):
    """POST /vector_stores/{id}/files: the fields of one batch entry."""


class FileBatchCreateParams(Params):
    """POST /vector_stores/{id}/file_batches: exactly one of `file_ids` or `files` (1..2000).

    The batch-level `attributes` and `chunking_strategy` apply to `file_ids` only; each `files[]`
    entry carries its own (the SDK's docstring: "the global ones will be ignored").
    """

    file_ids: Annotated[list[str], Field(min_length=1, max_length=MAX_BATCH_FILES)] | None = None
    files: Annotated[
        list[FileBatchFileParam] | None,
        Field(min_length=1, max_length=MAX_BATCH_FILES, validate_default=True),
    ] = None
    attributes: AttributesParam = None
    chunking_strategy: ChunkingStrategyParam | None = None

    @field_validator("files")
    @classmethod
    def _exactly_one_list(
        cls, value: list[FileBatchFileParam] | None, info: ValidationInfo
    ) -> list[FileBatchFileParam] | None:
        # `files` validates after `file_ids` (field order), and always (validate_default).
        given = "file_ids" in info.data and info.data["file_ids"] is not None
        if value is not None and given:
            raise PydanticCustomError(
                "invalid_value",
                "'file_ids' and 'files' are mutually exclusive: pass exactly one of them",
            )
        if value is None and not given and "file_ids" in info.data:
            raise PydanticCustomError(
                "invalid_value", "one of 'file_ids' or 'files' is required (1 to 2000 files)"
            )
        return value

    def entries(self) -> list[FileBatchFileParam]:
        """One entry per file, the batch-level options applied to `file_ids`."""
        if self.files is not None:
            return list(self.files)
        return [
            FileBatchFileParam(
                file_id=file_id,
                attributes=self.attributes,
                chunking_strategy=self.chunking_strategy,
            )
            for file_id in self.file_ids or []
        ]


class SearchRankingOptionsParam(Params):
    """`ranking_options` of a search: the ranker and a 0..1 score threshold."""

    ranker: Literal["none", "auto", "default-2024-11-15"] = "auto"
    score_threshold: Annotated[float, Field(ge=0, le=1)] = 0.0


class VectorStoreSearchParams(Params):
    """POST /vector_stores/{id}/search.

    `rewrite_query` is accepted and ignored: queries are searched as given (and echoed back as
    `search_query`); no model rewrites them.
    """

    query: str | Annotated[list[str], Field(min_length=1)]
    filters: dict[str, Any] | None = None
    max_num_results: Annotated[int, Field(ge=1, le=50)] = 10
    ranking_options: SearchRankingOptionsParam | None = None
    rewrite_query: bool = False

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str | list[str]) -> str | list[str]:
        if not any(q.strip() for q in ([value] if isinstance(value, str) else value)):
            raise PydanticCustomError("invalid_value", "expected a non-empty query")
        return value

    def queries(self) -> list[str]:
        """The query as a list (a single string is one query)."""
        return [self.query] if isinstance(self.query, str) else list(self.query)
