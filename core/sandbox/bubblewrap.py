"""`BubblewrapSandbox`: code_interpreter sessions as long-lived REPL processes inside bwrap.

A session is a directory `<root>/<session_id>/` (bound at /mnt/data) plus, while live, one
process holding the Python state. If that process dies (timeout, crash, worker restart, idle
teardown) the next call starts a fresh one on the same directory: files survive, variables do
not, and the result says so (`session_reset`). The session's last use is its directory's
mtime, so a restarted worker can still sweep the directories of sessions it never saw.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.sandbox import _files
from core.sandbox._command import PythonLayout, SessionPaths, bwrap_argv
from core.sandbox._probe import (
    ProbeError,
    check_sandbox,
    passwd_for,
    prepare_runtime,
    python_layout,
)
from core.sandbox._process import ReplProcess
from core.sandbox._result import to_result
from core.sandbox.base import (
    SESSION_ID_PATTERN,
    ExecutionResult,
    SandboxAvailability,
    SandboxLimits,
    SandboxUnavailableError,
    SessionRef,
)

SESSION_ID = re.compile(SESSION_ID_PATTERN)
DEFAULT_UID_BASE = 1_000_000
DEFAULT_UID_COUNT = 65_536


@dataclass
class _Session:
    session_id: str
    workdir: str
    uid: int | None = None
    prepared: bool = False
    """The directory exists and `uid` is known (checked again before every call)."""
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    process: ReplProcess | None = None
    has_state: bool = False
    """A process of this session ran a cell in this worker (so a new process loses state)."""
    lost_state: bool = False
    """The directory predates this worker's record of it: earlier variables are gone."""


