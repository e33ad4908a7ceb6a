"""Operator reads across projects (the CLI's `runs show`): never used to serve a client."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.objects.run import Run
from core.store import tables

__all__ = ["AdminQueries"]


class AdminQueries:
    """Lookups by id alone, for operators who hold an id but not its project."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def find_run(self, run_id: str) -> tuple[str, Run] | None:
        """`(project_id, run)` of the run with this id in any project, or None."""
        t = tables.runs
        stmt = sa.select(t.c.project_id, t.c.data).where(t.c.id == run_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(stmt)).one_or_none()
        return None if row is None else (row.project_id, Run.model_validate(row.data))
