"""Messages (SPEC §2.3, §5): listed per thread or run; read newest-first for model context."""

from __future__ import annotations

import builtins

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.objects.message import Message
from core.store import tables
from core.store.pagination import ListParams, Page
from core.store.repository import DocumentRepository

__all__ = ["MessageRepository"]


class MessageRepository(DocumentRepository[Message]):
    """Messages of a project's threads; `get`/`find`/`delete` accept `thread_id=` to scope."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            engine,
            tables.messages,
            Message,
            noun="message",
            param="message_id",
            columns=("thread_id", "run_id", "role", "status"),
        )

    async def list_for_thread(
        self, project_id: str, thread_id: str, params: ListParams, *, run_id: str | None = None
    ) -> Page[Message]:
        """One page of the thread's messages, only those `run_id` created if given."""
        return await self.list(project_id, params, thread_id=thread_id, run_id=run_id)

    async def count(self, project_id: str, thread_id: str) -> int:
        """How many messages the thread holds."""
        stmt = sa.select(sa.func.count()).where(*self._where(project_id, thread_id=thread_id))
        async with self._engine.connect() as conn:
            return int((await conn.execute(stmt)).scalar_one())

    async def latest(self, project_id: str, thread_id: str, n: int) -> builtins.list[Message]:
        """The thread's newest `n` messages, oldest first (the tail a model context is built from).

        Reads the `(thread_id, created_at, pk)` index backwards, so the cost is `n`, not the
        thread's length.
        """
        t = self.table
        stmt = (
            sa.select(t.c.data)
            .where(*self._where(project_id, thread_id=thread_id))
            .order_by(t.c.created_at.desc(), t.c.pk.desc())
            .limit(n)
        )
        async with self._engine.connect() as conn:
            docs = list((await conn.execute(stmt)).scalars())
        return [self._load(doc) for doc in reversed(docs)]

    async def open_for_run(self, project_id: str, run_id: str) -> builtins.list[Message]:
        """The run's messages still `in_progress`, oldest first (to close when the run ends)."""
        return await self._all(project_id, run_id=run_id, status="in_progress")
