"""Run contexts: what each model call was sent, one row per call keyed by its step id."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from core.objects.run_context import RunContext
from core.store import tables
from core.store.repository import DocumentRepository

__all__ = ["RunContextRepository"]


class RunContextRepository(DocumentRepository[RunContext]):
    """Contexts of a project's runs. The generate activity upserts one per model call (again,
    with the usage, once the call returns), so a retried call rewrites its own row."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            engine,
            tables.run_contexts,
            RunContext,
            noun="run context",
            param="step_id",
            columns=("thread_id", "run_id"),
        )

    async def for_run(self, project_id: str, run_id: str) -> builtins.list[RunContext]:
        """Every recorded call of the run, oldest first (a run makes a handful of calls)."""
        return await self._all(project_id, run_id=run_id)

    def _row(self, project_id: str, obj: RunContext, extra: dict[str, Any]) -> dict[str, Any]:
        # The wire object names its key `step_id`; the table's generic key column is `id`.
        doc = obj.model_dump(mode="json")
        row = {
            "id": obj.step_id,
            "project_id": project_id,
            "created_at": obj.created_at,
            "thread_id": obj.thread_id,
            "run_id": obj.run_id,
        }
        return {**row, **extra, "data": doc}
