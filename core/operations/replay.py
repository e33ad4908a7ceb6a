"""Check a run's recorded history against the current workflow code (Temporal's Replayer).

A run that continued-as-new has several executions under one workflow id; each is replayed. A
determinism error means the code deployed now would not be able to continue that run: the
report names the execution and Temporal's own description of the mismatch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

__all__ = ["ExecutionReplay", "ReplayReport", "export_history", "fetch_histories", "replay"]


@dataclass(frozen=True)
class ExecutionReplay:
    """One execution of the workflow id, replayed."""

    run_id: str
    """Temporal's run id of the execution (not the Assistants run id)."""
    events: int
    error: str | None
    """Why replay failed (nondeterminism or a workflow error), or None."""


@dataclass(frozen=True)
class ReplayReport:
    workflow_id: str
    executions: list[ExecutionReplay]

    @property
    def ok(self) -> bool:
        return all(execution.error is None for execution in self.executions)

    def lines(self) -> list[str]:
        """A human-readable report, one line per execution."""
        out = []
        for execution in self.executions:
            verdict = "ok" if execution.error is None else f"FAILED: {execution.error}"
            out.append(f"{self.workflow_id} run {execution.run_id} ({execution.events} events): "
                       f"{verdict}")  # fmt: skip
        return out


async def fetch_histories(client: Client, workflow_id: str) -> list[tuple[str, WorkflowHistory]]:
    """`(run id, history)` of every execution, oldest first (the newest alone if visibility
    lags behind)."""
    run_ids = [
        execution.run_id
        async for execution in client.list_workflows(f'WorkflowId = "{workflow_id}"')
    ]
    if not run_ids:
        description = await client.get_workflow_handle(workflow_id).describe()
        run_ids = [description.run_id]
    histories = []
    for run_id in reversed(run_ids):  # visibility lists the newest first
        handle = client.get_workflow_handle(workflow_id, run_id=run_id)
        histories.append((run_id, await handle.fetch_history()))
    return histories


async def replay(client: Client, workflow_id: str, replayer: Replayer) -> ReplayReport:
    """Replay every execution of `workflow_id` with `replayer` (built with the current code)."""
    executions = []
    for run_id, history in await fetch_histories(client, workflow_id):
        result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
        failure = result.replay_failure
        executions.append(
            ExecutionReplay(
                run_id=run_id,
                events=len(history.events),
                error=None if failure is None else f"{type(failure).__name__}: {failure}",
            )
        )
    return ReplayReport(workflow_id, executions)


async def export_history(client: Client, workflow_id: str) -> dict[str, Any]:
    """The newest execution's history as JSON, the form tests/replay/histories keeps."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    exported: dict[str, Any] = json.loads(history.to_json())
    return exported
