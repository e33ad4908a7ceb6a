"""The API under fuzzing: a real stack on loopback, and the rule every case is judged by.

`serve_target(...)` runs `tests/api/conftest.py`'s in-process stack (uvicorn on a free port, a
real Temporal worker, a SQLite store, the scripted model server) for a whole test module.

`CaseRunner.check(operation, label, send)` sends one case and records it in a `FuzzTally`:
the response must pass `fuzz_checks.response_problems`, and a rejected request (any non-2xx) must
leave the store byte-for-byte as it was (`store_snapshot`). Cases run one at a time; after a
successful one the runner waits for the stack to settle (runs and ingestions it started have
finished) and takes that state as the new baseline. Everything here is synchronous: fuzzing runs
in a worker thread while the event loop serves the API and runs the worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.store import open_store
from tests.api.conftest import ApiServer, in_process
from tests.fakes.model_server import ScriptedModelServer
from tests.fixtures.store import sqlite_url
from tests.reliability.fuzz_checks import response_problems
from tests.reliability.fuzz_http import Reply
from tests.reliability.fuzz_tally import FuzzTally
from tests.reliability.store_snapshot import StoreSnapshot, changes

__all__ = ["CaseRunner", "FuzzTarget", "serve_target"]

SETTLE_TIMEOUT_S = 60.0
QUIET_WINDOW_S = 0.2
"""A settled store stays unchanged this long (a worker's last writes trail the terminal status)."""

_BUSY = {
    "active runs": "SELECT count(*) FROM runs"
    " WHERE status IN ('queued', 'in_progress', 'cancelling')",
    "ingesting files": "SELECT count(*) FROM vector_store_files WHERE status = 'in_progress'",
    # A lock outlives its run's terminal status by one activity; requires_action keeps it.
    "locks of runs not waiting": "SELECT count(*) FROM thread_locks l JOIN runs r"
    " ON r.id = l.run_id WHERE r.status <> 'requires_action'",
}


@dataclass
class FuzzTarget:
    api: ApiServer
    db_path: Path
    blob_dir: Path
    temporal: Client
    task_queue: str
    loop: asyncio.AbstractEventLoop
    """The loop serving the API; fuzzing threads reach Temporal through it."""

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:<port>`: the OpenAPI paths already start with `/v1`."""
        return self.api.base_url.removesuffix("/v1")

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api.key_a}"}

    def snapshot(self) -> StoreSnapshot:
        return StoreSnapshot.take(self.db_path, self.blob_dir)

    def settle(self, timeout_s: float = SETTLE_TIMEOUT_S) -> StoreSnapshot:
        """The store once nothing runs and it stayed unchanged for `QUIET_WINDOW_S`.

        "Nothing runs" is read from the store (no active run, ingestion or stale lock) and
        from Temporal (no workflow of this stack has a pending activity or workflow task), so
        an update a workflow accepted but has not yet acted on (a submitted tool output) still
        counts as work in flight.
        """
        deadline = time.monotonic() + timeout_s
        previous, busy = None, {}
        while time.monotonic() < deadline:
            busy = self._busy()
            if busy:
                previous = None
            else:
                current = self.snapshot()
                if current == previous:
                    return current
                previous = current
            time.sleep(QUIET_WINDOW_S)
        raise AssertionError(f"the store did not settle within {timeout_s} s: {busy or 'changing'}")

    def _busy(self) -> dict[str, int]:
        """What is still going on: counts by kind, only those above zero."""
        conn = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=30)
        try:
            counts = {name: conn.execute(sql).fetchone()[0] for name, sql in _BUSY.items()}
        finally:
            conn.close()
        working = asyncio.run_coroutine_threadsafe(self._working_workflows(), self.loop)
        counts["workflows with pending work"] = working.result(timeout=30)
        return {name: count for name, count in counts.items() if count}

    async def _working_workflows(self) -> int:
        query = f'TaskQueue="{self.task_queue}" AND ExecutionStatus="Running"'
        working = 0
        async for execution in self.temporal.list_workflows(query):
            handle = self.temporal.get_workflow_handle(execution.id, run_id=execution.run_id)
            raw = (await handle.describe()).raw_description
            working += bool(raw.pending_activities) or raw.HasField("pending_workflow_task")
        return working


@contextlib.asynccontextmanager
async def serve_target(
    temporal_env: WorkflowEnvironment, model: ScriptedModelServer, directory: Path
) -> AsyncIterator[FuzzTarget]:
    model.reset()
    store = await open_store(sqlite_url(directory), blob_dir=directory / "blobs")
    try:
        task_queue = f"tq-fuzz-{uuid.uuid4().hex[:12]}"
        async with in_process(temporal_env, store, model, directory, task_queue) as api:
            yield FuzzTarget(
                api, directory / "db" / "runwright.db", directory / "blobs",
                temporal_env.client, task_queue, asyncio.get_running_loop(),
            )  # fmt: skip
    finally:
        await store.close()
        errors = model.errors
        model.reset()
        assert not errors, f"scripted model server raised inside a handler: {errors!r}"


class CaseRunner:
    """Sends cases one at a time and judges them (see the module docstring)."""

    def __init__(self, target: FuzzTarget, tally: FuzzTally) -> None:
        self.target = target
        self.tally = tally
        self.baseline = target.settle()

    def check(
        self, operation: str, label: str, send: Callable[[], Reply], *, http_layer: bool = False
    ) -> Reply:
        """Send one case; its problems go to the tally (the caller asserts on them).

        `http_layer`: the request breaks HTTP itself, so the server's HTTP parser answers it
        before the app can (no envelope, no request id); still never a 5xx.
        """
        reply = send()
        self.tally.count(operation, reply.status)
        problems = response_problems(reply.status, reply.headers, reply.body)
        if http_layer:
            problems = [problem for problem in problems if problem.startswith("server error")]
        if 200 <= reply.status < 300:
            self.rebase(quick=operation.startswith("GET "))
        else:
            changed = changes(self.baseline, self.target.snapshot())
            if changed:
                self.tally.store_changed += 1
                problems += [f"store changed by a rejected request: {item}" for item in changed]
                self.rebase()
        if problems:
            detail = f"{reply.status} {reply.body[:300]!r}"
            self.tally.problems.append(f"{operation} [{label}] -> {detail}: {problems}")
        return reply

    def rebase(self, *, quick: bool = False) -> None:
        """Take the settled store as the baseline. `quick`: a read that changed nothing needs
        no wait (it started nothing)."""
        if quick and self.target.snapshot() == self.baseline:
            return
        self.baseline = self.target.settle()
