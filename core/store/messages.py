"""Messages (SPEC §2.3, §5): listed per thread or run; read newest-first for model context."""

from __future__ import annotations

import builtins
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.objects.message import Message
from core.store import tables
from core.store.pagination import ListParams, Page
from core.store.repository import DocumentRepository

__all__ = ["MessageRepository", "ThreadMessages"]

Cursor = tuple[int, int]
"""`(created_at, pk)` of the oldest message a page returned."""


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

    async def older_page(
        self, project_id: str, thread_id: str, cursor: Cursor | None, size: int
    ) -> tuple[builtins.list[Message], Cursor | None]:
        """Up to `size` of the thread's messages older than `cursor` (None: the newest), newest
        first, and the cursor of the next older page (None when nothing older is left).

        One backwards range read of the `(thread_id, created_at, pk)` index per page, whatever
        the thread's length; `size + 1` rows are read to know whether anything is older.
        """
        t = self.table
        stmt = sa.select(t.c.data, t.c.created_at, t.c.pk).where(
            *self._where(project_id, thread_id=thread_id)
        )
        if cursor is not None:
            # Typed like the columns: an untyped int binds as INTEGER, which BIGINT overflows.
            created_at = sa.literal(cursor[0], t.c.created_at.type)
            pk = sa.literal(cursor[1], t.c.pk.type)
            stmt = stmt.where(sa.tuple_(t.c.created_at, t.c.pk) < sa.tuple_(created_at, pk))
        stmt = stmt.order_by(t.c.created_at.desc(), t.c.pk.desc()).limit(size + 1)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        page = rows[:size]
        more = len(rows) > size and bool(page)
        next_cursor = (page[-1].created_at, page[-1].pk) if more else None
        return [self._load(row.data) for row in page], next_cursor

    async def opening_user_message(
        self, project_id: str, thread_id: str, within: int
    ) -> Message | None:
        """The oldest user message among the thread's first `within` messages, or None.

        A forward range read of the same index, bounded by `within` (the role is checked on
        those rows, so a thread opening with many assistant messages costs no more).
        """
        t = self.table
        stmt = (
            sa.select(t.c.data, t.c.role)
            .where(*self._where(project_id, thread_id=thread_id))
            .order_by(t.c.created_at, t.c.pk)
            .limit(within)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return next((self._load(row.data) for row in rows if row.role == "user"), None)

    def history(self, project_id: str, thread_id: str) -> ThreadMessages:
        """The thread as `core.context.load_context` reads it."""
        return ThreadMessages(self, project_id, thread_id)

    async def open_for_run(self, project_id: str, run_id: str) -> builtins.list[Message]:
        """The run's messages still `in_progress`, oldest first (to close when the run ends)."""
        return await self._all(project_id, run_id=run_id, status="in_progress")


@dataclass(frozen=True)
class ThreadMessages:
    """One thread's messages for context building (`core.context.ThreadHistory`)."""

    repository: MessageRepository
    project_id: str
    thread_id: str

    async def older_page(
        self, cursor: Cursor | None, size: int
    ) -> tuple[builtins.list[Message], Cursor | None]:
        return await self.repository.older_page(self.project_id, self.thread_id, cursor, size)

    async def opening_user_message(self, within: int) -> Message | None:
        return await self.repository.opening_user_message(self.project_id, self.thread_id, within)
