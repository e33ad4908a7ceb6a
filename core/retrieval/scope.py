"""What a search may return: completed files of the requested stores, narrowed by filters.

Attribute filters are evaluated here, in Python, on every completed file of the stores, and
become an allow-list of `vector_store_files.pk` that both halves of the search apply before
ranking, so `max_num_results` counts matching hits only. (Evaluating in Python keeps one
definition of the comparison semantics for both databases; the cost is one read of the stores'
file rows per filtered search.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.retrieval.filters import AttributeFilter
from core.store import tables

__all__ = ["Scope", "resolve_scope"]


@dataclass(frozen=True)
class Scope:
    """The chunks a search ranks."""

    project_id: str
    vector_store_ids: tuple[str, ...]
    allowed_files: tuple[int, ...] | None = None
    """`vector_store_files.pk` of the files passing the filters; None: every completed file."""


async def resolve_scope(
    engine: AsyncEngine,
    project_id: str,
    vector_store_ids: Sequence[str],
    attribute_filter: AttributeFilter | None,
) -> Scope | None:
    """The search's scope, or None when no file can match (no store, or filters match none)."""
    stores = tuple(dict.fromkeys(vector_store_ids))
    if not stores:
        return None
    if attribute_filter is None:
        return Scope(project_id, stores)
    t = tables.vector_store_files
    stmt = sa.select(t.c.pk, t.c.data).where(
        t.c.project_id == project_id,
        t.c.vector_store_id.in_(stores),
        t.c.status == "completed",
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    allowed = tuple(row.pk for row in rows if attribute_filter.matches(row.data.get("attributes")))
    return Scope(project_id, stores, allowed) if allowed else None
