"""`DisabledSandbox`: code_interpreter switched off, with the reason given everywhere."""

from __future__ import annotations

from core.sandbox.base import (
    ExecutionResult,
    SandboxAvailability,
    SandboxLimits,
    SandboxUnavailableError,
    SessionRef,
)


class DisabledSandbox:
    """A `Sandbox` that refuses every call: there is no fallback to running code unsandboxed."""

    def __init__(self, reason: str) -> None:
        self._reason = reason

    async def available(self) -> SandboxAvailability:
        return SandboxAvailability(ok=False, reason=self._reason)

    async def run(self, session: SessionRef, code: str, limits: SandboxLimits) -> ExecutionResult:
        raise SandboxUnavailableError(self._reason)

    async def put_file(self, session: SessionRef, name: str, data: bytes) -> str:
        raise SandboxUnavailableError(self._reason)

    async def read_file(self, session: SessionRef, path: str, max_bytes: int) -> bytes:
        raise SandboxUnavailableError(self._reason)

    async def close_session(self, session: SessionRef) -> None:
        return None

    async def sweep_idle(self, max_idle_s: float) -> list[str]:
        return []

    async def aclose(self) -> None:
        return None
