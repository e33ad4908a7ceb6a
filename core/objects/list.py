"""Cursor pages returned by every list endpoint (SPEC §1.2; openai `SyncCursorPage`)."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import Field

from core.objects.shared import WireModel

__all__ = ["ListResponse"]

T = TypeVar("T")


class ListResponse(WireModel, Generic[T]):
    """One page of a list, in the requested order."""

    object: Literal["list"] = "list"
    """Always `list`."""

    data: list[T] = Field(default_factory=list)
    """The items of the page."""

    first_id: str | None = None
    """The id of the first item; null when the page is empty."""

    last_id: str | None = None
    """The id of the last item (the SDK's next `after` cursor); null when the page is empty."""

    has_more: bool = False
    """Whether items follow this page in the requested order."""
