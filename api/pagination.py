"""Pagination query parameters (SPEC §1.2) and the wire `list` object."""

from __future__ import annotations

from typing import Annotated, Literal, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from core.objects.list import ListResponse
from core.store import ListParams, Page

T = TypeVar("T", bound=BaseModel)


async def _list_params(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    after: Annotated[str | None, Query()] = None,
    before: Annotated[str | None, Query()] = None,
) -> ListParams:
    return ListParams(limit=limit, order=order, after=after, before=before)


ListParamsDep = Annotated[ListParams, Depends(_list_params)]


def to_list(page: Page[T]) -> ListResponse[T]:
    """The store's page as the wire list object."""
    return ListResponse[T](
        data=page.data, first_id=page.first_id, last_id=page.last_id, has_more=page.has_more
    )
