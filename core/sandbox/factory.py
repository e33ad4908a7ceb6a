"""Build the configured sandbox. The caller (worker, API) passes settings in explicitly."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Literal

from core.sandbox.base import Sandbox
from core.sandbox.bubblewrap import BubblewrapSandbox
from core.sandbox.disabled import DisabledSandbox

SandboxKind = Literal["bubblewrap", "none"]

DISABLED_REASON = (
    "code_interpreter is disabled on this server (sandbox kind 'none'); "
    "set the sandbox kind to 'bubblewrap' to enable it"
)


def default_sandbox_kind() -> SandboxKind:
    """`bubblewrap` on Linux; elsewhere code_interpreter is off until a backend is configured."""
    return "bubblewrap" if sys.platform == "linux" else "none"


def sandbox_from_settings(
    kind: SandboxKind,
    *,
    root_dir: str | Path,
    python: str | None = None,
    bwrap: str = "bwrap",
) -> Sandbox:
    """The sandbox for `kind`. Check `await sandbox.available()` at start-up and log its reason:
    a bubblewrap sandbox that cannot run refuses every call rather than run code unsandboxed.

    Args:
        root_dir: where session directories live (one sub-directory per session).
        python: interpreter run inside the sandbox; default: the worker's own.
        bwrap: the bubblewrap binary (name on PATH or path).
    """
    if kind == "none":
        return DisabledSandbox(DISABLED_REASON)
    if kind == "bubblewrap":
        return BubblewrapSandbox(root_dir, python=python or sys.executable, bwrap=bwrap)
    raise ValueError(f"unknown sandbox kind {kind!r}; expected 'bubblewrap' or 'none'")
