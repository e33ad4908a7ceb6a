"""Committed histories replay against the current RunWorkflow (determinism gate).

A workflow change that breaks a history here would break every run in flight with that shape:
guard it with `workflow.patched()` instead. Regenerate deliberately with
`python -m tests.replay.record` and review the new files like code.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from worker import sandbox_runner
from workflows.ingest import IngestFileWorkflow
from workflows.run import RunWorkflow
from workflows.types import RUN_WORKFLOW, RunInput
from workflows.webhook import DeliverWebhookWorkflow

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*.json"))


def test_histories_are_committed() -> None:
    names = {path.stem for path in HISTORIES}
    assert {
        "completed",
        "server_tool_loop",
        "requires_action_submit",
        "cancelled",
        "failed",
        "file_search",
        "ingest_completed",
        "ingest_failed",
        "ingest_cancelled",
        "webhooks",
        "code_interpreter",
    } <= names


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, json.loads(path.read_text()))  # noqa: ASYNC240
    replayer = Replayer(
        workflows=[RunWorkflow, IngestFileWorkflow, DeliverWebhookWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=sandbox_runner(),
    )
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None, f"{path.name}: {result.replay_failure}"


@workflow.defn(name=RUN_WORKFLOW, sandboxed=False)
class ReorderedRunWorkflow:
    """RunWorkflow with a deliberate nondeterministic change: it calls the model before
    recording `in_progress`, the opposite of the committed histories."""

    @workflow.run
    async def run(self, input: RunInput) -> None:
        await workflow.execute_activity(
            "generate", input, start_to_close_timeout=timedelta(seconds=5)
        )


async def test_a_nondeterministic_change_is_caught() -> None:
    path = next(p for p in HISTORIES if p.stem == "completed")
    history = WorkflowHistory.from_json(path.stem, json.loads(path.read_text()))
    replayer = Replayer(workflows=[ReorderedRunWorkflow], data_converter=pydantic_data_converter)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is not None
    assert (
        "Nondeterminism" in type(result.replay_failure).__name__
        or "nondetermin" in str(result.replay_failure).lower()
    )
