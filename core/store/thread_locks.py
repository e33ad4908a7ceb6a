"""Thread locks: at most one active run per thread (SPEC §1.1 "already has an active run").

Checking for an active run and then inserting one races when two requests arrive together; a
row keyed by thread id does not: the first `claim` inserts it and every other one finds it.
"""

from __future__ import annotations

import time
from typing import Final

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.errors import ServerError
from core.store import tables
from core.store.repository import insert_for

__all__ = ["ThreadLockRepository"]

# A claim only retries when the holder released between our insert and our read.
_MAX_ATTEMPTS: Final = 3


class ThreadLockRepository:
    """Claim and release the per-thread run lock."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.table = tables.thread_locks

    async def claim(self, project_id: str, thread_id: str, run_id: str) -> str:
        """Take the thread's lock for `run_id` if it is free; the run id holding it afterwards.

        Returns `run_id` when claimed (or already held by it); otherwise the holder's id, which
        the caller reports, or releases first if that run has in fact ended.
        """
        t = self.table
        row = {
            "thread_id": thread_id,
            "project_id": project_id,
            "run_id": run_id,
            "created_at": int(time.time()),
        }
        holder_of = sa.select(t.c.run_id).where(t.c.thread_id == thread_id)
        for _ in range(_MAX_ATTEMPTS):
            async with self._engine.begin() as conn:
                await conn.execute(insert_for(conn, t).values(row).on_conflict_do_nothing())
                holder = (await conn.execute(holder_of)).scalar_one_or_none()
            if holder is not None:
                return str(holder)
        raise ServerError(f"Could not lock thread '{thread_id}'.")

    async def holder(self, thread_id: str) -> str | None:
        """The run holding the thread's lock, if any."""
        stmt = sa.select(self.table.c.run_id).where(self.table.c.thread_id == thread_id)
        async with self._engine.connect() as conn:
            holder = (await conn.execute(stmt)).scalar_one_or_none()
        return None if holder is None else str(holder)

    async def claimed_at(self, thread_id: str) -> int | None:
        """When the current lock was taken (Unix seconds), if the thread is locked."""
        stmt = sa.select(self.table.c.created_at).where(self.table.c.thread_id == thread_id)
        async with self._engine.connect() as conn:
            value = (await conn.execute(stmt)).scalar_one_or_none()
        return None if value is None else int(value)

    async def release(self, thread_id: str, run_id: str) -> bool:
        """Release the lock if `run_id` holds it (idempotent); whether it did."""
        t = self.table
        stmt = sa.delete(t).where(t.c.thread_id == thread_id, t.c.run_id == run_id)
        async with self._engine.begin() as conn:
            result = await conn.execute(stmt)
        return result.rowcount > 0
