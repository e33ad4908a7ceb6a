"""The `Sandbox` protocol and its value types: where model-written Python runs (code_interpreter).

A sandbox keeps one *session* per thread: a working directory (the `/mnt/data` of the SPEC) and,
while the session is live, the Python state of earlier calls. Backends are swappable (bubblewrap
here; a container or microVM runner elsewhere) and must never fall back to running code
unsandboxed: where no sandbox can run, `available()` says why and `run()` raises.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

SESSION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$"
"""Session ids become directory names, so they are restricted to a safe alphabet."""

WORKDIR = "/mnt/data"
"""The working directory code sees, as in the SPEC (`sandbox:/mnt/data/<name>`)."""


class SandboxUnavailableError(RuntimeError):
    """No sandbox can run here; the message says why and how to fix it."""


class SandboxStartError(RuntimeError):
    """A session process did not come up (an infrastructure fault, worth a retry); the
    message carries bwrap's or the interpreter's own words."""


class SessionRef(BaseModel):
    """Which session a call runs in: one per thread, so state never leaks across threads."""

    model_config = ConfigDict(frozen=True)

    session_id: str = Field(pattern=SESSION_ID_PATTERN)
    """Stable id of the session, e.g. the thread id."""


class SandboxLimits(BaseModel):
    """Limits of one call. Memory, processes, file size and /tmp size are fixed when the session's
    process starts; a call asking for different ones restarts the process (files are kept)."""

    model_config = ConfigDict(frozen=True)

    wall_time_s: float = Field(default=30.0, gt=0)
    """Wall-clock time of one call, enforced from outside the sandbox (the session is reset)."""
    cpu_time_s: int = Field(default=30, ge=1)
    """CPU seconds of one call (soft RLIMIT_CPU, re-armed per call)."""
    memory_mb: int = Field(default=1024, ge=64)
    """Address space of the sandboxed process (RLIMIT_AS). numpy+pandas+matplotlib alone map
    about 320 MB of address space (about 115 MB resident)."""
    max_processes: int = Field(default=64, ge=4)
    """Processes and threads of the session (RLIMIT_NPROC under the session's own uid)."""
    output_bytes: int = Field(default=100_000, ge=1)
    """Combined stdout/stderr kept per call; the rest is read and dropped."""
    file_size_mb: int = Field(default=100, ge=1)
    """Largest single file the code may write (RLIMIT_FSIZE)."""
    disk_mb: int = Field(default=512, ge=1)
    """Total size of the session's working directory, checked while the call runs."""
    tmp_mb: int = Field(default=64, ge=1)
    """Size of the private /tmp (a tmpfs, gone with the session's process)."""


class SandboxAvailability(BaseModel):
    """Whether this sandbox can run code here, and if not, why (shown to operators and clients)."""

    model_config = ConfigDict(frozen=True)

    ok: bool
    reason: str | None = None
    """Set when `ok` is False: what is missing and how to fix it."""


class WrittenFile(BaseModel):
    """A file the call created or changed in the session's working directory."""

    model_config = ConfigDict(frozen=True)

    path: str
    """Path as the code sees it, e.g. `/mnt/data/chart.png`."""
    size_bytes: int


class ExecutionResult(BaseModel):
    """What one call produced. A failure of the code is data here, never an exception."""

    model_config = ConfigDict(frozen=True)

    logs: str
    """Combined stdout/stderr (with the traceback on error and the value of a trailing
    expression, as in a notebook), cut at the output cap with a `[output truncated at N bytes]`
    marker."""
    error: str | None = None
    """None on success, else one clear line: the exception, or the limit that stopped the call."""
    exit_code: int | None = None
    """0: the cell ran to completion; 1: it raised; otherwise the sandbox process died during
    the call, with this exit status (negative: killed by that signal; a timeout is -9)."""
    files_written: list[WrittenFile] = Field(default_factory=list)
    images: list[bytes] = Field(default_factory=list)
    """PNG images of the matplotlib figures left open by the call (then closed), as a notebook's
    inline backend shows them."""
    session_reset: bool = False
    """True when the session's variables were lost before or during this call (timeout, crash,
    worker restart, idle teardown); files in the working directory are kept."""
    duration_s: float = 0.0


class Sandbox(Protocol):
    """Runs model-written Python, one session per thread. Implementations are async-safe."""

    async def available(self) -> SandboxAvailability:
        """Whether code can run here; never raises."""
        ...

    async def run(self, session: SessionRef, code: str, limits: SandboxLimits) -> ExecutionResult:
        """Run one cell in the session, creating or restarting its process as needed.

        Raises:
            SandboxUnavailableError: no sandbox can run here (never falls back to no sandbox).
            SandboxStartError: the session's process could not start.
        """
        ...

    async def put_file(self, session: SessionRef, name: str, data: bytes) -> str:
        """Place an input file in the session's working directory; returns its sandbox path."""
        ...

    async def read_file(self, session: SessionRef, path: str, max_bytes: int) -> bytes:
        """Read a regular file of the session's working directory (never follows symlinks)."""
        ...

    async def close_session(self, session: SessionRef) -> None:
        """Stop the session's processes and delete its directory. Idempotent."""
        ...

    async def sweep_idle(self, max_idle_s: float) -> list[str]:
        """Close every session idle longer than `max_idle_s`; returns the closed session ids."""
        ...

    async def aclose(self) -> None:
        """Stop every live session process (directories are kept for a later worker)."""
        ...
