"""Threads (SPEC §2.2); deleting one deletes everything that lives in it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.objects.thread import Thread
from core.store import tables
from core.store.repository import DocumentRepository

__all__ = ["ThreadRepository"]


class ThreadRepository(DocumentRepository[Thread]):
    """Threads of a project. There is no list endpoint, but `list` works (for operators)."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(engine, tables.threads, Thread, noun="thread", param="thread_id")

    async def delete(self, project_id: str, id: str, **scope: str | None) -> bool:
        """Delete the thread and, in one transaction, its messages, runs, steps, events,
        recorded contexts and lock."""
        runs, messages = tables.runs, tables.messages
        run_ids = sa.select(runs.c.id).where(
            runs.c.project_id == project_id, runs.c.thread_id == id
        )
        async with self._engine.begin() as conn:
            result = await conn.execute(
                sa.delete(self.table).where(*self._where(project_id, id=id, **scope))
            )
            if result.rowcount == 0:
                return False
            # Children of runs first: they are found through the runs' ids.
            for child in (tables.run_events, tables.run_steps, tables.run_contexts):
                await conn.execute(sa.delete(child).where(child.c.run_id.in_(run_ids)))
            for table in (runs, messages, tables.thread_locks):
                await conn.execute(
                    sa.delete(table).where(
                        table.c.project_id == project_id, table.c.thread_id == id
                    )
                )
        return True
