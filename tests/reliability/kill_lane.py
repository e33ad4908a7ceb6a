"""Crash workers for the kill tests: one fork server, and lanes that keep their workers alive.

A lane is a task queue, a SQLite store and a crash plan of its own, served by crash workers
(crash_worker.py) that a supervisor restarts whenever one dies, as a process manager would.
Lanes share nothing, so their points run side by side and a kill in one never touches another.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from tests.reliability.crash_plan import CrashPlan
from tests.workflows.harness import RunStack

REPO = Path(__file__).resolve().parents[2]


class Zygote:
    """`crash_worker --zygote`: forks a ready-imported worker per request."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        with log.open("ab") as out:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "tests.reliability.crash_worker", "--zygote"],
                cwd=REPO, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=out,
            )  # fmt: skip
        self._lock = threading.Lock()
        self._ready = False

    def _answer(self) -> dict[str, int]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the crash worker fork server exited; see its log")
        answer: dict[str, int] = json.loads(line)
        return answer

    def spawn(self, env: dict[str, str], log: Path) -> int:
        """Fork a worker with `env` added to the server's environment; its pid."""
        with self._lock:
            if not self._ready:
                self._answer()  # {"ready": pid}, once the imports are done
                self._ready = True
            stdin: IO[bytes] | None = self._process.stdin
            assert stdin is not None
            stdin.write(json.dumps({"env": env, "log": str(log)}).encode() + b"\n")
            stdin.flush()
            return self._answer()["pid"]

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class Lane:
    """Supervised crash workers and the stack their points drive.

    Two workers poll the lane's queue, as replicas would: the survivor of a kill takes the run's
    next tasks at once, and its replacement starts meanwhile (a fork still takes seconds of
    connecting and registering on a busy machine). Whichever worker reaches a planned point dies.
    """

    name: str
    stack: RunStack
    plan: CrashPlan
    zygote: Zygote
    env: dict[str, str]
    log: Path
    tool_log: Path
    replicas: int = 2
    pids: list[int] = field(default_factory=list)
    restarts: int = 0
    _supervisor: asyncio.Task[None] | None = field(default=None, repr=False)

    async def start(self) -> None:
        for _ in range(self.replicas):
            self.pids.append(await self._spawn())
        self._supervisor = asyncio.create_task(self._supervise())

    async def _spawn(self) -> int:
        return await asyncio.to_thread(self.zygote.spawn, self.env, self.log)

    async def _supervise(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            for index, pid in enumerate(self.pids):
                if not alive(pid):
                    self.pids[index] = await self._spawn()
                    self.restarts += 1

    def kill_all(self) -> None:
        """SIGKILL every worker of the lane now (the supervisor starts others)."""
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    async def stop(self) -> None:
        if self._supervisor is not None:
            self._supervisor.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._supervisor
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        # Polled: another process's exit has no event here (the fork server reaps it).
        while any(map(alive, self.pids)) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        for pid in filter(alive, self.pids):
            os.kill(pid, signal.SIGKILL)
