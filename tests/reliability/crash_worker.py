"""A test-only worker entrypoint: the real worker plus an interceptor that SIGKILLs the process
at the points of a crash plan (crash_plan.py).

    python -m tests.reliability.crash_worker            # one worker, configured like worker.py
    python -m tests.reliability.crash_worker --zygote   # a fork server of such workers

The fork server imports everything once and forks a fresh worker per JSON line on stdin
(`{"env": {...}, "log": path}`), answering `{"pid": n}`: a restarted worker costs a fork and a
Temporal connection instead of 2-3 s of imports, which is what lets a fault test afford a
restart per crash point on a small machine. Each child is an ordinary worker process; SIGKILL
ends it as it would end `python worker.py`.
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any, NoReturn

import structlog
from temporalio import activity
from temporalio.worker import (
    ActivityInboundInterceptor,
    ActivityOutboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
)

from core.observability.logging import configure_logging
from core.settings import Settings
from core.store import open_store
from core.temporal_client import connect_temporal
from tests.reliability.crash_plan import PLAN_ENV, CrashPlan, CrashPoint
from worker import build_worker, install_stop_signals, quiet_temporal_loggers, sandbox_for

log = structlog.get_logger()

PR_SET_PDEATHSIG = 1
STICKY_TIMEOUT = timedelta(seconds=1)
"""How long a workflow task waits on a dead worker's sticky queue before any worker may take it
(SDK default 10 s): a killed worker held the run's cached workflow."""


def _die(plan: CrashPlan, point: CrashPoint) -> None:
    info = activity.info()
    note = {"pid": os.getpid(), "activity": info.activity_type, "attempt": info.attempt,
            "workflow_id": info.workflow_id, "when": point.when}  # fmt: skip
    if plan.fire(point, note):
        os.kill(os.getpid(), signal.SIGKILL)


class _HeartbeatTrap(ActivityOutboundInterceptor):
    """Counts the activity's heartbeats and dies at the armed point's."""

    def __init__(self, next: ActivityOutboundInterceptor, plan: CrashPlan) -> None:
        super().__init__(next)
        self._plan = plan
        self._point: CrashPoint | None = None
        self._beats = 0

    def arm(self, point: CrashPoint) -> None:
        self._point = point

    def heartbeat(self, *details: Any) -> None:
        self._beats += 1
        if self._point is not None and self._beats == self._point.heartbeat:
            _die(self._plan, self._point)
        super().heartbeat(*details)


class _CrashInbound(ActivityInboundInterceptor):
    """One activity execution: dies before or after the body, or arms the heartbeat trap."""

    def __init__(self, next: ActivityInboundInterceptor, plan: CrashPlan) -> None:
        super().__init__(next)
        self._plan = plan
        self._trap: _HeartbeatTrap | None = None

    def init(self, outbound: ActivityOutboundInterceptor) -> None:
        self._trap = _HeartbeatTrap(outbound, self._plan)
        super().init(self._trap)

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        point = self._due(input)
        if point is not None and point.when == "before":
            _die(self._plan, point)
        if point is not None and point.when == "heartbeat" and self._trap is not None:
            self._trap.arm(point)
        result = await self.next.execute_activity(input)
        if point is not None and point.when == "after":
            _die(self._plan, point)  # the body's writes are done; Temporal never hears of it
        return result

    def _due(self, input: ExecuteActivityInput) -> CrashPoint | None:
        info = activity.info()
        # The plan is re-read per activity: the test adds points while this worker runs.
        for point in self._plan.pending():
            if point.matches(info.activity_type, input.args):
                key = f"{info.workflow_id}/{info.workflow_run_id}/{info.activity_id}"
                if self._plan.is_nth(point, key):
                    return point
        return None


class CrashInterceptor(Interceptor):
    """Worker interceptor applying `plan` to every activity."""

    def __init__(self, plan: CrashPlan) -> None:
        self._plan = plan

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _CrashInbound(next, self._plan)


async def serve(settings: Settings, plan: CrashPlan) -> None:
    """worker.run_worker's worker, with the crash interceptor, until SIGINT/SIGTERM."""
    stop = asyncio.Event()
    install_stop_signals(stop)
    client = await connect_temporal(settings, wait_seconds=30)
    store = await open_store(settings.resolved_database_url, blob_dir=settings.blob_dir)
    sandbox = sandbox_for(settings)
    try:
        worker = build_worker(
            client, settings, store, sandbox=sandbox,
            interceptors=[CrashInterceptor(plan)],
            sticky_queue_schedule_to_start_timeout=STICKY_TIMEOUT,
        )  # fmt: skip
        async with worker:
            log.info("crash_worker_started", task_queue=settings.task_queue, pid=os.getpid())
            await stop.wait()
    finally:
        await sandbox.aclose()
        await store.close()


def run_one() -> None:
    """One crash worker configured from the environment, like `python worker.py`."""
    settings = Settings()
    configure_logging(settings.log_level, settings.log_format)
    quiet_temporal_loggers()
    asyncio.run(serve(settings, CrashPlan(Path(os.environ[PLAN_ENV]))))


def _die_with_parent() -> None:
    """SIGKILL this process when the fork server ends: no worker outlives its test session."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(request: dict[str, Any]) -> NoReturn:
    code = 1
    try:
        _die_with_parent()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the sandbox waits for its processes
        out = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.environ.update(request["env"])
        run_one()
        code = 0
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)  # never return into the fork server's loop


def _prewarm() -> None:
    """Load what the first model call of every child would otherwise load itself."""
    from core.tokens import count_tokens

    count_tokens("warm the tokenizer tables", "gpt-4o")


def zygote() -> None:
    """Fork a worker per request line; exit at end of input."""
    _prewarm()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the kernel
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            _child(request)
        print(json.dumps({"pid": pid}), flush=True)
    os._exit(0)


if __name__ == "__main__":
    zygote() if "--zygote" in sys.argv else run_one()
