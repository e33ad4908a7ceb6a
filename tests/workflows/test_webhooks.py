"""Run status webhooks: signed the Standard Webhooks way (the official SDK verifies them),
delivered durably by a child workflow that retries through a receiver failing twice."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from pathlib import Path

import openai
import pytest
from temporalio.testing import WorkflowEnvironment

from core.store import Store
from tests.fakes.model_server import Reply, ScriptedModelServer, ToolCall, ToolCalls
from tests.fakes.webhook_receiver import Attempt, WebhookReceiver
from tests.workflows.harness import PROJECT, RunStack, run_stack, stack_settings
from workflows.types import ToolOutput

SECRET = "whsec_" + base64.b64encode(b"runwright-test-secret").decode()


@pytest.fixture
async def hooked(
    temporal_env: WorkflowEnvironment,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> AsyncIterator[tuple[RunStack, WebhookReceiver]]:
    with WebhookReceiver(fail_first=2) as receiver:
        settings = stack_settings(
            tmp_path, task_queue, webhook_url=receiver.url, webhook_secret=SECRET
        )
        async with run_stack(temporal_env.client, sqlite_store, model_server, settings) as stack:
            yield stack, receiver


async def _delivered(receiver: WebhookReceiver, count: int) -> list[Attempt]:
    for _ in range(200):
        delivered = receiver.delivered()
        if len(delivered) >= count:
            return delivered
        await asyncio.sleep(0.05)
    raise AssertionError(f"{len(receiver.delivered())} of {count} webhooks delivered")


def _verified(attempt: Attempt) -> dict[str, object]:
    """The body, after the official SDK checked its signature."""
    sdk = openai.OpenAI(api_key="unused", webhook_secret=SECRET)
    sdk.webhooks.verify_signature(attempt.body, attempt.headers)
    payload: dict[str, object] = json.loads(attempt.body)
    return payload


async def test_requires_action_and_completion_are_delivered_through_failures(
    hooked: tuple[RunStack, WebhookReceiver],
) -> None:
    stack, receiver = hooked
    stack.model.script(ToolCalls([ToolCall("lookup", "{}")]), Reply("Thanks."))
    assistant = await stack.assistant(tools=[{"type": "function", "function": {"name": "lookup"}}])
    run = await stack.wait(await stack.start(assistant, await stack.thread("Look it up.")))
    assert run.status == "requires_action"

    (first,) = await _delivered(receiver, 1)

    # Two 500s, then delivered: three attempts of the same notification.
    ids = [a.headers["webhook-id"] for a in receiver.attempts]
    assert [a.answered for a in receiver.attempts] == [500, 500, 200]
    assert len(set(ids)) == 1
    payload = _verified(first)
    assert payload["type"] == "thread.run.requires_action"
    data = payload["data"]
    assert isinstance(data, dict) and data["id"] == run.id
    assert data["status"] == "requires_action" and data["required_action"] is not None

    calls = run.required_action.submit_tool_outputs.tool_calls  # type: ignore[union-attr]
    outputs = [ToolOutput(tool_call_id=c.id, output="42") for c in calls]
    await stack.runs.submit_tool_outputs(PROJECT, run.thread_id, run.id, outputs)
    assert (await stack.wait(run)).status == "completed"

    second = (await _delivered(receiver, 2))[1]
    completed = _verified(second)
    assert completed["type"] == "thread.run.completed"
    assert second.headers["webhook-id"] != first.headers["webhook-id"]


async def test_a_tampered_body_fails_verification(
    hooked: tuple[RunStack, WebhookReceiver],
) -> None:
    stack, receiver = hooked
    stack.model.script(Reply("Hi."))
    run = await stack.wait(await stack.start(await stack.assistant(), await stack.thread("Hi")))
    assert run.status == "completed"

    (attempt,) = await _delivered(receiver, 1)

    tampered = Attempt(attempt.body.replace(b"completed", b"cancelled"), attempt.headers, 200)
    with pytest.raises(openai.InvalidWebhookSignatureError):
        _verified(tampered)


async def test_no_webhooks_without_a_url(stack: RunStack) -> None:
    stack.model.script(Reply("Hi."))
    run = await stack.wait(await stack.start(await stack.assistant(), await stack.thread("Hi")))
    assert run.status == "completed"
    history = await stack.client.get_workflow_handle(run.id).fetch_history()
    started_children = [
        e
        for e in history.events
        if e.HasField("start_child_workflow_execution_initiated_event_attributes")
    ]
    assert started_children == []
