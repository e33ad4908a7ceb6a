"""Failures are data: once the retry policy is spent the run ends `failed` with last_error, and
the workflow itself completes."""

from __future__ import annotations

import pytest
from temporalio.client import WorkflowExecutionStatus

from tests.fakes.model_server import Fail, Hang, Malformed, Reply
from tests.workflows.harness import FAST_LIMITS, RunStack, run_stack, stack_settings


@pytest.mark.parametrize(
    ("failure", "code", "attempts"),
    [
        (Fail(429, headers={"retry-after-ms": "10"}), "rate_limit_exceeded", 3),
        (Fail(500), "server_error", 3),
        (Fail(503), "server_error", 3),
        (Malformed(), "server_error", 3),
        (Fail(400, message="bad prompt", code="invalid_prompt"), "invalid_prompt", 1),
    ],
    ids=["429", "500", "503", "malformed", "400"],
)
async def test_provider_failure_ends_the_run_failed(
    stack: RunStack, failure: object, code: str, attempts: int
) -> None:
    stack.model.script(*[failure] * 5)  # type: ignore[list-item]
    assistant = await stack.assistant()
    thread = await stack.thread("hi")
    run = await stack.start(assistant, thread)
    done = await stack.wait(run)

    assert done.status == "failed"
    assert done.failed_at is not None
    assert done.last_error is not None and done.last_error.code == code
    assert (
        len(stack.model.chat_requests)
        == attempts
        == min(attempts, FAST_LIMITS.model_retry.maximum_attempts)
    )
    handle = stack.client.get_workflow_handle(run.id)
    await handle.result()  # the workflow itself completes (it does not fail)
    description = await handle.describe()
    assert description.status == WorkflowExecutionStatus.COMPLETED
    # The thread is free again after a failure.
    stack.model.reset()
    stack.model.script(Reply("recovered"))
    again = await stack.wait(await stack.start(assistant, thread))
    assert again.status == "completed"


async def test_a_transient_failure_is_retried_and_the_run_completes(stack: RunStack) -> None:
    stack.model.script(Fail(429, headers={"retry-after-ms": "10"}), Fail(500), Reply("fine"))
    assistant = await stack.assistant()
    thread = await stack.thread("hi")
    done = await stack.wait(await stack.start(assistant, thread))
    assert done.status == "completed"
    assert len(stack.model.chat_requests) == 3
    messages = await stack.messages(thread)
    assert [m.role for m in messages] == ["user", "assistant"]


async def test_a_hung_model_call_times_out_into_server_error(
    temporal_env, sqlite_store, model_server, tmp_path, task_queue
) -> None:  # type: ignore[no-untyped-def]
    """A provider that never answers stops heartbeating; the call is retried, then the run fails."""
    limits = FAST_LIMITS.model_copy(
        update={
            "model_heartbeat_timeout_s": 1.0,
            "model_retry": FAST_LIMITS.model_retry.model_copy(update={"maximum_attempts": 2}),
        }
    )
    model_server.script(Hang(30), Hang(30))
    settings = stack_settings(tmp_path, task_queue)
    async with run_stack(
        temporal_env.client, sqlite_store, model_server, settings, limits=limits
    ) as stack:
        run = await stack.start(await stack.assistant(), await stack.thread("hi"))
        done = await stack.wait(run, timeout_s=30)
    assert done.status == "failed"
    assert done.last_error is not None and done.last_error.code == "server_error"
    assert "heartbeat" in done.last_error.message
    assert len(model_server.chat_requests) == 2
