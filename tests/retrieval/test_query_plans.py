"""The keyword half reads the full-text index on both databases (checked on the SQL sent)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from core.retrieval import Retriever
from core.store import Store
from tests.retrieval.corpus import VS, P, add_file


async def test_keyword_search_uses_the_full_text_index(store: Store) -> None:
    """A store of 40 files of 10 chunks, 3 chunks about lamps: the index finds those 3 first."""
    passages = [f"Ledger {n}: rope, tar and sailcloth supplies." for n in range(400)]
    for n in (7, 70, 300):
        passages[n] = f"Ledger {n}: lamp oil and wick supplies."
    for start in range(0, 400, 10):
        await add_file(store, passages[start : start + 10], dimensions=None)
    async with store.engine.begin() as conn:
        await conn.exec_driver_sql("ANALYZE")  # planner statistics, as autovacuum would gather
    captured: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        captured.append((statement, params))

    event.listen(store.engine.sync_engine, "before_cursor_execute", capture)
    try:
        hits = await Retriever(store, None).search(P, [VS], ["lamp oil"], max_num_results=5)
    finally:
        event.remove(store.engine.sync_engine, "before_cursor_execute", capture)
    assert len(hits) == 3
    statement, params = next(c for c in captured if "ORDER BY score DESC" in c[0])
    async with store.engine.connect() as conn:
        if store.engine.dialect.name == "sqlite":
            rows = await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            plan = "\n".join(str(row[-1]) for row in rows)
            assert plan.startswith("SCAN vector_store_chunks_fts VIRTUAL TABLE INDEX")
            assert "SEARCH c USING INTEGER PRIMARY KEY" in plan
            assert "SEARCH f USING INDEX" in plan
        else:
            rows = await conn.exec_driver_sql(f"EXPLAIN {statement}", params)
            plan = "\n".join(str(row[0]) for row in rows)
            assert "Bitmap Index Scan on ix_vector_store_chunks_tsv" in plan
