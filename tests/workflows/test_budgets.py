"""Token budgets and truncation end to end (SPEC §3.3-§3.4): real Temporal, store and worker,
the scripted model. What the model received is read off `stack.model.chat_requests`; what
each call was sent is also recorded in `store.run_contexts`."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer

from core import ids
from core.objects.message import Message
from core.objects.params import MessageCreateParams
from core.objects.run import Run
from core.objects.run_context import RunContext
from core.objects.thread import Thread
from core.run_factory import new_message
from core.store import Store
from tests.fakes.model_server import Reply, ScriptedModelServer, ToolCall, ToolCalls, Usage
from tests.workflows.harness import PROJECT, RunStack, run_stack, stack_settings
from worker import sandbox_runner
from workflows.run import RunWorkflow

LONG = "word " * 40
"""A message body of 40 tokens."""


@pytest.fixture
async def windowed(
    temporal_env: WorkflowEnvironment,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> AsyncIterator[RunStack]:
    """A stack whose settings give the model `tiny-model` a 1,024-token window."""
    settings = stack_settings(tmp_path, task_queue, context_windows="tiny-model=1024")
    async with run_stack(temporal_env.client, sqlite_store, model_server, settings) as built:
        yield built


async def seed(stack: RunStack, *turns: tuple[str, str]) -> tuple[Thread, list[Message]]:
    """A thread of `(role, text)` messages, oldest first."""
    thread = await stack.thread()
    messages = []
    for role, text in turns:
        params = MessageCreateParams(role=role, content=text)  # type: ignore[arg-type]
        message = new_message(ids.new_id("message"), thread.id, params, now=int(time.time()))
        await stack.store.messages.upsert(PROJECT, message)
        messages.append(message)
    return thread, messages


def sent_texts(request: dict[str, Any]) -> list[str]:
    return [m["content"] for m in request["messages"]]


async def contexts(stack: RunStack, run: Run) -> list[RunContext]:
    return await stack.store.run_contexts.for_run(PROJECT, run.id)


def register_lookup(stack: RunStack) -> None:
    """A server-side tool, so a tool loop runs without requires_action."""
    stack.tools.register(
        "lookup", lambda: "42", description="look up", parameters={"type": "object"}
    )


LOOKUP = {"type": "function", "function": {"name": "lookup"}}


def usage_of(run: Run) -> tuple[int, int, int]:
    assert run.usage is not None
    return run.usage.prompt_tokens, run.usage.completion_tokens, run.usage.total_tokens


# -- truncation -------------------------------------------------------------------------------


async def test_last_messages_sends_exactly_the_n_newest(stack: RunStack) -> None:
    stack.model.script(Reply("ok"))
    assistant = await stack.assistant(instructions="Be brief.")
    thread, messages = await seed(stack, *(("user", f"message {i}") for i in range(1, 6)))
    strategy = {"type": "last_messages", "last_messages": 2}
    done = await stack.wait(await stack.start(assistant, thread, truncation_strategy=strategy))

    assert done.status == "completed"
    assert sent_texts(stack.model.chat_requests[0]) == ["Be brief.", "message 4", "message 5"]
    (record,) = await contexts(stack, done)
    assert record.kept_message_ids == [m.id for m in messages[-2:]]
    assert record.dropped_message_ids == [] and record.unread_messages_dropped is True
    assert record.truncation.type == "last_messages" and record.truncation.last_messages == 2


async def test_auto_drops_the_middle_to_fit_the_prompt_budget(stack: RunStack) -> None:
    """`auto` under max_prompt_tokens: the instructions, the opening question and the newest
    turns are sent; the middle is dropped, and the record says which messages."""
    stack.model.script(Reply("ok"))
    assistant = await stack.assistant(instructions="Be brief.")
    # Short questions, long answers: reading stops at an answer that does not fit, which
    # leaves room for the short opening question.
    middle = [turn for i in range(6) for turn in (("user", f"Q{i}?"), ("assistant", LONG * 2))]
    thread, messages = await seed(
        stack, ("user", "Plan a trip to Japan."), *middle, ("user", "What next?")
    )
    done = await stack.wait(await stack.start(assistant, thread, max_prompt_tokens=256))

    assert done.status == "completed"
    sent = sent_texts(stack.model.chat_requests[0])
    assert sent[:2] == ["Be brief.", "Plan a trip to Japan."]
    assert sent[-1] == "What next?" and len(sent) < len(messages) + 1
    (record,) = await contexts(stack, done)
    by_id = {m.id: m for m in messages}
    kept_texts = [by_id[i].content[0].text.value for i in record.kept_message_ids]  # type: ignore[union-attr]
    assert ["Be brief.", *kept_texts] == sent
    assert record.kept_message_ids[1:] == [m.id for m in messages[-len(sent) + 2 :]]
    assert record.dropped_message_ids == [m.id for m in messages[1 : -len(sent) + 2]]
    assert record.prompt_tokens_estimate <= 256 == record.prompt_limit
    assert record.limited_by == "max_prompt_tokens" and record.fits
    assert record.usage is not None and usage_of(done)[:2] == (
        record.usage.prompt_tokens,
        record.usage.completion_tokens,
    )


async def test_auto_fits_the_model_window_from_settings(windowed: RunStack) -> None:
    """An uncapped run on a 1,024-token model: the prompt gets 1,024 minus a quarter kept for
    the reply, and reading stops once that is full."""
    windowed.model.script(Reply("ok"))
    assistant = await windowed.assistant(model="tiny-model")
    turns = [("user", "Opening question?"), *(("user", f"{i} {LONG}") for i in range(60))]
    thread, messages = await seed(windowed, *turns)
    done = await windowed.wait(await windowed.start(assistant, thread))

    assert done.status == "completed"
    (record,) = await contexts(windowed, done)
    assert (record.context_window, record.prompt_limit) == (1_024, 768)
    assert record.limited_by == "context_window"
    # 61 messages are one page: the middle was read, and is listed as dropped.
    newest = len(record.kept_message_ids) - 1
    assert record.kept_message_ids == [messages[0].id, *(m.id for m in messages[-newest:])]
    assert record.dropped_message_ids == [m.id for m in messages[1:-newest]]
    assert record.prompt_tokens_estimate <= 768
    sent = sent_texts(windowed.model.chat_requests[0])
    assert sent[0] == "Opening question?" and sent[-1] == f"59 {LONG}"
    assert len(sent) == len(record.kept_message_ids) < len(messages)
    assert not record.unread_messages_dropped


async def test_a_newest_message_beyond_the_window_fails_the_run(windowed: RunStack) -> None:
    assistant = await windowed.assistant(model="tiny-model")
    thread, _ = await seed(windowed, ("user", "word " * 2_000))
    done = await windowed.wait(await windowed.start(assistant, thread))

    assert done.status == "failed"
    assert done.last_error is not None and done.last_error.code == "invalid_prompt"
    assert "context window of 1024" in done.last_error.message
    assert windowed.model.chat_requests == []


# -- budgets ----------------------------------------------------------------------------------


async def test_a_reply_cut_by_the_completion_cap_ends_the_run_incomplete(stack: RunStack) -> None:
    """The cap reaches the model; the cut message is incomplete/max_tokens; usage is what the
    provider reported, on the run and on its step."""
    stack.model.script(Reply(LONG * 20, usage=Usage(120, 256)))
    assistant = await stack.assistant()
    thread, _ = await seed(stack, ("user", "Write an essay."))
    done = await stack.wait(await stack.start(assistant, thread, max_completion_tokens=256))

    assert done.status == "incomplete"
    assert done.incomplete_details is not None
    assert done.incomplete_details.reason == "max_completion_tokens"
    assert stack.model.chat_requests[0]["max_completion_tokens"] == 256
    assert usage_of(done) == (120, 256, 376)
    (step,) = await stack.steps(done)
    assert step.usage is not None and (step.usage.prompt_tokens, step.usage.total_tokens) == (
        120,
        376,
    )
    reply = (await stack.messages(thread))[-1]
    assert reply.status == "incomplete" and reply.incomplete_details is not None
    assert reply.incomplete_details.reason == "max_tokens"
    assert (await stack.events(done))[-1] == "thread.run.incomplete"


async def test_budgets_are_shared_by_every_call_of_a_tool_loop(stack: RunStack) -> None:
    """SPEC §3.4 worked example shape: call 1 uses 100/200 of 1000/300, so call 2 is capped
    at 100 completion tokens; it is cut there and the run is incomplete."""
    register_lookup(stack)
    stack.model.script(
        ToolCalls([ToolCall("lookup", "{}")], usage=Usage(100, 200)),
        Reply(LONG * 10, usage=Usage(150, 100)),
    )
    assistant = await stack.assistant(tools=[LOOKUP])
    thread, _ = await seed(stack, ("user", "Look it up."))
    run = await stack.start(assistant, thread, max_prompt_tokens=1_000, max_completion_tokens=300)
    done = await stack.wait(run)

    assert done.status == "incomplete"
    assert done.incomplete_details is not None
    assert done.incomplete_details.reason == "max_completion_tokens"
    first, second = stack.model.chat_requests
    assert (first["max_completion_tokens"], second["max_completion_tokens"]) == (300, 100)
    assert usage_of(done) == (250, 300, 550)
    steps = await stack.steps(done)
    assert [(s.type, s.status) for s in steps] == [
        ("tool_calls", "completed"),
        ("message_creation", "completed"),
    ]
    assert [(s.usage.prompt_tokens, s.usage.completion_tokens) for s in steps if s.usage] == [
        (100, 200),
        (150, 100),
    ]
    records = await contexts(stack, done)
    assert [(r.max_prompt_tokens, r.max_completion_tokens) for r in records] == [
        (1_000, 300),
        (900, 100),
    ]


async def test_a_spent_prompt_budget_ends_the_run_before_the_next_call(stack: RunStack) -> None:
    register_lookup(stack)
    stack.model.script(ToolCalls([ToolCall("lookup", "{}")], usage=Usage(300, 10)))
    assistant = await stack.assistant(tools=[LOOKUP])
    thread, _ = await seed(stack, ("user", "Look it up."))
    done = await stack.wait(await stack.start(assistant, thread, max_prompt_tokens=300))

    assert done.status == "incomplete"
    assert done.incomplete_details is not None
    assert done.incomplete_details.reason == "max_prompt_tokens"
    assert len(stack.model.chat_requests) == 1
    assert usage_of(done) == (300, 10, 310)


async def test_a_prompt_that_cannot_fit_what_is_left_is_not_sent(stack: RunStack) -> None:
    """Call 2's instructions, tool turn and newest message exceed the 50 prompt tokens left:
    no call is made, the run is incomplete, and the record shows why."""
    register_lookup(stack)
    stack.model.script(ToolCalls([ToolCall("lookup", "{}")], usage=Usage(350, 5)))
    assistant = await stack.assistant(instructions="Be brief.", tools=[LOOKUP])
    thread, _ = await seed(stack, ("user", "Look it up."))
    done = await stack.wait(await stack.start(assistant, thread, max_prompt_tokens=400))

    assert done.status == "incomplete"
    assert done.incomplete_details is not None
    assert done.incomplete_details.reason == "max_prompt_tokens"
    assert len(stack.model.chat_requests) == 1
    first, second = await contexts(stack, done)
    assert first.usage is not None and first.usage.prompt_tokens == 350
    assert (second.max_prompt_tokens, second.fits, second.usage) == (50, False, None)
    assert second.prompt_tokens_estimate > 50
    assert usage_of(done) == (350, 5, 355)


async def test_a_newest_message_over_the_prompt_budget_makes_no_call(stack: RunStack) -> None:
    assistant = await stack.assistant()
    thread, _ = await seed(stack, ("user", LONG * 10))
    done = await stack.wait(await stack.start(assistant, thread, max_prompt_tokens=256))

    assert done.status == "incomplete"
    assert done.incomplete_details is not None
    assert done.incomplete_details.reason == "max_prompt_tokens"
    assert stack.model.chat_requests == []
    assert usage_of(done) == (0, 0, 0)


async def test_tool_calls_cut_by_the_completion_cap_are_not_run(stack: RunStack) -> None:
    """Arguments cut off mid-JSON never reach requires_action: the step completes with its
    usage and the run is incomplete."""
    stack.model.script(ToolCalls([ToolCall("weather", '{"city": "' + "Oslo " * 400 + '"}')]))
    assistant = await stack.assistant(tools=[{"type": "function", "function": {"name": "weather"}}])
    thread, _ = await seed(stack, ("user", "Weather?"))
    done = await stack.wait(await stack.start(assistant, thread, max_completion_tokens=256))

    assert done.status == "incomplete" and done.required_action is None
    assert done.incomplete_details is not None
    assert done.incomplete_details.reason == "max_completion_tokens"
    (step,) = await stack.steps(done)
    assert (step.type, step.status) == ("tool_calls", "completed")
    assert step.usage is not None and step.usage.completion_tokens == 256
    assert usage_of(done)[1] == 256
    assert "thread.run.requires_action" not in await stack.events(done)
    # The new branch is behind workflow.patched(): its own history must replay too.
    history = await stack.client.get_workflow_handle(done.id).fetch_history()
    replayer = Replayer(
        workflows=[RunWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=sandbox_runner(),
    )
    await replayer.replay_workflow(history)
