"""Sandboxed execution of model-written Python for the code_interpreter tool.

`Sandbox` is the interface (swap in a container or microVM runner); `BubblewrapSandbox` is the
Linux backend; `sandbox_from_settings` builds the configured one. Nothing here imports Temporal.
"""

from core.sandbox.base import (
    WORKDIR,
    ExecutionResult,
    Sandbox,
    SandboxAvailability,
    SandboxLimits,
    SandboxStartError,
    SandboxUnavailableError,
    SessionRef,
    WrittenFile,
)
from core.sandbox.bubblewrap import BubblewrapSandbox
from core.sandbox.disabled import DisabledSandbox
from core.sandbox.factory import SandboxKind, default_sandbox_kind, sandbox_from_settings

__all__ = [
    "WORKDIR",
    "BubblewrapSandbox",
    "DisabledSandbox",
    "ExecutionResult",
    "Sandbox",
    "SandboxAvailability",
    "SandboxKind",
    "SandboxLimits",
    "SandboxStartError",
    "SandboxUnavailableError",
    "SessionRef",
    "WrittenFile",
    "default_sandbox_kind",
    "sandbox_from_settings",
]
