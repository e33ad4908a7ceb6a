"""The per-run, append-only event log that SSE streams replay and tail (DESIGN "Streaming").

Appends come from activities, which Temporal may retry: an append carrying a `dedupe_key` that is
already in the log returns the first append's `seq` instead of adding a second event.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from core.errors import ServerError
from core.store import tables
from core.store.repository import insert_for

__all__ = ["RunEventRepository", "StoredEvent"]

# With the per-run lock below a conflict on seq cannot happen; the retry is a safety net only.
_MAX_ATTEMPTS: Final = 3
# First key of the two-key advisory lock space (disjoint from the one-key space migrations use).
_PG_LOCK_CLASS: Final = 0x45564E54  # "EVNT"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One event of a run's log."""

    seq: int
    """Position in the run's log: 1, 2, 3, ... with no gaps."""
    event: str
    """The SSE event name, e.g. `thread.run.created` (SPEC §6.2)."""
    data: Any
    """The event's JSON payload."""
    created_at: int
    """Unix seconds when it was appended."""


CLOSING_EVENTS: Final = (
    "thread.run.cancelling",
    "thread.run.cancelled",
    "thread.run.completed",
    "thread.run.expired",
    "thread.run.failed",
    "thread.run.incomplete",
)
"""The run's own closing events: after one, nothing but the run's closing cascade is appended."""

_STOPS_WRITERS: Final = (
    *CLOSING_EVENTS,
    # The cascade closes the open message and step *before* the run's closing event (the SDK's
    # accumulator wants that order); a delta of the abandoned model call must not slip in
    # between. Only a run that is ending closes its message or step this way.
    "thread.message.incomplete",
    "thread.run.step.cancelled",
    "thread.run.step.expired",
    "thread.run.step.failed",
)


class RunClosedError(Exception):
    """An append `while_open` found the run already closing or ended."""

    def __init__(self, run_id: str) -> None:
        super().__init__(f"run {run_id} is closed")
        self.run_id = run_id


