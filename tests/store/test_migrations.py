"""Migrations: applied on open, equal to `tables.py`, safe to run concurrently; pragmas."""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from core.store import Store, open_store
from core.store.engine import create_engine
from core.store.migrate import MIGRATIONS_DIR, alembic_config
from core.store.tables import metadata
from tests.store import factories as f

# Dialect-specific search structures made by migration 0003 outside `tables.metadata`.
_OUTSIDE_METADATA = ("vector_store_chunks_fts", "ix_vector_store_chunks_tsv", "embedding_vector")


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    return not (name or "").startswith(_OUTSIDE_METADATA)


def _diff(connection: Connection) -> list[Any]:
    opts = {"compare_type": True, "include_name": _include_name}
    context = MigrationContext.configure(connection, opts=opts)
    with warnings.catch_warnings():
        # Reflection meets pgvector's type before `include_name` can skip its column.
        warnings.filterwarnings("ignore", "Did not recognize type 'vector'")
        return compare_metadata(context, metadata)


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def test_migrated_schema_has_no_drift_from_tables(database_url: str, tmp_path: Path) -> None:
    """`alembic revision --autogenerate` would find nothing to do on a freshly migrated DB."""
    async with (
        await open_store(database_url, blob_dir=tmp_path / "blobs") as store,
        store.engine.connect() as conn,
    ):
        assert await conn.run_sync(_diff) == []
        assert await conn.run_sync(_revision) == "0004"


async def test_drift_check_notices_a_missing_index(store: Store) -> None:
    """Guards the test above against comparing nothing."""
    async with store.engine.begin() as conn:
        await conn.exec_driver_sql("DROP INDEX ix_messages_thread_id_created_at_pk")
        diff = await conn.run_sync(_diff)
    assert [(d[0], d[1].name) for d in diff] == [
        ("add_index", "ix_messages_thread_id_created_at_pk")
    ]


async def test_reopening_keeps_data_and_migrates_nothing(database_url: str, tmp_path: Path) -> None:
    thread = f.thread()
    async with await open_store(database_url, blob_dir=tmp_path / "blobs") as store:
        await store.threads.upsert("proj", thread)
    async with await open_store(database_url, blob_dir=tmp_path / "blobs") as store:
        assert await store.threads.get("proj", thread.id) == thread


async def test_concurrent_start_ups_migrate_once(database_url: str, tmp_path: Path) -> None:
    """API and worker start together and both migrate: the second waits, then has nothing to do."""
    stores = await asyncio.gather(
        *(open_store(database_url, blob_dir=tmp_path / "blobs") for _ in range(3))
    )
    try:
        for store in stores:
            await store.ping()
    finally:
        for store in stores:
            await store.close()


async def test_downgrade_to_base_and_back(database_url: str, tmp_path: Path) -> None:
    def cycle(connection: Connection) -> list[str]:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        left = sa.inspect(connection).get_table_names()
        command.upgrade(config, "head")
        return left

    async with await open_store(database_url, blob_dir=tmp_path / "blobs") as store:
        async with store.engine.begin() as conn:
            assert await conn.run_sync(cycle) == ["alembic_version"]
        async with store.engine.connect() as conn:
            assert await conn.run_sync(_diff) == []


def test_migrations_need_no_ini_file() -> None:
    """An installed package migrates from code: the config points inside the package."""
    config = alembic_config()
    assert config.config_file_name is None
    assert Path(config.get_main_option("script_location") or "") == MIGRATIONS_DIR
    assert (MIGRATIONS_DIR / "env.py").is_file()


async def test_sqlite_pragmas(sqlite_store: Store) -> None:
    expected = {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1, "busy_timeout": 10000}
    async with sqlite_store.engine.connect() as conn:
        for pragma, value in expected.items():
            assert (await conn.exec_driver_sql(f"PRAGMA {pragma}")).scalar() == value


async def test_plain_urls_get_the_async_drivers(tmp_path: Path) -> None:
    """`postgresql://` and `sqlite://` (as platforms hand them out) work as they are."""
    for url, driver in [
        (f"sqlite:///{tmp_path / 'x.db'}", "sqlite+aiosqlite"),
        ("postgresql://u:p@db.example/runwright", "postgresql+asyncpg"),
        ("postgres://u:p@db.example/runwright", "postgresql+asyncpg"),
    ]:
        engine = create_engine(url)
        assert engine.url.drivername == driver
        await engine.dispose()
