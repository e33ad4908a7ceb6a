"""Cursor pagination (SPEC §1.2), done in SQL on `(created_at, pk)`.

A cursor id is resolved to its `(created_at, pk)` inside the same scope (project, thread, ...), and
the page is a row-value range on the list's index: `(created_at, pk) > (:c, :p)` read in index
order with `LIMIT limit + 1`, the extra row only telling whether `has_more`. `pk` (the insertion
sequence) breaks ties on `created_at`, so paging never skips or repeats an item.

Semantics, relative to the requested `order`:
- `after=X`: the items that come after X; `has_more` says items follow the page.
- `before=X` (alone): the `limit` items just before X, still returned in the requested order. It
  is read walking away from X (the reverse order) and flipped, so `has_more` says more items lie
  *beyond the page in that direction* (before its first item): a client paging backwards with
  `before=<first_id>` stops when `has_more` is false, mirroring the SDK's `after` loop.
- both: the items strictly between the two cursors, read from `after`; `has_more` as for `after`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, Literal, TypeVar

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncConnection

from core.errors import InvalidRequestError

__all__ = ["FileListParams", "ListParams", "Page", "fetch_page", "make_page"]

T = TypeVar("T")


class ListParams(BaseModel):
    """The pagination query parameters every list endpoint takes (except `/files`)."""

    model_config = ConfigDict(frozen=True, use_attribute_docstrings=True)

    limit: int = Field(default=20, ge=1, le=100)
    """How many items to return, 1..100."""

    order: Literal["asc", "desc"] = "desc"
    """Sort order by `created_at` (ties: insertion order)."""

    after: str | None = None
    """Return the items after this object id, in the requested order."""

    before: str | None = None
    """Return the items before this object id, in the requested order."""


class FileListParams(ListParams):
    """`GET /files` pages differently: up to 10,000 items, 10,000 by default (SPEC §1.2)."""

    limit: int = Field(default=10_000, ge=1, le=10_000)
    """How many items to return, 1..10,000."""


class Page(BaseModel, Generic[T]):
    """One page of a list, in the requested order (the fields of the wire `list` object)."""

    data: list[T]
    """The items of the page."""

    first_id: str | None
    """The id of the first item; None when the page is empty."""

    last_id: str | None
    """The id of the last item (the next `after` cursor); None when the page is empty."""

    has_more: bool
    """Whether more items lie beyond this page in the direction it was read (module docstring)."""


async def fetch_page(
    conn: AsyncConnection,
    table: sa.Table,
    scope: Sequence[sa.ColumnElement[bool]],
    params: ListParams,
) -> tuple[list[Any], bool]:
    """The `data` documents of one page of `table` rows matching `scope`, and `has_more`.

    Raises:
        InvalidRequestError: `after` or `before` names no object in `scope` (param set to it).
    """
    ascending = params.order == "asc"
    key = sa.tuple_(table.c.created_at, table.c.pk)
    where = list(scope)
    if params.after is not None:
        cursor = await _resolve(conn, table, scope, params.after, "after")
        where.append(key > cursor if ascending else key < cursor)
    if params.before is not None:
        cursor = await _resolve(conn, table, scope, params.before, "before")
        where.append(key < cursor if ascending else key > cursor)
    backwards = params.before is not None and params.after is None
    read_ascending = ascending != backwards
    direction = sa.asc if read_ascending else sa.desc
    stmt = (
        sa.select(table.c.data)
        .where(*where)
        .order_by(direction(table.c.created_at), direction(table.c.pk))
        .limit(params.limit + 1)
    )
    docs = list((await conn.execute(stmt)).scalars())
    has_more = len(docs) > params.limit
    docs = docs[: params.limit]
    if backwards:
        docs.reverse()
    return docs, has_more


async def _resolve(
    conn: AsyncConnection,
    table: sa.Table,
    scope: Sequence[sa.ColumnElement[bool]],
    cursor_id: str,
    param: str,
) -> sa.Tuple:
    """The `(created_at, pk)` of `cursor_id` within `scope`, as a row value to compare with."""
    stmt = sa.select(table.c.created_at, table.c.pk).where(*scope, table.c.id == cursor_id)
    row = (await conn.execute(stmt)).first()
    if row is None:
        raise InvalidRequestError(
            f"Invalid '{param}': no object with id '{cursor_id}' in this list.", param=param
        )
    # Typed like the columns: an untyped int binds as INTEGER, which BIGINT values overflow.
    created_at = sa.literal(row.created_at, table.c.created_at.type)
    return sa.tuple_(created_at, sa.literal(row.pk, table.c.pk.type))


def make_page(docs: list[Any], has_more: bool, load: Callable[[Any], T]) -> Page[T]:
    """A `Page` of the documents `fetch_page` returned, each turned into an item by `load`."""
    return Page(
        data=[load(doc) for doc in docs],
        first_id=docs[0]["id"] if docs else None,
        last_id=docs[-1]["id"] if docs else None,
        has_more=has_more,
    )
