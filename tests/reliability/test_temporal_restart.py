"""The Temporal dev server SIGKILLed mid-run and restarted on the same port with the same SQLite
database: the worker and the runs client reconnect by themselves, and every run in flight
completes, whether it was inside a model call or waiting in requires_action.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client
from temporalio.service import RPCError

from core.objects.run import Run
from core.settings import Settings
from core.store import Store
from core.temporal_client import connect_temporal
from tests.fakes.model_server import Reply, ScriptedModelServer, ToolCall, ToolCalls
from tests.reliability.audit import RunAudit
from tests.reliability.infra_audit import audit_closed_run
from tests.reliability.infra_processes import Child, temporal_child, temporal_listening, wait_for
from tests.reliability.infra_script import TaggedScripts, new_tag
from tests.reliability.ledger import LEDGER, runs_per_fault
from tests.workflows.harness import FAST_LIMITS, PROJECT, RunStack, run_stack, stack_settings
from workflows.types import ToolOutput

IN_MODEL_CALL = "Temporal dev server restart mid-run: in a model call"
IN_REQUIRES_ACTION = "Temporal dev server restart mid-run: in requires_action"
LOOKUP = {"type": "function", "function": {"name": "lookup"}}
SLOW_TEXT = "A reply still streaming while Temporal is down and coming back. " * 2
DELTAS_BEFORE_KILL = 3


@dataclass
class OwnTemporal:
    """A dev server of this test's own, persisting to a SQLite file that survives restarts."""

    child: Child
    address: str
    client: Client

    async def restart(self) -> None:
        self.child.sigkill()
        self.child.start()
        await wait_for("temporal", lambda: temporal_listening(self.address), [self.child], 30)
        await self._healthy(30)

    async def _healthy(self, timeout_s: float) -> None:
        """Until the frontend answers: it refuses calls for a moment after it binds its port."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                await self.client.workflow_service.get_system_info(GetSystemInfoRequest())
                return
            except RPCError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)


@pytest.fixture
async def own_temporal(tmp_path: Path) -> AsyncIterator[OwnTemporal]:
    child, address = temporal_child(tmp_path / "temporal", tmp_path)
    child.start()
    try:
        await wait_for("temporal", lambda: temporal_listening(address), [child], 30)
        # Listening is not healthy yet: the frontend refuses calls for a moment after it binds.
        settings = Settings(data_dir=tmp_path, temporal_address=address)
        client = await connect_temporal(settings, wait_seconds=30)
        yield OwnTemporal(child, address, client)
    finally:
        child.stop()


async def _deltas(store: Store, run: Run) -> int:
    events = await store.run_events.read(run.id, 0, 100_000)
    return sum(event.event == "thread.message.delta" for event in events)


async def _mid_stream(stack: RunStack, runs: list[Run], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    for run in runs:
        while await _deltas(stack.store, run) < DELTAS_BEFORE_KILL:
            assert time.monotonic() < deadline, f"{run.id} never started streaming"
            await asyncio.sleep(0.05)


async def _start_waiting(
    stack: RunStack, scripts: TaggedScripts, count: int
) -> list[tuple[Run, str]]:
    """Runs parked in requires_action on a client-side `lookup` call, with the final text each
    will reply."""
    assistant = await stack.assistant(tools=[LOOKUP])
    runs = []
    for _ in range(count):
        tag = new_tag("waiting")
        scripts.add(tag, ToolCalls([ToolCall("lookup", "{}")]), Reply(f"{tag}: looked it up"))
        runs.append((await stack.start(assistant, await stack.thread(tag)), f"{tag}: looked it up"))
    for run, _ in runs:
        assert (await stack.wait(run, timeout_s=60)).status == "requires_action"
    return runs


async def _start_streaming(
    stack: RunStack, scripts: TaggedScripts, count: int
) -> list[tuple[Run, str]]:
    """Runs inside a slow model call (a retried call gets the same text, at full speed)."""
    assistant = await stack.assistant()
    runs = []
    for _ in range(count):
        tag = new_tag("streaming")
        text = f"{tag}: {SLOW_TEXT}"
        scripts.add(tag, Reply(text, chunk_size=4, chunk_delay_s=0.1), Reply(text))
        runs.append((await stack.start(assistant, await stack.thread(tag)), text))
    await _mid_stream(stack, [run for run, _ in runs])
    return runs


async def _submit(stack: RunStack, run: Run) -> None:
    waiting = await stack.wait(run, timeout_s=10)
    assert waiting.status == "requires_action" and waiting.required_action is not None
    call = waiting.required_action.submit_tool_outputs.tool_calls[0]
    outputs = [ToolOutput(tool_call_id=call.id, output="42")]
    await stack.runs.submit_tool_outputs(PROJECT, run.thread_id, run.id, outputs)


async def _audit(
    stack: RunStack, run: Run, expected_text: str, tool_outputs: dict[str, str] | None = None
) -> RunAudit:
    """The audit, and the run's one assistant message is the scripted reply."""
    done = await stack.wait(run, timeout_s=90)
    audit = await audit_closed_run(
        stack.store, PROJECT, run.id, stack.client, tool_outputs=tool_outputs
    )
    texts = [
        block.text.value  # type: ignore[union-attr]
        for message in await stack.store.messages.latest(PROJECT, done.thread_id, 100)
        if message.role == "assistant"
        for block in message.content
    ]
    if texts != [expected_text]:
        audit.wrong(f"assistant messages {texts!r}")
    return audit


async def test_temporal_restart_mid_run(
    own_temporal: OwnTemporal,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> None:
    scripts = TaggedScripts(model_server).install()
    count = runs_per_fault(short=1, full=5)
    settings = stack_settings(tmp_path, task_queue)
    async with run_stack(
        own_temporal.client, sqlite_store, model_server, settings, limits=FAST_LIMITS
    ) as stack:
        waiting = await _start_waiting(stack, scripts, count)
        streaming = await _start_streaming(stack, scripts, count)
        await own_temporal.restart()
        for run, _ in waiting:
            await _submit(stack, run)
        outputs = {"lookup": "42"}
        waited = [await _audit(stack, run, text, tool_outputs=outputs) for run, text in waiting]
        streamed = [await _audit(stack, run, text) for run, text in streaming]
    LEDGER.record(IN_REQUIRES_ACTION, waited)
    LEDGER.record(IN_MODEL_CALL, streamed)
    for audit in waited + streamed:
        assert audit.correct, (audit.run_id, audit.problems)
    assert own_temporal.child.starts == 2
