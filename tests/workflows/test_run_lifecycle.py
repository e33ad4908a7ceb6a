"""RunWorkflow end to end on a real Temporal server, a real store and the scripted model."""

from __future__ import annotations

import asyncio

import pytest

from core.errors import InvalidRequestError
from core.objects.message_content import TextContentBlock
from core.objects.run_step import FunctionToolCall, ToolCallsStepDetails
from tests.fakes.model_server import Reply, ToolCall, ToolCalls
from tests.workflows.harness import PROJECT, RunStack
from workflows.types import ToolOutput

PLAIN_REPLY_EVENTS = [
    "thread.run.created",
    "thread.run.queued",
    "thread.run.in_progress",
    "thread.run.step.created",
    "thread.run.step.in_progress",
    "thread.message.created",
    "thread.message.in_progress",
]


async def test_single_turn_run_completes(stack: RunStack) -> None:
    """A plain reply: completed run, one assistant message, one step, SPEC §6.3 event order."""
    stack.model.script(Reply("Hello there, friend."))
    assistant = await stack.assistant(instructions="Be kind.")
    thread = await stack.thread("Hi!")
    run = await stack.start(assistant, thread)
    assert run.status == "queued"

    done = await stack.wait(run)

    assert done.status == "completed"
    assert done.completed_at is not None and done.started_at is not None
    assert done.expires_at is None
    assert done.usage is not None and done.usage.total_tokens > 0
    messages = await stack.messages(thread)
    assert [m.role for m in messages] == ["user", "assistant"]
    reply = messages[-1]
    assert reply.status == "completed" and reply.run_id == run.id
    assert isinstance(reply.content[0], TextContentBlock)
    assert reply.content[0].text.value == "Hello there, friend."
    steps = await stack.steps(run)
    assert [(s.type, s.status) for s in steps] == [("message_creation", "completed")]
    assert steps[0].usage == done.usage
    events = await stack.events(run)
    assert events[: len(PLAIN_REPLY_EVENTS)] == PLAIN_REPLY_EVENTS
    deltas = events[len(PLAIN_REPLY_EVENTS) : -3]
    assert deltas and set(deltas) == {"thread.message.delta"}
    assert events[-3:] == [
        "thread.message.completed",
        "thread.run.step.completed",
        "thread.run.completed",
    ]
    sent = stack.model.chat_requests[0]
    assert sent["messages"][0] == {"role": "system", "content": "Be kind."}
    assert sent["messages"][-1] == {"role": "user", "content": "Hi!"}
    assert sent["stream"] is True


async def test_overrides_are_passed_through_and_echoed(stack: RunStack) -> None:
    """Run-level model/instructions/tools/sampling overrides reach the model and the run."""
    stack.model.script(Reply("ok"))
    assistant = await stack.assistant(instructions="Assistant's own.", model="gpt-4o")
    thread = await stack.thread("Go")
    run = await stack.start(
        assistant,
        thread,
        model="gpt-4o-mini",
        instructions="Replaced.",
        additional_instructions="Also this.",
        additional_messages=[{"role": "user", "content": "Extra message"}],
        temperature=0.2,
        top_p=0.5,
        tools=[{"type": "function", "function": {"name": "lookup"}}],
        tool_choice="none",
        parallel_tool_calls=False,
        response_format={"type": "json_object"},
    )
    done = await stack.wait(run)
    assert done.status == "completed"
    assert (done.model, done.temperature, done.top_p) == ("gpt-4o-mini", 0.2, 0.5)
    assert done.instructions == "Replaced.\n\nAlso this."
    sent = stack.model.chat_requests[0]
    assert sent["model"] == "gpt-4o-mini"
    assert sent["messages"][0]["content"] == "Replaced.\n\nAlso this."
    assert sent["messages"][-1] == {"role": "user", "content": "Extra message"}
    assert (sent["temperature"], sent["top_p"]) == (0.2, 0.5)
    assert sent["tool_choice"] == "none" and sent["parallel_tool_calls"] is False
    assert sent["tools"][0]["function"]["name"] == "lookup"
    assert sent["response_format"] == {"type": "json_object"}