class BubblewrapSandbox:
    """Sessions in bubblewrap: no network, a private filesystem view, rlimits, own uid.

    Args:
        root_dir: where session directories live (created if missing).
        python: the interpreter to run inside; its installation is bound read-only.
        bwrap: the bubblewrap binary, by name on PATH or path.
        uid_base, uid_count: when the worker is root, each session runs as its own uid in
            `[uid_base, uid_base + uid_count)`, so RLIMIT_NPROC is counted per session.
        required_modules: `available()` fails unless the sandbox can import these.
    """

    def __init__(
        self,
        root_dir: str | Path,
        *,
        python: str = sys.executable,
        bwrap: str = "bwrap",
        uid_base: int = DEFAULT_UID_BASE,
        uid_count: int = DEFAULT_UID_COUNT,
        required_modules: tuple[str, ...] = ("numpy", "pandas", "matplotlib"),
        startup_timeout_s: float = 10.0,
    ) -> None:
        self._root = str(Path(root_dir).absolute())
        self._python = python
        self._bwrap = bwrap
        self._uid_base, self._uid_count = uid_base, uid_count
        self._required = required_modules
        self._startup_timeout_s = startup_timeout_s
        self._privileged = os.geteuid() == 0
        self._sessions: dict[str, _Session] = {}
        self._availability: SandboxAvailability | None = None
        self._layout: PythonLayout | None = None
        self._bwrap_path = ""
        self._probe_lock = asyncio.Lock()

    @property
    def root_dir(self) -> str:
        return self._root

    async def available(self) -> SandboxAvailability:
        async with self._probe_lock:
            if self._availability is None:
                self._availability = await self._probe()
            return self._availability

    async def run(self, session: SessionRef, code: str, limits: SandboxLimits) -> ExecutionResult:
        await self._require_available()
        record = self._session(session.session_id)
        async with record.lock:
            started = time.monotonic()
            await self._prepare(record)
            process, reset = await self._process_for(record, limits)
            before, used = await asyncio.to_thread(_files.snapshot_and_usage, record.workdir)
            outcome = await process.execute(
                {"code": code, "cpu_time_s": limits.cpu_time_s},
                limits.output_bytes,
                limits.wall_time_s,
                _files.disk_watchdog(record.workdir, limits.disk_mb, used),
            )
            after = await asyncio.to_thread(_files.snapshot, record.workdir)
            if outcome.reply is None:
                await self._stop(record)  # the loss is reported by this call, not the next
                record.has_state = False
            else:
                record.has_state = True
            await asyncio.to_thread(_touch, record.workdir)
        return to_result(outcome, before, after, reset, time.monotonic() - started)

    async def put_file(self, session: SessionRef, name: str, data: bytes) -> str:
        await self._require_available()
        record = self._session(session.session_id)
        async with record.lock:
            await self._prepare(record)
            return await asyncio.to_thread(
                _files.write_file, record.workdir, name, data, record.uid
            )

    async def read_file(self, session: SessionRef, path: str, max_bytes: int) -> bytes:
        workdir = self._workdir(session.session_id)
        return await asyncio.to_thread(_files.read_file, workdir, path, max_bytes)

    async def close_session(self, session: SessionRef) -> None:
        record = self._sessions.get(session.session_id)
        if record is not None:
            async with record.lock:
                await self._stop(record)
                self._sessions.pop(session.session_id, None)
        await asyncio.to_thread(_files.remove_tree, self._workdir(session.session_id))

    async def sweep_idle(self, max_idle_s: float) -> list[str]:
        closed = []
        for session_id, idle_s in await asyncio.to_thread(self._idle_times):
            record = self._sessions.get(session_id)
            if idle_s > max_idle_s and (record is None or not record.lock.locked()):
                await self.close_session(SessionRef(session_id=session_id))
                closed.append(session_id)
        return closed

    async def aclose(self) -> None:
        for record in list(self._sessions.values()):
            await self._stop(record)

    def live_pids(self) -> dict[str, int]:
        """Session id -> pid of its bwrap process, for live sessions (tests and metrics)."""
        return {
            sid: s.process.pid for sid, s in self._sessions.items() if s.process and s.process.alive
        }

    async def _require_available(self) -> None:
        availability = await self.available()
        if not availability.ok:
            raise SandboxUnavailableError(availability.reason or "no sandbox")

    async def _probe(self) -> SandboxAvailability:
        if sys.platform != "linux":
            return SandboxAvailability(
                ok=False,
                reason="the bubblewrap sandbox needs Linux; code_interpreter is off on "
                f"{sys.platform} (code is never run unsandboxed)",
            )
        bwrap_path = shutil.which(self._bwrap)
        if bwrap_path is None:
            return SandboxAvailability(
                ok=False,
                reason=(
                    f"code_interpreter needs bubblewrap ({self._bwrap!r}), which was not found "
                    "on PATH; install the Debian package `bubblewrap` (see "
                    "scripts/ensure-bubblewrap.sh). Code is never run unsandboxed."
                ),
            )
        self._bwrap_path = bwrap_path
        try:
            self._layout = await python_layout(self._python)
        except ProbeError as exc:
            return SandboxAvailability(ok=False, reason=str(exc))
        workdir = os.path.join(self._runtime, f"probe-{os.getpid()}-{id(self):x}")
        uid = self._uid_base if self._privileged else None
        await asyncio.to_thread(_fresh_probe_dir, self._runtime, workdir, uid)
        try:
            reason = await check_sandbox(
                lambda: self._start_process(workdir, uid, SandboxLimits()),
                workdir,
                self._runtime,
                self._required,
            )
        finally:
            await asyncio.to_thread(_files.remove_tree, workdir)
        return SandboxAvailability(ok=reason is None, reason=reason)

    @property
    def _runtime(self) -> str:
        return os.path.join(self._root, ".runtime")

    async def _process_for(
        self, record: _Session, limits: SandboxLimits
    ) -> tuple[ReplProcess, bool]:
        key = (limits.memory_mb, limits.max_processes, limits.file_size_mb, limits.tmp_mb)
        process = record.process
        if process is not None and process.alive and process.key == key:
            return process, False
        reset = record.lost_state or record.has_state
        await self._stop(record)
        record.process = await self._start_process(record.workdir, record.uid, limits, key)
        record.lost_state = record.has_state = False
        return record.process, reset

    async def _start_process(
        self, workdir: str, uid: int | None, limits: SandboxLimits, key: Any = None
    ) -> ReplProcess:
        """Start one REPL process on `workdir` (the probe's too)."""
        assert self._layout is not None
        layout = self._layout
        # Without a user namespace mapping, bwrap keeps the uid as it is inside.
        passwd = await asyncio.to_thread(
            passwd_for, self._runtime, os.getuid() if uid is None else uid
        )
        paths = SessionPaths(workdir=workdir, runtime=self._runtime, passwd=passwd)

        def argv_for(result_fd: int) -> list[str]:
            return bwrap_argv(
                bwrap=self._bwrap_path,
                python=layout,
                paths=paths,
                limits=limits,
                privileged=self._privileged,
                uid=uid,
                result_fd=result_fd,
            )

        return await ReplProcess.start(argv_for, key, self._startup_timeout_s)

    async def _stop(self, record: _Session) -> None:
        if record.process is not None:
            await record.process.kill()
            record.process = None

    def _workdir(self, session_id: str) -> str:
        SessionRef(session_id=session_id)  # validates the name before it becomes a path
        return os.path.join(self._root, session_id)

    def _session(self, session_id: str) -> _Session:
        # On the event loop, so two concurrent first calls share one record and one lock.
        record = self._sessions.get(session_id)
        if record is None:
            record = _Session(session_id, self._workdir(session_id))
            self._sessions[session_id] = record
        return record

    async def _prepare(self, record: _Session) -> None:
        """Create the session directory if needed (under the session lock)."""
        if record.prepared and await asyncio.to_thread(os.path.isdir, record.workdir):
            return
        if record.prepared:  # swept by another worker on the same root: state is gone
            await self._stop(record)
            record.lost_state, record.has_state = record.has_state, False
        taken = {s.uid for s in self._sessions.values() if s.prepared}
        existed, record.uid = await asyncio.to_thread(self._make_dir, record, taken)
        record.lost_state = record.lost_state or existed
        record.prepared = True

    def _make_dir(self, record: _Session, taken: set[int | None]) -> tuple[bool, int | None]:
        existed = os.path.isdir(record.workdir)
        if existed and not self._privileged:
            return True, None
        if existed:
            owner = os.stat(record.workdir).st_uid
            if self._uid_base <= owner < self._uid_base + self._uid_count:
                return True, owner  # a session of an earlier worker: keep its uid
        uid = self._uid_for(record.session_id, taken)
        if not existed:
            os.makedirs(record.workdir, mode=0o700)
        if uid is not None:
            # Never run as the owner of a directory made outside the pool (root, say).
            _files.chown_tree(record.workdir, uid)
        return existed, uid

    def _uid_for(self, session_id: str, taken: set[int | None]) -> int | None:
        if not self._privileged:
            return None  # a user namespace maps the sandbox to the worker's own uid
        # Stable per session id, probing past uids of live sessions: two sessions never share
        # a process budget in one worker (across workers a clash only shares that budget).
        digest = int.from_bytes(hashlib.sha256(session_id.encode()).digest()[:8], "big")
        for step in range(self._uid_count):
            uid = self._uid_base + (digest + step) % self._uid_count
            if uid not in taken:
                return uid
        raise SandboxUnavailableError("no free sandbox uid: too many live sessions")

    def _idle_times(self) -> list[tuple[str, float]]:
        now = time.time()
        idle = []
        for entry in os.scandir(self._root) if os.path.isdir(self._root) else []:
            if not SESSION_ID.match(entry.name) or not entry.is_dir(follow_symlinks=False):
                continue  # .runtime, lost+found, ...
            idle.append((entry.name, now - entry.stat(follow_symlinks=False).st_mtime))
        return idle


def _fresh_probe_dir(runtime: str, workdir: str, uid: int | None) -> None:
    prepare_runtime(runtime)
    _files.remove_tree(workdir)
    os.makedirs(workdir, mode=0o700)
    if uid is not None:
        os.chown(workdir, uid, uid)


def _touch(workdir: str) -> None:
    if os.path.isdir(workdir):
        os.utime(workdir)
