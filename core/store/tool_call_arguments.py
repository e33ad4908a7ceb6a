"""Arguments of built-in tool calls, kept for replaying the tool turn into the model's context.

A file_search call's `queries` have no field on the wire object, yet the next model call must be
shown the call it made (Chat Completions pairs every tool result with its call).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.store import tables
from core.store.repository import insert_for

__all__ = ["ToolCallArgumentsRepository"]


class ToolCallArgumentsRepository:
    """`call_id -> arguments` (JSON text), scoped to a project."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.table = tables.tool_call_arguments

    async def put(self, project_id: str, run_id: str, call_id: str, arguments: str) -> None:
        """Record a call's arguments (idempotent: a retry writes the same row)."""
        async with self._engine.begin() as conn:
            stmt = insert_for(conn, self.table).values(
                call_id=call_id, project_id=project_id, run_id=run_id, arguments=arguments
            )
            await conn.execute(stmt.on_conflict_do_nothing(index_elements=["call_id"]))

    async def get_many(self, project_id: str, call_ids: list[str]) -> dict[str, str]:
        """The arguments recorded for these calls."""
        if not call_ids:
            return {}
        t = self.table
        stmt = sa.select(t.c.call_id, t.c.arguments).where(
            t.c.project_id == project_id, t.c.call_id.in_(call_ids)
        )
        async with self._engine.connect() as conn:
            return {row.call_id: row.arguments for row in await conn.execute(stmt)}
