"""Alembic environment for the store.

`core.store.migrate.upgrade` passes an open connection in `config.attributes["connection"]`.
Without one (the `alembic` CLI, e.g. `alembic -c core/store/alembic.ini -x url=... revision
--autogenerate -m "..."`), it connects to the URL given with `-x url=`.
"""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection

from core.store.engine import create_engine
from core.store.tables import metadata


def _configure_and_run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_with_url(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_configure_and_run)
            await conn.commit()
    finally:
        await engine.dispose()


def _main() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url")
    if url is None:
        raise SystemExit("Pass the database URL: alembic ... -x url=sqlite+aiosqlite:///path.db")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(_run_with_url(url))


_main()
