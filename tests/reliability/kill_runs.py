"""Runs under worker kills: what each scenario's run does, what the model answers, and what
the finished run must hold (tool outputs, the final reply verbatim, the tool called once)."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from core.objects.assistant_tool import FileSearchTool
from core.objects.message import Message
from core.objects.message_content import TextContentBlock
from core.objects.run import Run
from core.objects.tool_resources import ToolResources, ToolResourcesFileSearch
from tests.fakes.model_server import Entry, Reply, ToolCall, ToolCalls
from tests.reliability.audit import RunAudit, audit_run
from tests.reliability.crash_tools import LOOKUP, LOOKUP_DEFINITION, lookup_output
from tests.reliability.kill_lane import Lane
from tests.reliability.kill_points import Scenario
from tests.workflows.harness import FAST_LIMITS, PROJECT
from workflows.types import GET_RUN, TERMINAL_STATUSES, RetrySettings, RunSnapshot, ToolOutput

FAST = RetrySettings(initial_interval_s=0.05, maximum_interval_s=0.2, maximum_attempts=5)
LIMITS = FAST_LIMITS.model_copy(
    update={
        # A dead worker's activity is retried once its timeout passes: generate and run_code
        # by heartbeat, the others by start-to-close. Short, yet above what the calls take on
        # a busy 2-core machine (a call that outlives them is merely retried).
        "model_heartbeat_timeout_s": 4,
        "model_call_timeout_s": 30,
        "tool_call_timeout_s": 8,
        "store_timeout_s": 3,
        "model_retry": FAST,
        "tool_retry": FAST,
    }
)
CLIENT_TOOL = "client_lookup"
CODE = "import time\ntime.sleep(1.3)\nprint('slept', 6 * 7)"
SLOW_TEXT = "Streamed slowly, chunk by chunk, to be cut off mid-stream. " * 4
SEARCH_DOC = "Kestrel Point lighthouse log. The north lamp was replaced in March 1991. " * 30
SEARCH_QUERY = "when was the north lamp replaced"
TAG = re.compile(r"scenario:(\w+) key:(\w+)")


@dataclass(frozen=True)
class Expect:
    """What a scenario's finished run must hold."""

    reply: str
    tool_outputs: dict[str, str]


def final_reply(key: str) -> str:
    return f"Finished {key}."


def respond(body: dict[str, Any]) -> Entry:
    """The scripted model, as a function of the request: retried calls get the same answer."""
    messages = body["messages"]
    found = next(filter(None, (TAG.search(_text(m)) for m in messages if m["role"] == "user")))
    scenario, key = found.groups()
    if any(m["role"] == "tool" for m in messages):
        return Reply(final_reply(key))
    if scenario in ("plain", "webhook"):
        return Reply(final_reply(key))
    if scenario == "slow":
        return Reply(SLOW_TEXT + final_reply(key), chunk_delay_s=0.03)
    return ToolCalls([_tool_call(scenario, key)])


def _text(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, str):
        return content
    return " ".join(part.get("text", "") for part in content)


def _tool_call(scenario: str, key: str) -> ToolCall:
    if scenario == "function":
        return ToolCall(LOOKUP, json.dumps({"key": key}))
    if scenario in ("client", "client_wait"):
        return ToolCall(CLIENT_TOOL, "{}")
    if scenario == "search":
        return ToolCall("file_search", json.dumps({"queries": [SEARCH_QUERY]}))
    assert scenario == "code", scenario
    return ToolCall("code_interpreter", json.dumps({"code": CODE}))


def assistant_fields(scenario: Scenario, search_store: str | None) -> dict[str, Any]:
    if scenario == "function":
        return {"tools": [{"type": "function", "function": LOOKUP_DEFINITION}]}
    if scenario in ("client", "client_wait"):
        return {"tools": [{"type": "function", "function": {"name": CLIENT_TOOL}}]}
    if scenario == "code":
        return {"tools": [{"type": "code_interpreter"}]}
    if scenario == "search":
        stores = ToolResourcesFileSearch(vector_store_ids=[search_store or ""])
        return {"tools": [FileSearchTool()], "tool_resources": ToolResources(file_search=stores)}
    return {}


def expectations(scenario: Scenario, key: str, search_file: str | None) -> Expect:
    outputs = {
        "function": {LOOKUP: lookup_output(key)},
        "client": {CLIENT_TOOL: client_output(key)},
        "client_wait": {CLIENT_TOOL: client_output(key)},
        "code": {"code_interpreter": "slept 42"},
        "search": {"file_search": search_file or ""},
    }.get(scenario, {})
    reply = SLOW_TEXT + final_reply(key) if scenario == "slow" else final_reply(key)
    return Expect(reply, outputs)


