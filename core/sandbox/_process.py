"""One live session process (bwrap + the REPL) and the per-cell protocol with it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.sandbox._output import OutputCollector
from core.sandbox.base import SandboxStartError

READ_CHUNK = 64 * 1024
RESULT_LINE_LIMIT = 64 * 1024 * 1024
"""A result line carries the call's PNGs (base64, at most 8 MB raw) and one error line."""


@dataclass
class CellOutcome:
    """What the worker saw of one cell, before it is turned into an `ExecutionResult`."""

    output: OutputCollector
    reply: dict[str, Any] | None = None
    """The REPL's result line; None when the process died or was killed mid-cell."""
    killed_for: str | None = None
    """Why the worker killed the process (a timeout or a limit), if it did."""
    exit_code: int | None = None


class ReplProcess:
    """A running session process. Not safe for concurrent cells: the caller serialises."""

    def __init__(
        self,
        proc: asyncio.subprocess.Process,
        results: tuple[asyncio.StreamReader, asyncio.ReadTransport],
        key: Any,
    ) -> None:
        self._proc = proc
        self._results, self._results_transport = results
        self._broken = False
        self.key = key
        """The session-level limits the process was started with."""

    @classmethod
    async def start(
        cls, argv_for: Callable[[int], Sequence[str]], key: Any, timeout_s: float
    ) -> ReplProcess:
        """Start bwrap with the REPL; returns once its limits are in force.

        Raises:
            SandboxStartError: bwrap or the REPL failed, or did not answer in `timeout_s`.
        """
        read_fd, write_fd = os.pipe()
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv_for(write_fd),
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
                pass_fds=(write_fd,),
                start_new_session=True,  # its own process group, killed as one
            )
        except BaseException:
            os.close(read_fd)
            raise
        finally:
            os.close(write_fd)
        results = await _reader_for(read_fd)
        process = cls(proc, results, key)
        try:
            async with asyncio.timeout(timeout_s):
                ready = await results[0].readline()
        except TimeoutError:
            ready = b""
        if not ready.startswith(b'{"ready": true'):
            await process._fail_start(timeout_s)
        return process

    @property
    def alive(self) -> bool:
        return self._proc.returncode is None and not self._broken

    @property
    def pid(self) -> int:
        return self._proc.pid

    async def execute(
        self,
        request: dict[str, Any],
        output_cap: int,
        wall_time_s: float,
        watchdog: Callable[[], str | None] | None = None,
    ) -> CellOutcome:
        """Run one cell: send it, drain its output as it comes, read its result.

        The wall time is enforced here, outside the sandbox: on expiry the whole process tree
        is killed (a cell stuck in C code cannot be interrupted any other way). `watchdog` is
        polled while the cell runs (off the event loop); a message from it kills the process.
        """
        token = f"\x00runwright-cell-end:{secrets.token_hex(16)}\x00"
        outcome = CellOutcome(output=OutputCollector(output_cap, token.encode()))
        stdin = self._proc.stdin
        assert stdin is not None
        try:
            stdin.write(json.dumps({**request, "token": token}).encode() + b"\n")
            await stdin.drain()
        except (BrokenPipeError, ConnectionResetError):
            await self.kill()
            outcome.exit_code = self._exit_code()
            return outcome
        watcher = asyncio.create_task(self._watch(watchdog, outcome)) if watchdog else None
        try:
            async with asyncio.timeout(wall_time_s):
                await self._drain_output(outcome)
        except TimeoutError:
            outcome.killed_for = f"Execution timed out after {wall_time_s:g} s"
            await self.kill()
        except asyncio.CancelledError:
            # The caller gave up mid-cell (activity cancelled, worker shutting down): the cell
            # still runs and the protocol is mid-way, so this process can never be reused.
            self._broken = True
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            raise
        finally:
            if watcher is not None:
                watcher.cancel()  # not awaited: that could swallow our own cancellation
        outcome.exit_code = self._exit_code()
        return outcome

    async def kill(self) -> None:
        """SIGKILL bwrap's process group and wait for it. bwrap's --die-with-parent chain then
        kills the sandbox's pid 1, and with it every process of the pid namespace."""
        if self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            await self._proc.wait()
        if self._proc.stdin is not None:
            self._proc.stdin.close()
        self._results_transport.close()

    async def _drain_output(self, outcome: CellOutcome) -> None:
        stdout = self._proc.stdout
        assert stdout is not None
        while True:
            chunk = await stdout.read(READ_CHUNK)
            if not chunk:
                outcome.output.finish()
                await self._proc.wait()  # the process died mid-cell
                return
            if outcome.output.feed(chunk):
                break
        line = await self._results.readline()
        if line:
            outcome.reply = json.loads(line)

    async def _watch(self, watchdog: Callable[[], str | None], outcome: CellOutcome) -> None:
        while True:
            await asyncio.sleep(0.25)
            message = await asyncio.to_thread(watchdog)
            if message is not None:
                outcome.killed_for = message
                await self.kill()
                return

    async def _fail_start(self, timeout_s: float) -> None:
        await self.kill()
        said = b""
        if self._proc.stdout is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(1):
                    said = await self._proc.stdout.read(8192)
        detail = said.decode("utf-8", errors="replace").strip()
        detail = detail or f"no answer within {timeout_s:g} s"
        raise SandboxStartError(f"The sandbox process did not start: {detail}")

    def _exit_code(self) -> int | None:
        return self._proc.returncode


async def _reader_for(fd: int) -> tuple[asyncio.StreamReader, asyncio.ReadTransport]:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=RESULT_LINE_LIMIT)
    pipe = os.fdopen(fd, "rb", buffering=0)
    transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), pipe)
    return reader, transport
