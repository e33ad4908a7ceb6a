"""Repairing failed runs: reset (Temporal reset after reopening the store), re-run, replay
check and history export, on the real dev server with the scripted model."""

from __future__ import annotations

import asyncio

import pytest
from temporalio import workflow
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from cli_ops import current_replayer
from core.errors import InvalidRequestError
from core.objects.message_content import TextContentBlock
from core.operations.repair import RERUN_OF, rerun, reset_run
from core.operations.replay import export_history, replay
from tests.fakes.model_server import Fail, MidStreamReset, Reply
from tests.workflows.harness import PROJECT, RunStack
from workflows.types import RUN_WORKFLOW, RunInput


async def _failed_run(stack: RunStack) -> tuple[str, str]:
    """A run failed by a model answering 500 past the retry policy (3 attempts)."""
    stack.model.script(Fail(500), Fail(500), Fail(500))
    run = await stack.start(await stack.assistant(), await stack.thread("Hello?"))
    done = await stack.wait(run)
    assert done.status == "failed"
    return done.thread_id, done.id


async def test_a_reset_failed_run_continues_and_completes(stack: RunStack) -> None:
    thread_id, run_id = await _failed_run(stack)
    stack.model.script(Reply("Back on my feet."))  # the provider has recovered

    reopened = await reset_run(stack.store, stack.client, PROJECT, run_id)

    assert reopened.status == "in_progress" and reopened.last_error is None
    run = await stack.store.runs.get(PROJECT, run_id)
    done = await stack.wait(run)
    assert done.status == "completed", done.last_error
    assert done.failed_at is None and done.completed_at is not None
    # The row says completed a moment before the run's last event is appended: read the log
    # once the (reset) workflow has closed.
    await stack.client.get_workflow_handle(run_id).result()
    events = await stack.events(done)
    assert "thread.run.failed" not in events
    assert events[-1] == "thread.run.completed"
    assert events.count("thread.run.completed") == 1
    replies = [m for m in await stack.messages(await stack.store.threads.get(PROJECT, thread_id))
               if m.role == "assistant"]  # fmt: skip
    assert len(replies) == 1
    block = replies[0].content[0]
    assert isinstance(block, TextContentBlock) and block.text.value == "Back on my feet."
    assert await stack.store.thread_locks.holder(thread_id) is None


async def test_a_run_failed_mid_reply_is_reset_past_its_partial_message(stack: RunStack) -> None:
    stack.model.script(*[MidStreamReset(after_chunks=4) for _ in range(3)])
    run = await stack.start(await stack.assistant(), await stack.thread("Hello?"))
    failed = await stack.wait(run)
    assert failed.status == "failed"
    assert "thread.message.incomplete" in await stack.events(failed)
    stack.model.script(Reply("Whole answer."))

    await reset_run(stack.store, stack.client, PROJECT, run.id)

    done = await stack.wait(await stack.store.runs.get(PROJECT, run.id))
    assert done.status == "completed", done.last_error
    thread = await stack.store.threads.get(PROJECT, run.thread_id)
    replies = [m for m in await stack.messages(thread) if m.role == "assistant"]
    # The partial reply of the failed attempt stays incomplete; the reset wrote a whole one.
    assert sorted(m.status for m in replies) in (["completed"], ["completed", "incomplete"])
    assert [e for e in await stack.events(done) if e == "thread.run.completed"] == [
        "thread.run.completed"
    ]


async def test_only_failed_runs_can_be_reset(stack: RunStack) -> None:
    stack.model.script(Reply("Fine."))
    run = await stack.wait(await stack.start(await stack.assistant(), await stack.thread("Hello?")))
    with pytest.raises(InvalidRequestError, match="Only failed runs can be reset"):
        await reset_run(stack.store, stack.client, PROJECT, run.id)
    assert (await stack.store.runs.get(PROJECT, run.id)).status == "completed"


async def test_a_reset_is_refused_while_the_thread_has_another_run(stack: RunStack) -> None:
    thread_id, run_id = await _failed_run(stack)
    # The row shows `failed` a moment before the terminal transition releases the lock.
    for _ in range(100):
        if await stack.store.thread_locks.holder(thread_id) is None:
            break
        await asyncio.sleep(0.02)
    assert await stack.store.thread_locks.claim(PROJECT, thread_id, "run_other") == "run_other"

    with pytest.raises(InvalidRequestError, match="already has an active run run_other"):
        await reset_run(stack.store, stack.client, PROJECT, run_id)

    assert (await stack.store.runs.get(PROJECT, run_id)).status == "failed"


async def test_a_rerun_repeats_the_inputs_as_a_linked_new_run(stack: RunStack) -> None:
    _, run_id = await _failed_run(stack)
    stack.model.script(Reply("Second time lucky."))

    created = await rerun(stack.store, stack.runs, PROJECT, run_id)

    old = await stack.store.runs.get(PROJECT, run_id)
    assert created.id != run_id and created.metadata[RERUN_OF] == run_id
    assert (created.model, created.instructions, created.tools) == (
        old.model,
        old.instructions,
        old.tools,
    )
    assert (await stack.wait(created)).status == "completed"


async def test_replay_reports_ok_and_catches_a_nondeterministic_change(stack: RunStack) -> None:
    _, run_id = await _failed_run(stack)

    report = await replay(stack.client, run_id, current_replayer())
    assert report.ok, report.lines()
    assert len(report.executions) == 1 and report.executions[0].events > 10

    changed = Replayer(workflows=[_ReorderedRunWorkflow], data_converter=pydantic_data_converter)
    broken = await replay(stack.client, run_id, changed)
    assert not broken.ok
    (line,) = broken.lines()
    assert "FAILED" in line and "Nondeterminism" in line


async def test_an_exported_history_replays(stack: RunStack) -> None:
    _, run_id = await _failed_run(stack)

    exported = await export_history(stack.client, run_id)

    history = WorkflowHistory.from_json(run_id, exported)
    result = await current_replayer().replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is None


@workflow.defn(name=RUN_WORKFLOW, sandboxed=False)
class _ReorderedRunWorkflow:
    """Calls the model before recording in_progress: not what any recorded run did."""

    @workflow.run
    async def run(self, input: RunInput) -> None:
        from datetime import timedelta

        await workflow.execute_activity(
            "generate", input, start_to_close_timeout=timedelta(seconds=5)
        )
