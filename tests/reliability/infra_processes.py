"""Child processes for infrastructure faults: the API, the worker and a Temporal dev server, each
started the way it is deployed (configured by environment only) and SIGKILLable by pid.

Each child gets its own session, so a SIGKILL hits exactly that process and nothing the test
runs; `stop()` is the polite end (SIGTERM, then SIGKILL if it lingers).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from core.dev_server import TemporalDevServer, free_port, port_is_open

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Child:
    """One child process, restartable with the same command, environment and log file."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)
    starts: int = field(default=0, init=False)

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.starts += 1

    def sigkill(self) -> None:
        """SIGKILL, as the OOM killer or a lost node would: no shutdown code runs."""
        assert self.process is not None and self.process.poll() is None, f"{self.name} not running"
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            code = self.process.returncode
            raise AssertionError(f"{self.name} exited with {code}:\n{self.tail()}")

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


async def wait_for(
    what: str, ready: Callable[[], Awaitable[bool]], children: list[Child], timeout_s: float
) -> None:
    """Poll `ready` until it holds; fail early (with logs) if a child died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for child in children:
            child.check_alive()
        if await ready():
            return
        await asyncio.sleep(0.05)
    logs = "\n".join(f"--- {child.name}\n{child.tail()}" for child in children)
    raise TimeoutError(f"{what} not ready within {timeout_s} s\n{logs}")


def runwright_env(
    data_dir: Path, temporal_address: str, task_queue: str, **settings: str
) -> dict[str, str]:
    """The environment of a Runwright process; `settings` are RUNWRIGHT_<NAME> values."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNWRIGHT_", "TEMPORAL_"))}
    env.update(
        {
            "TEMPORAL_ADDRESS": temporal_address,
            "RUNWRIGHT_DATA_DIR": str(data_dir),
            "RUNWRIGHT_DATABASE_URL": f"sqlite+aiosqlite:///{data_dir / 'runwright.db'}",
            "RUNWRIGHT_TASK_QUEUE": task_queue,
            "RUNWRIGHT_WORKER_METRICS_PORT": str(free_port()),
            "RUNWRIGHT_SANDBOX": "none",
            "RUNWRIGHT_LOG_FORMAT": "json",
        }
    )
    env.update({f"RUNWRIGHT_{name.upper()}": value for name, value in settings.items()})
    return env


def api_child(env: dict[str, str], log_dir: Path) -> Child:
    """`python -m cli api` on RUNWRIGHT_API_PORT."""
    return Child("api", [sys.executable, "-m", "cli", "api"], env, log_dir / "api.log")


def worker_child(env: dict[str, str], log_dir: Path) -> Child:
    """`python worker.py`."""
    return Child("worker", [sys.executable, str(REPO / "worker.py")], env, log_dir / "worker.log")


async def api_healthy(base_url: str) -> bool:
    """Whether the API's /health answers 200 (store and Temporal reachable)."""
    try:
        async with httpx.AsyncClient(timeout=1) as http:
            return (await http.get(f"{base_url}/health")).status_code == 200
    except httpx.HTTPError:
        return False


def temporal_child(data_dir: Path, log_dir: Path) -> tuple[Child, str]:
    """A Temporal dev server persisting to `data_dir/temporal.db` (the `runwright dev` command
    line, WAL pragmas and search attributes included); the child and its address."""
    server = TemporalDevServer(data_dir=data_dir, port=free_port(), ui_port=free_port())
    data_dir.mkdir(parents=True, exist_ok=True)
    command = [*server.command(), "--headless"]
    return Child("temporal", command, dict(os.environ), log_dir / "temporal.log"), server.address


async def temporal_listening(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    return port_is_open(host, int(port))
