"""Expiry on the time-skipping server: past `expires_at` a run ends `expired` with cascades."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from core.errors import InvalidRequestError
from core.store import Store
from tests.fakes.model_server import Reply, ScriptedModelServer, ToolCall, ToolCalls
from tests.workflows.harness import PROJECT, RunStack, run_stack, stack_settings
from workflows.types import ToolOutput


@pytest.fixture
async def skipping_stack(
    time_skipping_env: WorkflowEnvironment,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> AsyncIterator[RunStack]:
    settings = stack_settings(tmp_path, task_queue)
    async with run_stack(time_skipping_env.client, sqlite_store, model_server, settings) as stack:
        yield stack


async def test_requires_action_expires(
    skipping_stack: RunStack, time_skipping_env: WorkflowEnvironment
) -> None:
    stack = skipping_stack
    stack.model.script(ToolCalls([ToolCall("slow_tool", "{}")]))
    assistant = await stack.assistant(
        tools=[{"type": "function", "function": {"name": "slow_tool"}}]
    )
    run = await stack.start(assistant, await stack.thread("go"))
    waiting = await stack.wait(run)
    assert waiting.status == "requires_action"
    assert waiting.expires_at == run.expires_at  # fixed from creation

    await time_skipping_env.sleep(timedelta(minutes=11))
    done = await stack.wait(run, "expired", "completed", "failed")

    assert done.status == "expired"
    assert done.expires_at == run.expires_at and done.required_action is None
    steps = await stack.steps(run)
    assert [(s.type, s.status) for s in steps] == [("tool_calls", "expired")]
    assert steps[0].expired_at is not None
    call = waiting.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
    with pytest.raises(InvalidRequestError) as error:
        await stack.runs.submit_tool_outputs(
            PROJECT, run.thread_id, run.id, [ToolOutput(tool_call_id=call.id, output="late")]
        )
    assert error.value.message == 'Runs in status "expired" do not accept tool outputs.'


async def test_in_progress_run_expires_mid_reply(
    temporal_env: WorkflowEnvironment,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> None:
    """A model call still streaming at expires_at is abandoned; its message is incomplete.

    Real time on the dev server with a 3 s expiry: the time-skipping server does not skip
    while an activity is running, which is exactly the case here.
    """
    settings = stack_settings(tmp_path, task_queue, run_expires_after_seconds=3)
    model_server.script(Reply("word " * 200, chunk_size=5, chunk_delay_s=0.2))
    async with run_stack(temporal_env.client, sqlite_store, model_server, settings) as stack:
        thread = await stack.thread("talk a lot")
        run = await stack.start(await stack.assistant(), thread)
        done = await stack.wait(run, "expired", "completed", timeout_s=20)

        assert done.status == "expired"
        messages = await stack.messages(thread)
        assert messages[-1].status == "incomplete"
        assert messages[-1].incomplete_details is not None
        assert messages[-1].incomplete_details.reason == "run_expired"
        assert [s.status for s in await stack.steps(run)] == ["expired"]
        await asyncio.sleep(1.0)  # an abandoned call streams every 0.2 s: it must add nothing
        events = await stack.events(run)
        assert "thread.message.delta" in events
        assert events[-3:] == [
            "thread.message.incomplete",
            "thread.run.step.expired",
            "thread.run.expired",
        ]