async def test_server_registered_tool_loop(stack: RunStack) -> None:
    """A registered tool runs as an activity and the loop continues to a final answer."""
    stack.tools.register(
        "get_time", lambda zone: f"12:00 in {zone}", description="time",
        parameters={"type": "object", "properties": {"zone": {"type": "string"}}},
    )  # fmt: skip
    stack.model.script(
        ToolCalls([ToolCall("get_time", '{"zone": "Oslo"}')]), Reply("It is noon in Oslo.")
    )
    assistant = await stack.assistant(
        tools=[{"type": "function", "function": {"name": "get_time"}}]
    )
    thread = await stack.thread("What time is it in Oslo?")
    done = await stack.wait(await stack.start(assistant, thread))

    assert done.status == "completed"
    steps = await stack.steps(done)
    assert [(s.type, s.status) for s in steps] == [
        ("tool_calls", "completed"),
        ("message_creation", "completed"),
    ]
    details = steps[0].step_details
    assert isinstance(details, ToolCallsStepDetails)
    call = details.tool_calls[0]
    assert isinstance(call, FunctionToolCall) and call.function.output == "12:00 in Oslo"
    second = stack.model.chat_requests[1]["messages"]
    assert second[-1] == {"role": "tool", "tool_call_id": call.id, "content": "12:00 in Oslo"}
    assert second[-2]["tool_calls"][0]["function"]["name"] == "get_time"
    assert done.usage is not None
    assert done.usage.total_tokens == sum(s.usage.total_tokens for s in steps if s.usage)


async def _to_requires_action(stack: RunStack) -> tuple[object, object]:
    stack.model.script(
        ToolCalls(
            [ToolCall("weather", '{"city": "Oslo"}'), ToolCall("weather", '{"city": "Rome"}')]
        ),
        Reply("Oslo is cold, Rome is warm."),
    )
    assistant = await stack.assistant(tools=[{"type": "function", "function": {"name": "weather"}}])
    thread = await stack.thread("Weather in Oslo and Rome?")
    run = await stack.wait(await stack.start(assistant, thread))
    return thread, run


async def test_requires_action_then_submit_completes(stack: RunStack) -> None:
    """Both calls of a parallel pair are answered in one submit; the run completes."""
    _, run = await _to_requires_action(stack)
    assert run.status == "requires_action"
    assert run.usage is not None
    calls = run.required_action.submit_tool_outputs.tool_calls
    assert [c.function.arguments for c in calls] == ['{"city": "Oslo"}', '{"city": "Rome"}']
    steps = await stack.steps(run)
    assert [(s.type, s.status) for s in steps] == [("tool_calls", "in_progress")]

    outputs = [ToolOutput(tool_call_id=c.id, output=f"{i * 20} C") for i, c in enumerate(calls)]
    after = await stack.runs.submit_tool_outputs(PROJECT, run.thread_id, run.id, outputs)
    assert after.status in {"queued", "in_progress", "completed"}
    assert after.required_action is None
    done = await stack.wait(run)

    assert done.status == "completed"
    assert done.expires_at is None
    steps = await stack.steps(run)
    assert [(s.type, s.status) for s in steps] == [
        ("tool_calls", "completed"),
        ("message_creation", "completed"),
    ]
    tool_messages = [m for m in stack.model.chat_requests[1]["messages"] if m["role"] == "tool"]
    assert [m["content"] for m in tool_messages] == ["0 C", "20 C"]
    events = await stack.events(run)
    resume = events.index("thread.run.requires_action")
    assert events[resume + 1 : resume + 4] == [
        "thread.run.step.completed",
        "thread.run.queued",
        "thread.run.in_progress",
    ]


async def test_partial_and_unknown_submits_are_rejected_without_writes(stack: RunStack) -> None:
    _, run = await _to_requires_action(stack)
    calls = run.required_action.submit_tool_outputs.tool_calls
    events_before = await stack.events(run)
    partial = [ToolOutput(tool_call_id=calls[0].id, output="x")]
    unknown = [
        ToolOutput(tool_call_id=calls[0].id, output="x"),
        ToolOutput(tool_call_id="call_nope", output="y"),
    ]

    with pytest.raises(InvalidRequestError) as partial_error:
        await stack.runs.submit_tool_outputs(PROJECT, run.thread_id, run.id, partial)
    with pytest.raises(InvalidRequestError) as unknown_error:
        await stack.runs.submit_tool_outputs(PROJECT, run.thread_id, run.id, unknown)

    expected = [c.id for c in calls]
    assert partial_error.value.message == (
        f"Expected tool outputs for call_ids {expected}, got {[calls[0].id]}"
    )
    assert "call_nope" in unknown_error.value.message
    assert await stack.events(run) == events_before
    still = await stack.runs.retrieve(PROJECT, run.thread_id, run.id)
    assert still.status == "requires_action"
    details = (await stack.steps(run))[0].step_details
    assert all(c.function.output is None for c in details.tool_calls)  # type: ignore[union-attr]


