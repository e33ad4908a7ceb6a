"""SQLAlchemy's aiosqlite adapter, with one thread round trip per statement instead of four.

The stock adapter awaits aiosqlite's thread for `cursor()`, `execute()`, `fetchall()` and
`close()` of every statement, and once more for a rollback whenever a connection goes back to the
pool, even after a read that never opened a transaction. Each round trip is a future, a queue
hand-off, a GIL hand-over and an event-loop wake-up: about 235 of them per single-turn run, the
largest single cost of a worker under load (bench/load.py). Here a statement runs to its last row
in one round trip, and a commit or rollback with no transaction open is skipped.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

__all__ = ["fused_aiosqlite"]

_Outcome = tuple[list[Any], Any, int, Any]


class _Ran:
    """What a statement left behind, in place of the driver's cursor."""

    __slots__ = ("arraysize", "description", "lastrowid", "rowcount")

    def __init__(self) -> None:
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: Any = None
        self.arraysize = 1

    def close(self) -> None:
        return None


def _run(connection: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome:
    """In aiosqlite's thread: execute, fetch every row, close the cursor."""
    cursor = connection.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        rows = cursor.fetchall() if cursor.description else []
        return rows, cursor.description, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _run_many(connection: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return [], cursor.description, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


class _Cursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()
    _awaitable_cursor_close = False  # `_Ran.close()` is synchronous

    def _make_new_cursor(self, connection: Any) -> Any:
        return _Ran()

    def _aenter_cursor(self, cursor: Any) -> Any:
        return cursor

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._in_thread(_run, operation, parameters)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._in_thread(_run_many, operation, seq_of_parameters)

    async def _in_thread(self, run: Any, operation: Any, parameters: Any) -> Any:
        driver: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        async with self._adapt_connection._execute_mutex:
            outcome: _Outcome = await driver._execute(  # type: ignore[no-untyped-call]
                run, driver._conn, operation, parameters
            )
        rows, ran = outcome[0], self._cursor
        ran.description, ran.rowcount, ran.lastrowid = outcome[1:]  # type: ignore[misc]
        self._rows = collections.deque(rows)
        return ran


class _Connection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _Cursor

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()

    def commit(self) -> None:
        if self._in_transaction():
            super().commit()

    def _in_transaction(self) -> bool:
        """Read between statements, when nothing runs on the connection; the dialect opens
        SQLite with check_same_thread=False, so this thread may ask."""
        connection = self._connection._connection
        try:
            return connection is None or bool(connection.in_transaction)
        except sqlite3.ProgrammingError:
            return True  # opened some other way: let the stock adapter decide


class _DBAPI(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> _Connection:
        stock = super().connect(*arg, **kw)
        return _Connection(self, stock._connection)


def fused_aiosqlite() -> Any:
    """The DBAPI module to pass as `create_async_engine(..., module=...)`."""
    return _DBAPI(aiosqlite, sqlite3)
