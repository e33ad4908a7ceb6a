"""The API process SIGKILLed mid-stream: the official SDK's client resumes from the last event id
it saw through the events endpoint (Last-Event-ID) once the API is back on the same port, and
its AssistantEventHandler gets the rest of the run, every event exactly once.

The API (`python -m cli api`) and the worker (`python worker.py`) are separate child processes,
configured by environment only, sharing a SQLite store and the session's Temporal server; the
worker keeps streaming the model's reply into the event log while the API is down.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest
from openai import AsyncStream
from openai.types.beta import AssistantStreamEvent
from openai.types.beta.threads import Text, TextDelta
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.dev_server import free_port
from core.store import Store, open_store
from tests.fakes.model_server import Reply, ScriptedModelServer
from tests.reliability.audit import RunAudit
from tests.reliability.infra_audit import audit_closed_run
from tests.reliability.infra_processes import (
    Child,
    api_child,
    api_healthy,
    runwright_env,
    wait_for,
    worker_child,
)
from tests.reliability.infra_resume import EventIdClient, resuming_stream
from tests.reliability.infra_script import TaggedScripts, new_tag
from tests.reliability.ledger import LEDGER, runs_per_fault

FAULT = "API SIGKILL mid-stream, client resumes"
KEY, PROJECT = "sk-kill", "proj_kill"
DELTAS_BEFORE_KILL = 3
REPLY = "Every event after the crash arrives once, in order, from the resumed stream. " * 2
# ~40 deltas 0.1 s apart: the run is still streaming when the API comes back, so the resumed
# stream replays the events logged while the API was down and then tails live ones.
CHUNK_SIZE, CHUNK_DELAY_S = 4, 0.1


@dataclass
class ApiStack:
    api: Child
    worker: Child
    base_url: str
    store: Store

    def client(self) -> EventIdClient:
        return EventIdClient(base_url=self.base_url, api_key=KEY, max_retries=0)

    async def restart_api(self) -> None:
        self.api.start()
        await wait_for("api", lambda: api_healthy(self.base_url.removesuffix("/v1")),
                       [self.api, self.worker], timeout_s=60)  # fmt: skip


@pytest.fixture
async def api_stack(
    temporal_env: WorkflowEnvironment,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> AsyncIterator[ApiStack]:
    port = free_port()
    env = runwright_env(
        tmp_path, temporal_env.client.service_client.config.target_host, task_queue,
        model_base_url=model_server.base_url, model_api_key="test-key", api_port=str(port),
        api_keys=f"{KEY}:{PROJECT}",
    )  # fmt: skip
    # The test process migrates the store first, so the children never race to create it.
    store = await open_store(env["RUNWRIGHT_DATABASE_URL"], blob_dir=tmp_path / "files")
    stack = ApiStack(
        api_child(env, tmp_path), worker_child(env, tmp_path), f"http://127.0.0.1:{port}/v1", store
    )
    stack.worker.start()
    try:
        await stack.restart_api()
        yield stack
    finally:
        stack.api.stop()
        stack.worker.stop()
        await store.close()


class Recorder(openai.AsyncAssistantEventHandler):
    """Every event name and text delta; `reached` is set after `DELTAS_BEFORE_KILL` deltas."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []
        self.text: list[str] = []
        self.reached = asyncio.Event()

    async def on_event(self, event: AssistantStreamEvent) -> None:
        self.names.append(event.event)

    async def on_text_delta(self, delta: TextDelta, snapshot: Text) -> None:
        self.text.append(delta.value or "")
        if len(self.text) == DELTAS_BEFORE_KILL:
            self.reached.set()


Request = Callable[[EventIdClient, str, str], Awaitable[AsyncStream[AssistantStreamEvent]]]


async def _runs_create(client: EventIdClient, assistant_id: str, tag: str) -> Any:
    """What `runs.stream(...)` sends: a run on an existing thread, `stream: true`."""
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": tag}])
    return await client.beta.threads.runs.create(
        thread_id=thread.id, assistant_id=assistant_id, stream=True
    )


