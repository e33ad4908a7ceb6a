"""Turn what the worker saw of a cell into the `ExecutionResult` a run step shows."""

from __future__ import annotations

import base64

from core.sandbox import _files
from core.sandbox._process import CellOutcome
from core.sandbox.base import ExecutionResult, WrittenFile

RESET_NOTE = "the session was reset (variables lost, files in /mnt/data kept)"


def to_result(
    outcome: CellOutcome,
    before: _files.Snapshot,
    after: _files.Snapshot,
    reset: bool,
    duration_s: float,
) -> ExecutionResult:
    reply = outcome.reply
    exit_code: int | None
    if reply is not None:
        error = reply.get("error")
        exit_code = 0 if reply.get("ok") else 1
    else:  # killed by the worker (timeout, disk) or died: its variables are gone
        reset = True
        cause = outcome.killed_for or _exit_description(outcome.exit_code)
        error = f"{cause}; {RESET_NOTE}"
        exit_code = outcome.exit_code
    files = [WrittenFile(path=p, size_bytes=s) for p, s in _files.changed_files(before, after)]
    images = [base64.b64decode(image) for image in (reply or {}).get("images", [])]
    return ExecutionResult(
        logs=outcome.output.text(),
        error=error,
        exit_code=exit_code,
        files_written=files,
        images=images,
        session_reset=reset,
        duration_s=duration_s,
    )


def _exit_description(code: int | None) -> str:
    if code is not None and code < 0:
        return f"The sandbox process was killed by signal {-code}"
    return f"The sandbox process exited unexpectedly (status {code})"