async def test_submit_to_a_run_not_awaiting_outputs_is_rejected(stack: RunStack) -> None:
    stack.model.script(Reply("done"))
    assistant = await stack.assistant()
    done = await stack.wait(await stack.start(assistant, await stack.thread("hi")))
    with pytest.raises(InvalidRequestError) as error:
        await stack.runs.submit_tool_outputs(PROJECT, done.thread_id, done.id, [])
    assert error.value.message == 'Runs in status "completed" do not accept tool outputs.'


async def test_second_run_on_a_locked_thread_is_refused(stack: RunStack) -> None:
    thread, run = await _to_requires_action(stack)
    assistant = await stack.store.assistants.get(PROJECT, run.assistant_id)
    with pytest.raises(InvalidRequestError) as error:
        await stack.start(assistant, thread)
    assert error.value.message == f"Thread {thread.id} already has an active run {run.id}."
    await stack.runs.cancel(PROJECT, thread.id, run.id)
    await stack.wait(run, "cancelled")
    stack.model.script(Reply("free again"))
    second = await stack.wait(await stack.start(assistant, thread))
    assert second.status == "completed"


async def test_cancel_during_requires_action(stack: RunStack) -> None:
    _, run = await _to_requires_action(stack)
    cancelling = await stack.runs.cancel(PROJECT, run.thread_id, run.id)
    assert cancelling.status in {"cancelling", "cancelled"}
    done = await stack.wait(run, "cancelled")
    assert done.cancelled_at is not None and done.required_action is None
    steps = await stack.steps(run)
    assert [(s.type, s.status) for s in steps] == [("tool_calls", "cancelled")]
    with pytest.raises(InvalidRequestError) as error:
        await stack.runs.cancel(PROJECT, run.thread_id, run.id)
    assert error.value.message == "Cannot cancel run with status 'cancelled'."
    events = await stack.events(run)
    assert events[-3:] == [
        "thread.run.cancelling",
        "thread.run.step.cancelled",
        "thread.run.cancelled",
    ]


async def test_cancel_in_progress_abandons_the_model_call(stack: RunStack) -> None:
    """The in-flight call is cancelled, not awaited; the open message becomes incomplete."""
    stack.model.script(Reply("a slow answer " * 20, chunk_delay_s=0.5, chunk_size=3))
    assistant = await stack.assistant()
    thread = await stack.thread("Tell me slowly")
    run = await stack.start(assistant, thread)
    await stack.wait(run, "in_progress")
    await asyncio.to_thread(stack.model.wait_for_requests, 1)
    await asyncio.sleep(1.2)  # a few deltas have streamed
    loop = asyncio.get_running_loop()
    started = loop.time()
    await stack.runs.cancel(PROJECT, run.thread_id, run.id)
    done = await stack.wait(run, "cancelled", "completed")
    assert done.status == "cancelled"
    assert loop.time() - started < 5  # the full reply would take ~20 s
    messages = await stack.messages(thread)
    assert messages[-1].role == "assistant"
    assert messages[-1].status == "incomplete"
    assert messages[-1].incomplete_details is not None
    assert messages[-1].incomplete_details.reason == "run_cancelled"
    assert [(s.status) for s in await stack.steps(run)] == ["cancelled"]
    await asyncio.sleep(1.0)  # the abandoned call streams every 0.5 s: it must add nothing
    events = await stack.events(run)
    assert events[-1] == "thread.run.cancelled"
    assert (await stack.messages(thread))[-1].status == "incomplete"


async def test_cancel_while_queued(
    temporal_env, sqlite_store, model_server, tmp_path, task_queue
) -> None:  # type: ignore[no-untyped-def]
    """With no worker polling the run stays queued; cancel is taken when a worker arrives."""
    from tests.workflows.harness import run_stack, stack_settings

    settings = stack_settings(tmp_path, task_queue)
    async with run_stack(
        temporal_env.client, sqlite_store, model_server, settings, with_worker=False
    ) as idle:
        run = await idle.start(await idle.assistant(), await idle.thread("hi"))
        cancel = asyncio.create_task(idle.runs.cancel(PROJECT, run.thread_id, run.id))
        await asyncio.sleep(0.5)
        assert (await idle.runs.retrieve(PROJECT, run.thread_id, run.id)).status == "queued"
        async with run_stack(temporal_env.client, sqlite_store, model_server, settings) as live:
            await cancel
            done = await live.wait(run, "cancelled", "completed")
    assert done.status == "cancelled"
    assert model_server.chat_requests == []
    assert await idle.events(run) == [
        "thread.run.created",
        "thread.run.queued",
        "thread.run.cancelling",
        "thread.run.cancelled",
    ]
