"""Building blocks shared by every wire object: the base model, metadata, usage, deletions."""

from __future__ import annotations

from typing import Any, TypeAlias

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

__all__ = ["DeletedObject", "DeltaModel", "Metadata", "Usage", "WireModel"]

Metadata: TypeAlias = dict[str, str]
"""Up to 16 string pairs (key <= 64 chars, value <= 512 chars); `{}` when empty on responses."""


class WireModel(BaseModel):
    """Base of every wire object.

    `extra="forbid"` because these are our own responses: a misspelled field must fail where it is
    built, not slip through to clients (the SDK itself accepts unknown keys silently). Attribute
    docstrings become field descriptions, so they double as OpenAPI docs.
    """

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)


class Usage(WireModel):
    """Token usage of a run (summed over its model calls) or of a single run step."""

    prompt_tokens: int
    """Number of prompt tokens used."""

    completion_tokens: int
    """Number of completion tokens used."""

    total_tokens: int
    """Total number of tokens used (prompt + completion)."""


class DeletedObject(WireModel):
    """Fields common to every `*.deleted` response; subclasses add the `object` literal."""

    id: str
    """The id of the deleted object."""

    deleted: bool = True
    """Whether the object was deleted."""


class DeltaModel(WireModel):
    """Base of streaming delta objects (`thread.message.delta`, `thread.run.step.delta`).

    Unlike full objects, deltas omit unset fields instead of sending null: the SDK merges deltas
    into its snapshot (strings concatenate, numbers add), so a delta carries only what changed.
    """

    @model_serializer(mode="wrap")
    def _omit_nulls(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        return {key: value for key, value in data.items() if value is not None}
