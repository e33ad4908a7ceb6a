"""Every list query is an index range scan (checked on the SQL actually sent, on both backends)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import event

from core.store import ListParams, Store
from tests.store import factories as f

P = "proj"


async def _seed(store: Store) -> None:
    for i in range(30):
        thread = f"thread_{i % 3}"
        await store.messages.upsert(P, f.message(thread, created_at=i, run_id=f"run_{i % 2}"))
        await store.run_steps.upsert(P, f.run_step(thread, f"run_{i % 2}", created_at=i))
        await store.run_contexts.upsert(P, f.run_context(thread, f"run_{i % 2}", created_at=i))
        status = "completed" if i % 2 else "failed"
        await store.vector_store_files.upsert(P, f.vector_store_file("vs_a", status=status))


Query = Callable[[Store], Awaitable[object]]
INDEXED_QUERIES: dict[str, tuple[str, Query]] = {
    "messages": (
        "ix_messages_thread_id_created_at_pk",
        lambda s: s.messages.list_for_thread(P, "thread_1", ListParams(limit=3)),
    ),
    "messages_of_run": (
        "ix_messages_thread_id_run_id_created_at_pk",
        lambda s: s.messages.list_for_thread(P, "thread_1", ListParams(), run_id="run_1"),
    ),
    "latest_messages": (
        "ix_messages_thread_id_created_at_pk",
        lambda s: s.messages.latest(P, "thread_1", 5),
    ),
    "context_first_page": (
        "ix_messages_thread_id_created_at_pk",
        lambda s: s.messages.older_page(P, "thread_1", None, 4),
    ),
    "context_older_page": (
        "ix_messages_thread_id_created_at_pk",
        lambda s: s.messages.older_page(P, "thread_1", (20, 21), 4),
    ),
    "context_opening": (
        "ix_messages_thread_id_created_at_pk",
        lambda s: s.messages.opening_user_message(P, "thread_1", 16),
    ),
    "contexts_of_run": (
        "ix_run_contexts_run_id_created_at_pk",
        lambda s: s.run_contexts.for_run(P, "run_1"),
    ),
    "open_messages_of_run": (
        "ix_messages_run_id_created_at_pk",
        lambda s: s.messages.open_for_run(P, "run_1"),
    ),
    "steps_of_run": (
        "ix_run_steps_run_id_created_at_pk",
        lambda s: s.run_steps.for_run(P, "run_1"),
    ),
    "run_steps": (
        "ix_run_steps_run_id_created_at_pk",
        lambda s: s.run_steps.list_for_run(P, "run_1", ListParams(order="asc")),
    ),
    "vector_store_files": (
        "ix_vector_store_files_vector_store_id_status_created_at_pk",
        lambda s: s.vector_store_files.list_for_store(P, "vs_a", ListParams(), status="failed"),
    ),
}


@pytest.mark.parametrize(("index", "query"), INDEXED_QUERIES.values(), ids=list(INDEXED_QUERIES))
async def test_list_queries_are_index_range_scans(store: Store, index: str, query: Any) -> None:
    """The real query (captured as sent, cursor included) reads its index: no scan, no sort."""
    await _seed(store)
    statement, params = await _capture_select(store, query)
    plan = await _explain(store, statement, params)
    assert index in plan
    if store.engine.dialect.name == "sqlite":
        assert "SCAN" not in plan and "TEMP B-TREE" not in plan
    else:
        assert "Seq Scan" not in plan and "Sort" not in plan


async def test_paging_with_a_cursor_stays_on_the_index(store: Store) -> None:
    await _seed(store)
    first = await store.messages.list_for_thread(P, "thread_1", ListParams(limit=3))
    params = ListParams(limit=3, after=first.last_id)
    statement, args = await _capture_select(
        store, lambda s: s.messages.list_for_thread(P, "thread_1", params)
    )
    plan = await _explain(store, statement, args)
    assert "ix_messages_thread_id_created_at_pk" in plan
    assert "SCAN" not in plan and "Sort" not in plan


async def _capture_select(
    store: Store, query: Callable[[Store], Awaitable[object]]
) -> tuple[str, Any]:
    """The last ordered SELECT `query` sends, with its parameters."""
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        captured.append((statement, params))

    event.listen(store.engine.sync_engine, "before_cursor_execute", capture)
    try:
        await query(store)
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", capture)
    return [c for c in captured if "ORDER BY" in c[0]][-1]


async def _explain(store: Store, statement: str, params: Any) -> str:
    async with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            return "\n".join(str(row[-1]) for row in rows)
        # With a few test rows a scan plus sort is cheapest; ask whether an index *can* serve it.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            await conn.exec_driver_sql(f"SET {setting} = off")
        rows = await conn.exec_driver_sql(f"EXPLAIN {statement}", params)
        return "\n".join(str(row[0]) for row in rows)
