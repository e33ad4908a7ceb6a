"""Alembic, driven from code: `upgrade(engine)` brings a database to the newest revision.

No `alembic.ini` is needed: the config is built here and points at the `migrations/` package
directory, so an installed wheel migrates its database on start-up.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["MIGRATIONS_DIR", "alembic_config", "upgrade"]

MIGRATIONS_DIR: Final = Path(__file__).parent / "migrations"

_ATTEMPTS: Final = 5

# Any constant works; it only has to be the same in every Runwright process.
_PG_MIGRATION_LOCK: Final = 0x52554E57  # "RUNW"


def alembic_config() -> Config:
    """An Alembic config for the store's migrations (`attributes["connection"]` unset)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Migrate the database to `revision` in one transaction.

    API and worker processes start together and both migrate, so the migration runs under a
    lock: the second process waits, then finds nothing left to do.
    """
    for attempt in range(_ATTEMPTS):
        try:
            async with engine.connect() as conn:
                await _lock_for_migration(conn)
                await conn.run_sync(_upgrade, revision)
                await conn.commit()
            return
        except OperationalError:
            # SQLite under load: the lock wait can outlast busy_timeout, or a migrator that
            # started before another committed trips over its tables. Once that one has
            # committed, a fresh attempt finds the new revision and has nothing left to do.
            if attempt == _ATTEMPTS - 1:
                raise
            await asyncio.sleep(0.2 * (attempt + 1))


async def _lock_for_migration(conn: AsyncConnection) -> None:
    if conn.dialect.name == "sqlite":
        # Python's sqlite3 runs DDL outside any transaction unless one is opened explicitly;
        # IMMEDIATE also takes the write lock up front, which serialises concurrent migrators.
        await conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")


def _upgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
