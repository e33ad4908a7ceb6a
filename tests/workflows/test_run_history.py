"""History stays small for long tool loops, and runs are findable by search attributes."""

from __future__ import annotations

import asyncio

from temporalio.api.enums.v1 import EventType

from tests.fakes.model_server import Reply, ToolCall, ToolCalls
from tests.workflows.harness import RunStack

TWO_MB = 2 * 1024 * 1024


async def _history_sizes(stack: RunStack, run_id: str) -> list[int]:
    sizes = []
    async for execution in stack.client.list_workflows(f'WorkflowId="{run_id}"'):
        handle = stack.client.get_workflow_handle(run_id, run_id=execution.run_id)
        history = await handle.fetch_history()
        sizes.append(sum(event.ByteSize() for event in history.events))
    return sizes


async def test_hundred_iteration_tool_loop_keeps_history_small(stack: RunStack) -> None:
    """100 model calls with a server tool each: continue-as-new keeps every history small."""
    stack.tools.register("noop", lambda: "ok", description="does nothing", parameters={})
    stack.model.script(*[ToolCalls([ToolCall("noop", "{}")])] * 100, Reply("All done."))
    assistant = await stack.assistant(tools=[{"type": "function", "function": {"name": "noop"}}])
    run = await stack.start(assistant, await stack.thread("loop"))
    done = await stack.wait(run, timeout_s=240)

    assert done.status == "completed"
    assert len(stack.model.chat_requests) == 101
    steps = await stack.steps(run)
    assert len(steps) == 101
    sizes = await _history_sizes(stack, run.id)
    print(f"history bytes per execution: {sizes}, total {sum(sizes)}")
    assert len(sizes) >= 3  # continued as new every 40 model calls
    assert sum(sizes) < TWO_MB
    # Executions after continue-as-new inherit the start's attributes and upsert only status.
    assert await _find(stack, f'RunStatus="completed" AND ThreadId="{run.thread_id}"') == [run.id]


async def test_search_attributes_follow_the_run(stack: RunStack) -> None:
    stack.model.script(Reply("hi"))
    assistant = await stack.assistant(model="gpt-4o-mini")
    thread = await stack.thread("hello")
    run = await stack.wait(await stack.start(assistant, thread))
    query = (
        f'RunStatus="completed" AND ThreadId="{thread.id}" AND '
        f'AssistantId="{assistant.id}" AND Model="gpt-4o-mini"'
    )
    assert await _find(stack, query) == [run.id]


async def test_search_attributes_arrive_with_the_start(stack: RunStack) -> None:
    """Indexed when the workflow starts; the workflow upserts only status changes."""
    stack.model.script(Reply("hi"))
    assistant = await stack.assistant(model="gpt-4o-mini")
    run = await stack.wait(await stack.start(assistant, await stack.thread("hello")))
    handle = stack.client.get_workflow_handle(run.id)
    await handle.result()  # the store says completed a moment before the workflow closes
    history = await handle.fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    indexed = {
        name: payload.data for name, payload in started.search_attributes.indexed_fields.items()
    }
    assert indexed == {
        "RunStatus": b'"queued"',
        "ThreadId": f'"{run.thread_id}"'.encode(),
        "AssistantId": f'"{assistant.id}"'.encode(),
        "Model": b'"gpt-4o-mini"',
    }
    upserted = [
        list(
            event.upsert_workflow_search_attributes_event_attributes.search_attributes.indexed_fields
        )
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES
    ]
    assert upserted == [["RunStatus"], ["RunStatus"]]  # in_progress, completed


async def _find(stack: RunStack, query: str) -> list[str]:
    found: list[str] = []
    for _ in range(50):  # visibility is eventually consistent
        found = [w.id async for w in stack.client.list_workflows(query)]
        if found:
            break
        await asyncio.sleep(0.1)
    return found