class RunEventRepository:
    """Append and read runs' event logs (callers check the run belongs to the project)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.table = tables.run_events
        # In-process wake-ups for tailers (API and worker share a Store in `runwright dev`);
        # weak values: a run nobody waits on holds no entry.
        self._signals: weakref.WeakValueDictionary[str, asyncio.Event] = (
            weakref.WeakValueDictionary()
        )
        self._inserts: dict[tuple[str, bool], sa.Executable] = {}
        self.local_appends_only = False
        """Set where every append to this database goes through this repository (`runwright
        dev`: API and worker share one Store), so `changed()` wakes every tailer and their
        polling is only a safety net."""

    def changed(self, run_id: str) -> asyncio.Event:
        """An Event set by the next append to `run_id` made through this Store.

        Take it *before* reading, then wait on it when the read found nothing: an append that
        lands in between still wakes the waiter. Appends from other processes do not set it;
        tailers keep a short poll as the fallback.
        """
        signal = self._signals.get(run_id)
        if signal is None:
            signal = self._signals[run_id] = asyncio.Event()
        return signal

    def _notify(self, run_id: str) -> None:
        signal = self._signals.pop(run_id, None)
        if signal is not None:
            signal.set()

    async def append(
        self,
        run_id: str,
        event: str,
        data: Any,
        *,
        dedupe_key: str | None = None,
        while_open: bool = False,
    ) -> int:
        """Append an event with the run's next seq and return that seq.

        If `dedupe_key` was appended to this run before, nothing is written and the earlier
        event's seq is returned. With `while_open`, nothing is written once the run is closing
        (cancelling or terminal) and `RunClosedError` is raised: a model call the workflow has
        abandoned must not add deltas after the run's final event.
        """
        for _ in range(_MAX_ATTEMPTS):
            async with self._engine.begin() as conn:
                await _lock_run(conn, run_id)
                seq = await self._insert_next(conn, run_id, event, data, dedupe_key, while_open)
                if seq is None and while_open and await self._closed(conn, run_id):
                    raise RunClosedError(run_id)
                if seq is None and dedupe_key is not None:
                    seq = await self._seq_of(conn, run_id, dedupe_key)
            if seq is not None:
                self._notify(run_id)
                return seq
        raise ServerError(f"Could not append to the event log of run '{run_id}'.")

    async def append_many(
        self,
        run_id: str,
        events: Sequence[tuple[str, Any, str | None]],
        *,
        while_open: bool = False,
    ) -> list[int]:
        """Append `(event, data, dedupe_key)`s in order in one transaction; their seqs.

        The same rules as `append`, one commit instead of several: a model call's first delta
        follows four snapshot events, and each commit delays it.
        """
        for _ in range(_MAX_ATTEMPTS):
            seqs: list[int] = []
            async with self._engine.begin() as conn:
                await _lock_run(conn, run_id)
                for event, data, key in events:
                    seq = await self._insert_next(conn, run_id, event, data, key, while_open)
                    if seq is None and while_open and await self._closed(conn, run_id):
                        raise RunClosedError(run_id)
                    if seq is None and key is not None:
                        seq = await self._seq_of(conn, run_id, key)
                    if seq is None:
                        break  # a concurrent appender won the seq: retry (keys dedupe)
                    seqs.append(seq)
            if len(seqs) == len(events):
                self._notify(run_id)
                return seqs
        raise ServerError(f"Could not append to the event log of run '{run_id}'.")

    async def read(self, run_id: str, after_seq: int = 0, limit: int = 1000) -> list[StoredEvent]:
        """Up to `limit` events of the run with `seq > after_seq`, in order."""
        t = self.table
        stmt = (
            sa.select(t.c.seq, t.c.event, t.c.data, t.c.created_at)
            .where(t.c.run_id == run_id, t.c.seq > after_seq)
            .order_by(t.c.seq)
            .limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        return [StoredEvent(r.seq, r.event, r.data, r.created_at) for r in rows]

    async def is_closed(self, run_id: str) -> bool:
        """Whether the run has reached cancelling or a terminal status in its log."""
        async with self._engine.connect() as conn:
            return await self._closed(conn, run_id)

    async def _closed(self, conn: AsyncConnection, run_id: str) -> bool:
        return (await conn.execute(sa.select(self._closing_exists(run_id)))).scalar_one() is True

    def _closing_exists(self, run_id: str | sa.BindParameter[str]) -> sa.Exists:
        t = self.table
        return sa.exists().where(t.c.run_id == run_id, t.c.event.in_(_STOPS_WRITERS))

    async def data_for_key(self, run_id: str, dedupe_key: str) -> Any | None:
        """The payload of the event appended with `dedupe_key`, if it is still in the log."""
        t = self.table
        stmt = sa.select(t.c.data).where(t.c.run_id == run_id, t.c.dedupe_key == dedupe_key)
        async with self._engine.connect() as conn:
            return (await conn.execute(stmt)).scalar_one_or_none()

    async def reopen(self, run_id: str) -> int:
        """Delete the run's closing cascade (from the first event that stops writers: the
        message or step it closed, or the run's closing event) and everything after it; how
        many events went.

        Only for an operator's reset of a failed run (`core.operations.repair`): the run goes
        on from before its failure, and its log must read as if it had never closed. Objects
        the cascade closed stay as they are in the store (a partial message stays incomplete).
        """
        t = self.table
        first_closing = (
            sa.select(sa.func.min(t.c.seq))
            .where(t.c.run_id == run_id, t.c.event.in_(_STOPS_WRITERS))
            .scalar_subquery()
        )
        stmt = sa.delete(t).where(t.c.run_id == run_id, t.c.seq >= first_closing)
        async with self._engine.begin() as conn:
            await _lock_run(conn, run_id)
            deleted = (await conn.execute(stmt)).rowcount
        self._notify(run_id)
        return deleted

    async def last_seq(self, run_id: str) -> int:
        """The seq of the run's newest event; 0 if it has none."""
        stmt = sa.select(sa.func.coalesce(sa.func.max(self.table.c.seq), 0)).where(
            self.table.c.run_id == run_id
        )
        async with self._engine.connect() as conn:
            return int((await conn.execute(stmt)).scalar_one())

    async def _insert_next(
        self,
        conn: AsyncConnection,
        run_id: str,
        event: str,
        data: Any,
        dedupe_key: str | None,
        while_open: bool = False,
    ) -> int | None:
        """`INSERT ... SELECT max(seq) + 1 ... ON CONFLICT DO NOTHING RETURNING seq`; None when it
        conflicted (a known `dedupe_key`)."""
        values = {"p_run_id": run_id, "p_event": event, "p_data": data,
                  "p_created_at": int(time.time()), "p_dedupe_key": dedupe_key}  # fmt: skip
        stmt = self._insert_statement(conn, while_open)
        seq = (await conn.execute(stmt, values)).scalar_one_or_none()
        return None if seq is None else int(seq)

    def _insert_statement(self, conn: AsyncConnection, while_open: bool) -> sa.Executable:
        """`_insert_next`'s statement with bound parameters, built once per dialect: appends are
        the store's most frequent write, and building the statement cost more than running it."""
        if (stmt := self._inserts.get((conn.dialect.name, while_open))) is not None:
            return stmt
        t = self.table
        run_id = sa.bindparam("p_run_id", type_=t.c.run_id.type)
        next_seq = sa.select(
            run_id,
            sa.func.coalesce(sa.func.max(t.c.seq), 0) + 1,
            sa.bindparam("p_event", type_=t.c.event.type),
            sa.bindparam("p_data", type_=t.c.data.type),
            sa.bindparam("p_created_at", type_=t.c.created_at.type),
            sa.bindparam("p_dedupe_key", type_=t.c.dedupe_key.type),
        ).where(t.c.run_id == run_id)
        if while_open:
            # HAVING, not WHERE: an aggregate over no rows still yields one row.
            next_seq = next_seq.having(~self._closing_exists(run_id))
        columns = ["run_id", "seq", "event", "data", "created_at", "dedupe_key"]
        insert = insert_for(conn, t).from_select(columns, next_seq).on_conflict_do_nothing()
        stmt = self._inserts[(conn.dialect.name, while_open)] = insert.returning(t.c.seq)
        return stmt

    async def _seq_of(self, conn: AsyncConnection, run_id: str, dedupe_key: str) -> int | None:
        """The seq of the run's event appended with `dedupe_key`, if any."""
        t = self.table
        stmt = sa.select(t.c.seq).where(t.c.run_id == run_id, t.c.dedupe_key == dedupe_key)
        seq = (await conn.execute(stmt)).scalar_one_or_none()
        return None if seq is None else int(seq)


async def _lock_run(conn: AsyncConnection, run_id: str) -> None:
    """Serialise appends to one run until the transaction ends.

    SQLite needs nothing: its single `INSERT ... SELECT` is atomic under the one write lock.
    PostgreSQL (READ COMMITTED) would let concurrent appenders read the same `max(seq)`, and all
    but one would conflict; the lock makes the next statement see the previous append instead.
    """
    if conn.dialect.name == "postgresql":
        lock = sa.func.pg_advisory_xact_lock(_PG_LOCK_CLASS, sa.func.hashtext(run_id))
        await conn.execute(sa.select(lock))
