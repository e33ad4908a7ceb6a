"""The operator's commands as an operator types them: `python -m cli runs list|show` and
`python -m cli replay` in a subprocess, against the test's Temporal server and store, while the
test's worker runs. Acceptance (issue 7): a failed run is listed, reset after the model
recovers, and completes."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from temporalio.testing import WorkflowEnvironment

from tests.fakes.model_server import Fail, Reply
from tests.fixtures.store import sqlite_url
from tests.workflows.harness import RunStack

REPO = Path(__file__).resolve().parents[2]


async def _cli(env: WorkflowEnvironment, tmp_path: Path, *args: str) -> tuple[int, str]:
    """Run `python -m cli ARGS` with the worker's environment; (exit code, output)."""
    environment = {
        **os.environ,
        "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
        "RUNWRIGHT_DATABASE_URL": sqlite_url(tmp_path),
        "RUNWRIGHT_DATA_DIR": str(tmp_path),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cli", *args, cwd=REPO, env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, output.decode()


async def _listed(env: WorkflowEnvironment, tmp_path: Path, run_id: str) -> str:
    """`runs list --status failed` once visibility has caught up with the run."""
    for _ in range(50):
        code, output = await _cli(env, tmp_path, "runs", "list", "--status", "failed")
        assert code == 0, output
        if run_id in output:
            return output
        await asyncio.sleep(0.2)
    raise AssertionError(f"{run_id} never listed:\n{output}")


async def test_a_failed_run_is_listed_shown_checked_reset_and_completes(
    stack: RunStack, temporal_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    stack.model.script(Fail(500), Fail(500), Fail(500))
    run = await stack.start(await stack.assistant(), await stack.thread("Hello?"))
    failed = await stack.wait(run)
    assert failed.status == "failed"

    listed = await _listed(temporal_env, tmp_path, run.id)
    assert "failed" in listed.split(run.id, 1)[1].splitlines()[0]

    code, shown = await _cli(temporal_env, tmp_path, "runs", "show", run.id)
    assert code == 0, shown
    assert '"status": "failed"' in shown and "server_error" in shown
    assert "thread.run.failed" in shown and "steps:" in shown

    code, checked = await _cli(temporal_env, tmp_path, "replay", run.id)
    assert code == 0, checked
    assert f"{run.id} run " in checked and checked.rstrip().endswith(": ok")

    stack.model.script(Reply("Recovered."))
    code, reset = await _cli(temporal_env, tmp_path, "replay", run.id, "--reset")
    assert code == 0, reset
    assert f"reset {run.id}: now in_progress" in reset

    done = await stack.wait(await stack.store.runs.get("proj_test", run.id))
    assert done.status == "completed", done.last_error


async def test_export_writes_a_history_and_bad_ids_are_clear(
    stack: RunStack, temporal_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    stack.model.script(Reply("Hi."))
    run = await stack.wait(await stack.start(await stack.assistant(), await stack.thread("Hi")))
    target = tmp_path / "history.json"

    code, output = await _cli(temporal_env, tmp_path, "replay", run.id, "--export", str(target))

    assert code == 0, output
    assert target.read_text().startswith("{") and "workflowExecutionStarted" in target.read_text()
    code, output = await _cli(temporal_env, tmp_path, "runs", "show", "run_doesnotexist")
    assert code == 2 and "no run found with id 'run_doesnotexist'" in output
    code, output = await _cli(temporal_env, tmp_path, "replay", run.id, "--reset")
    assert code == 2 and "Only failed runs can be reset" in output