async def _create_and_run(client: EventIdClient, assistant_id: str, tag: str) -> Any:
    """What `threads.create_and_run_stream(...)` sends."""
    return await client.beta.threads.create_and_run(
        assistant_id=assistant_id,
        thread={"messages": [{"role": "user", "content": tag}]},
        stream=True,
    )


@dataclass
class StreamedRun:
    client: EventIdClient
    handler: Recorder
    tag: str

    async def consume(self, request: Request, assistant_id: str) -> None:
        call = request(self.client, assistant_id, self.tag)
        async with resuming_stream(self.client, call, self.handler) as stream:
            await stream.until_done()


async def _kill_api_when_mid_stream(stack: ApiStack, runs: list[StreamedRun]) -> None:
    await asyncio.wait_for(asyncio.gather(*(r.handler.reached.wait() for r in runs)), 60)
    stack.api.sigkill()
    await stack.restart_api()


async def _audit(stack: ApiStack, run: StreamedRun, client: Client) -> RunAudit:
    """The store's verdict, plus the stream's: before and after the kill together it is the
    run's whole log (no gap, no repeat, in order), and the handler assembled the reply."""
    final = run.handler.current_run
    assert final is not None, f"{run.tag}: the stream never announced its run"
    audit = await audit_closed_run(stack.store, PROJECT, final.id, client)
    log = [(e.seq, e.event) for e in await stack.store.run_events.read(final.id, 0, 100_000)]
    received = [(seq, name) for seq, name in run.client.frames if seq is not None]
    for seq, count in Counter(seq for seq, _ in received).items():
        if count > 1:
            audit.dup(f"event {seq} delivered {count} times")
    for seq, name in sorted(set(log) - set(received)):
        audit.lost(f"event {seq} ({name}) never delivered")
    if received != log:
        audit.wrong("the stream's events differ from the log's order")
    if [n for n in run.handler.names if n != "thread.created"] != [name for _, name in log]:
        audit.wrong("the event handler saw other events than the stream carried")
    reply = f"{run.tag}: {REPLY}"
    messages = await run.handler.get_final_messages()
    texts = [c.text.value for m in messages for c in m.content if c.type == "text"]
    if "".join(run.handler.text) != reply or texts != [reply]:
        audit.wrong(f"assembled text {texts!r}, deltas {''.join(run.handler.text)!r}")
    if final.status != "completed":
        audit.wrong(f"the stream's final run is {final.status!r}")
    return audit


def _resumed_mid_reply(run: StreamedRun) -> bool:
    """Whether the client reconnected once, with reply deltas still to come."""
    (after,) = run.client.resumed_after
    return any(seq is not None and seq > after and name == "thread.message.delta"
               for seq, name in run.client.frames)  # fmt: skip


async def test_api_sigkill_mid_stream_the_client_resumes(
    api_stack: ApiStack, model_server: ScriptedModelServer, temporal_env: WorkflowEnvironment
) -> None:
    scripts = TaggedScripts(model_server).install()
    setup = api_stack.client()
    assistant = await setup.beta.assistants.create(model="gpt-4o-mini")
    await setup.close()
    rounds = runs_per_fault(short=1, full=5)
    for round_ in range(rounds):
        runs = [StreamedRun(api_stack.client(), Recorder(), new_tag(f"kill{round_}-{n}"))
                for n in range(2)]  # fmt: skip
        for run in runs:
            scripts.add(
                run.tag,
                Reply(f"{run.tag}: {REPLY}", chunk_size=CHUNK_SIZE, chunk_delay_s=CHUNK_DELAY_S),
            )
        await asyncio.gather(
            runs[0].consume(_runs_create, assistant.id),
            runs[1].consume(_create_and_run, assistant.id),
            _kill_api_when_mid_stream(api_stack, runs),
        )
        audits = [await _audit(api_stack, run, temporal_env.client) for run in runs]
        LEDGER.record(FAULT, audits)
        for run, audit in zip(runs, audits, strict=True):
            await run.client.close()
            assert audit.correct, audit.problems
            assert _resumed_mid_reply(run), run.client.frames
    assert api_stack.api.starts == 1 + rounds
