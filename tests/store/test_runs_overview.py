"""`runs.overview()`: the API's store gauges, across projects, on both backends and on the
(status, created_at) index."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from core.store import Store
from tests.store import factories as f

NOW = f.NOW


async def _seed(store: Store) -> None:
    rows = [
        ("proj_a", "completed", NOW - 500, None),
        ("proj_b", "completed", NOW - 400, None),
        ("proj_a", "in_progress", NOW - 90, NOW + 510),
        ("proj_b", "in_progress", NOW - 30, NOW + 570),
        ("proj_a", "requires_action", NOW - 200, NOW + 100),  # expires within 120 s
        ("proj_b", "requires_action", NOW - 100, NOW + 500),
        ("proj_b", "requires_action", NOW - 700, NOW - 100),  # overdue, not yet marked
        ("proj_a", "queued", NOW - 5, NOW + 595),
    ]
    for project, status, created_at, expires_at in rows:
        run = f.run(f"thread_{project}", status=status, created_at=created_at)
        await store.runs.upsert(project, run.model_copy(update={"expires_at": expires_at}))


async def test_overview_counts_every_project(store: Store) -> None:
    await _seed(store)

    overview = await store.runs.overview(expiring_by=NOW + 120)

    assert overview.counts == {
        "completed": 2,
        "in_progress": 2,
        "requires_action": 3,
        "queued": 1,
    }
    assert overview.oldest_created_at["in_progress"] == NOW - 90
    assert overview.oldest_created_at["requires_action"] == NOW - 700
    assert "cancelling" not in overview.oldest_created_at
    assert overview.expiring == 2


async def test_an_empty_store_has_an_empty_overview(store: Store) -> None:
    overview = await store.runs.overview(expiring_by=NOW)
    assert (overview.counts, overview.oldest_created_at, overview.expiring) == ({}, {}, 0)


async def test_overview_queries_read_the_status_index(store: Store) -> None:
    """Two statements per scrape, both on ix_runs_status_created_at (no table scan)."""
    await _seed(store)
    sent: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, params))

    event.listen(store.engine.sync_engine, "before_cursor_execute", capture)
    try:
        await store.runs.overview(expiring_by=NOW + 120)
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", capture)

    assert len(sent) == 2
    for statement, params in sent:
        plan = await _explain(store, statement, params)
        assert "ix_runs_status_created_at" in plan, plan
        if store.engine.dialect.name == "sqlite":
            assert "SCAN runs\n" not in plan + "\n" and "TEMP B-TREE" not in plan, plan
        else:
            assert "Seq Scan" not in plan, plan


async def _explain(store: Store, statement: str, params: Any) -> str:
    async with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            return "\n".join(str(row[-1]) for row in rows)
        # A handful of rows makes a scan cheapest; ask whether the index *can* serve it.
        for setting in ("enable_seqscan", "enable_bitmapscan"):
            await conn.exec_driver_sql(f"SET {setting} = off")
        rows = await conn.exec_driver_sql(f"EXPLAIN {statement}", params)
        return "\n".join(str(row[0]) for row in rows)
