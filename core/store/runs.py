"""Runs (SPEC §2.4, §3) and their steps (§2.5, §4)."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Final

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from core.objects.run import Run
from core.objects.run_step import RunStep
from core.store import tables
from core.store.pagination import ListParams, Page
from core.store.repository import DocumentRepository

__all__ = ["ACTIVE_RUN_STATUSES", "RunRepository", "RunStepRepository", "RunsOverview"]

ACTIVE_RUN_STATUSES: Final = ("queued", "in_progress", "requires_action", "cancelling")
"""Statuses that lock a thread: no new run and no new message while one of its runs is in them."""


@dataclass(frozen=True)
class RunsOverview:
    """Runs of every project by status, for the API's metrics (read at scrape time)."""

    counts: dict[str, int]
    """Runs per status; statuses without runs are absent."""
    oldest_created_at: dict[str, int]
    """The oldest run's `created_at` per status (statuses without runs are absent)."""
    expiring: int
    """Runs in `requires_action` whose `expires_at` is at or before the `expiring_by` asked."""


class RunRepository(DocumentRepository[Run]):
    """Runs of a project's threads; `get`/`find` accept `thread_id=` to scope."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            engine,
            tables.runs,
            Run,
            noun="run",
            param="run_id",
            columns=("thread_id", "assistant_id", "status"),
        )

    async def list_for_thread(
        self, project_id: str, thread_id: str, params: ListParams
    ) -> Page[Run]:
        """One page of the thread's runs."""
        return await self.list(project_id, params, thread_id=thread_id)

    async def active_for_thread(self, project_id: str, thread_id: str) -> Run | None:
        """The thread's newest run that is not terminal yet (it holds the thread lock), or None."""
        t = self.table
        # No ORDER BY: the thread lock allows one active run, so the (thread_id, status) index
        # lookup returns at most a handful of rows; sorting in SQL would make SQLite walk every
        # run of the thread through the list index instead.
        stmt = (
            sa.select(t.c.data, t.c.created_at, t.c.pk)
            .where(*self._where(project_id, thread_id=thread_id))
            .where(t.c.status.in_(ACTIVE_RUN_STATUSES))
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(stmt)).all()
        if not rows:
            return None
        return self._load(max(rows, key=lambda row: (row.created_at, row.pk)).data)

    async def overview(self, *, expiring_by: int) -> RunsOverview:
        """Counts and oldest runs per status across all projects, in two aggregate queries.

        Both read the (status, created_at) index: the first one entry per run (no table rows),
        the second only the rows of runs in requires_action, whose deadline is in `data`.
        """
        t = self.table
        by_status = sa.select(t.c.status, sa.func.count(), sa.func.min(t.c.created_at)).group_by(
            t.c.status
        )
        # as_float, not as_integer: PostgreSQL's INTEGER would overflow in 2038.
        expires_at = t.c.data["expires_at"].as_float()
        expiring = (
            sa.select(sa.func.count())
            .select_from(t)
            .where(t.c.status == "requires_action", expires_at <= expiring_by)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(by_status)).all()
            soon = (await conn.execute(expiring)).scalar_one()
        return RunsOverview(
            counts={row[0]: row[1] for row in rows},
            oldest_created_at={row[0]: row[2] for row in rows},
            expiring=int(soon),
        )


class RunStepRepository(DocumentRepository[RunStep]):
    """Steps of a project's runs; `get`/`find` accept `run_id=` / `thread_id=` to scope."""

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__(
            engine,
            tables.run_steps,
            RunStep,
            noun="run step",
            param="step_id",
            columns=("thread_id", "run_id", "type", "status"),
        )

    async def list_for_run(
        self, project_id: str, run_id: str, params: ListParams, *, thread_id: str | None = None
    ) -> Page[RunStep]:
        """One page of the run's steps (also checked against `thread_id` if given)."""
        return await self.list(project_id, params, run_id=run_id, thread_id=thread_id)

    async def for_run(self, project_id: str, run_id: str) -> builtins.list[RunStep]:
        """All of the run's steps, oldest first."""
        return await self._all(project_id, run_id=run_id)

    async def open_for_run(self, project_id: str, run_id: str) -> builtins.list[RunStep]:
        """The run's steps still `in_progress`, oldest first (to close when the run ends)."""
        return await self._all(project_id, run_id=run_id, status="in_progress")

    async def completed_tool_steps(self, project_id: str, run_id: str) -> builtins.list[RunStep]:
        """The run's completed `tool_calls` steps, oldest first (their outputs go back to the
        model)."""
        return await self._all(project_id, run_id=run_id, type="tool_calls", status="completed")
