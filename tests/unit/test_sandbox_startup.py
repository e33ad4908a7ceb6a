"""The worker says at start-up whether code_interpreter can run, and why not."""

from __future__ import annotations

from pathlib import Path

from structlog.testing import capture_logs

from core.sandbox import DisabledSandbox, sandbox_from_settings
from core.settings import Settings
from worker import report_sandbox, sandbox_for


async def test_a_missing_sandbox_is_reported_with_its_reason(tmp_path: Path) -> None:
    with capture_logs() as logs:
        await report_sandbox(
            DisabledSandbox("code_interpreter is disabled (RUNWRIGHT_SANDBOX=none)")
        )
    (entry,) = logs
    assert entry["event"] == "code_interpreter_unavailable" and entry["log_level"] == "warning"
    assert "code_interpreter" in entry["reason"]


async def test_a_missing_bwrap_binary_is_reported_not_worked_around(tmp_path: Path) -> None:
    sandbox = sandbox_from_settings("bubblewrap", root_dir=tmp_path, bwrap="/nonexistent/bwrap")
    with capture_logs() as logs:
        await report_sandbox(sandbox)
    (entry,) = logs
    assert entry["event"] == "code_interpreter_unavailable"
    assert "bwrap" in entry["reason"] or "bubblewrap" in entry["reason"]
    await sandbox.aclose()


async def test_the_settings_choose_the_sandbox(tmp_path: Path) -> None:
    disabled = sandbox_for(Settings(data_dir=tmp_path, sandbox="none"))
    assert not (await disabled.available()).ok
    enabled = sandbox_for(Settings(data_dir=tmp_path))
    with capture_logs() as logs:
        await report_sandbox(enabled)
    assert [entry["event"] for entry in logs] == ["code_interpreter_available"]
    await enabled.aclose()
