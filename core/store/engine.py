"""The async engine for a database URL: SQLite (aiosqlite) or PostgreSQL (asyncpg)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from core.store.sqlite_driver import fused_aiosqlite

__all__ = ["create_engine"]

SQLITE_PRAGMAS: Final = (
    # WAL lets the API read while the worker writes (they may be separate processes).
    "PRAGMA journal_mode=WAL",
    # Safe with WAL (a crash loses at most the last commits, never consistency), and much faster.
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    # Writers queue for the single write lock instead of failing with "database is locked".
    "PRAGMA busy_timeout=10000",
)


# Plain schemes get the async driver, so `postgresql://...` from a platform's env var works.
_ASYNC_DRIVERS: Final = {
    "sqlite": "sqlite+aiosqlite",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
}


def create_engine(database_url: str) -> AsyncEngine:
    """An engine for `database_url`; SQLite files get their directory and pragmas."""
    url = make_url(database_url)
    url = url.set(drivername=_ASYNC_DRIVERS.get(url.drivername, url.drivername))
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    # Connections may sit idle in the pool across a database restart.
    return create_async_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> AsyncEngine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    # One thread round trip per statement instead of four (core/store/sqlite_driver.py).
    engine = create_async_engine(url, module=fused_aiosqlite())
    event.listen(engine.sync_engine, "connect", _apply_pragmas)
    return engine


def _apply_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Pragmas are per connection, so they are applied to each one the pool opens."""
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()