def _text_of(message: Message) -> str:
    return "".join(b.text.value for b in message.content if isinstance(b, TextContentBlock))


def client_output(key: str) -> str:
    return f"client:{key}"


async def answer_requires_action(lane: Lane, run: Run, key: str, kill_while_waiting: bool) -> None:
    """Wait for requires_action, optionally kill the worker while the run waits, submit."""
    runs = lane.stack.runs
    waiting = await runs.wait(PROJECT, run.thread_id, run.id, timeout_s=90, poll_s=0.1)
    if kill_while_waiting:
        # The store says requires_action from inside the activity; the workflow waits only
        # once it has heard the activity finish, which its query tells.
        await _workflow_status(lane, run, "requires_action")
        lane.kill_all()
    assert waiting.required_action is not None, waiting.status
    calls = waiting.required_action.submit_tool_outputs.tool_calls
    outputs = [ToolOutput(tool_call_id=call.id, output=client_output(key)) for call in calls]
    await runs.submit_tool_outputs(PROJECT, run.thread_id, run.id, outputs)


async def _workflow_status(lane: Lane, run: Run, status: str, timeout_s: float = 30) -> None:
    handle = lane.stack.client.get_workflow_handle(run.id)
    async with asyncio.timeout(timeout_s):
        # Polled: a query is the only view of the workflow's own state.
        while (await handle.query(GET_RUN, result_type=RunSnapshot)).status != status:  # noqa: ASYNC110
            await asyncio.sleep(0.05)


async def finish_and_audit(lane: Lane, run: Run, expect: Expect, key: str) -> RunAudit:
    """Await the run's end (store, then workflow) and audit it."""
    stack = lane.stack
    await stack.runs.wait(PROJECT, run.thread_id, run.id, until=TERMINAL_STATUSES,
                          timeout_s=120, poll_s=0.1)  # fmt: skip
    # The store can say completed before Temporal hears it (a kill after the last write).
    await asyncio.wait_for(stack.client.get_workflow_handle(run.id).result(), 120)
    audit = await audit_run(stack.store, PROJECT, run.id, client=stack.client,
                            tool_outputs=expect.tool_outputs)  # fmt: skip
    thread = await stack.store.threads.get(PROJECT, run.thread_id)
    replies = [_text_of(m) for m in await stack.messages(thread) if m.role == "assistant"]
    if replies != [expect.reply]:
        audit.wrong(f"assistant replies {replies!r}, expected [{expect.reply!r}]")
    calls = lane.tool_log.read_text().split() if lane.tool_log.exists() else []
    if calls.count(key) > 1:
        audit.dup(f"{LOOKUP} ran {calls.count(key)} times")
    await _audit_closure(lane, run.id, audit)
    return audit


async def _audit_closure(lane: Lane, run_id: str, audit: RunAudit) -> None:
    """Beyond audit_run: a completed run closed every step and message once, and charged
    exactly its steps' usage (a retried model call must not be charged twice)."""
    store = lane.stack.store
    run = await store.runs.get(PROJECT, run_id)
    steps = await store.run_steps.for_run(PROJECT, run_id)
    for step in steps:
        if step.status != "completed":
            audit.wrong(f"step {step.id} left {step.status!r}")
    charged = [(s.usage.prompt_tokens, s.usage.completion_tokens) for s in steps if s.usage]
    total = tuple(map(sum, zip(*charged, strict=True))) if charged else (0, 0)
    usage = (run.usage.prompt_tokens, run.usage.completion_tokens) if run.usage else (0, 0)
    if usage != total:
        audit.wrong(f"run usage {usage} != its steps' {total}")
    events = await store.run_events.read(run_id, 0, limit=100_000)
    closing = Counter(
        (e.event, e.data.get("id"))
        for e in events
        if e.event in ("thread.run.step.completed", "thread.message.completed")
    )
    for (event, object_id), count in closing.items():
        if count > 1:
            audit.dup(f"{event} sent {count} times for {object_id}")


async def stale_delta_chars(lane: Lane, run: Run) -> int:
    """Characters of text deltas in the run's event log beyond its messages' text: what a killed
    model call streamed before its retry streamed the reply again. Not a fault by design
    (activities/_step_writer.py): each message's completed snapshot replaces the accumulated
    text; reported so the table shows what a stream reader saw."""
    stack = lane.stack
    events = await stack.store.run_events.read(run.id, 0, limit=100_000)
    streamed = sum(
        len(part["text"]["value"])
        for e in events
        if e.event == "thread.message.delta"
        for part in e.data["delta"]["content"]
        if part.get("type") == "text"
    )
    thread = await stack.store.threads.get(PROJECT, run.thread_id)
    final = sum(len(_text_of(m)) for m in await stack.messages(thread) if m.run_id == run.id)
    return streamed - final
