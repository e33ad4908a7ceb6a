"""The objects the isolation test aims at: project A's (every kind, a completed run and one waiting
in requires_action) and a smaller set of project B's own, so one request can mix B's ids with one
of A's. Seeded through the official SDK, as a client would.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import openai

from core import ids
from tests.api.conftest import ApiServer
from tests.fakes.model_server import Reply, ToolCall, ToolCalls

Ids = Mapping[str, str]
"""Object ids by the path parameter that names them (`thread_id`, `run_id`, ...)."""

PARAM_KINDS: Final[dict[str, ids.IdKind]] = {
    "assistant_id": "assistant",
    "thread_id": "thread",
    "message_id": "message",
    "run_id": "run",
    "step_id": "step",
    "file_id": "file",
    "vector_store_id": "vector_store",
    "batch_id": "file_batch",
}

SECRET: Final = b"The lighthouse keeper on Skellig Rock logs every ship in a green ledger.\n"
"""A's file: B searching its own store for these words must not find it."""

WEATHER_TOOL: Final[dict[str, Any]] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}
MODEL: Final = "gpt-4o-mini"
POLL_MS: Final = 50


@dataclass(frozen=True)
class World:
    """Ids of both projects' objects."""

    a: tuple[Ids, ...]
    """A's ids, one consistent map per run: the completed run's, then the waiting run's."""
    b: Ids
    """B's own ids (one of each kind, a completed run among them), and A's `call_id`: a
    submit_tool_outputs body from B names the call it hopes to answer."""
    call_id: str
    """The tool call A's waiting run asks for."""

    @property
    def waiting(self) -> Ids:
        return self.a[1]

    def a_ids(self) -> set[str]:
        return {value for ids_ in self.a for value in ids_.values()}


def missing_ids() -> dict[str, str]:
    """Well-formed ids that no project ever had."""
    return {param: ids.new_id(kind) for param, kind in PARAM_KINDS.items()}


async def seed_world(api: ApiServer) -> World:
    a = await _seed_a(api)
    b = await _seed_b(api.other)
    return World(a=a[0], b={**b, "call_id": a[1]}, call_id=a[1])


async def _seed_a(api: ApiServer) -> tuple[tuple[Ids, ...], str]:
    client = api.client
    file = await client.files.create(file=("secret.txt", SECRET), purpose="assistants")
    batch_file = await client.files.create(file=("batch.txt", SECRET), purpose="assistants")
    store = await client.vector_stores.create(name="A's store")
    await client.vector_stores.files.create_and_poll(file.id, vector_store_id=store.id)
    batch = await client.vector_stores.file_batches.create_and_poll(
        store.id, file_ids=[batch_file.id], poll_interval_ms=POLL_MS
    )
    assistant = await client.beta.assistants.create(
        model=MODEL, name="A's", tools=[WEATHER_TOOL],  # type: ignore[list-item]
        tool_resources={"code_interpreter": {"file_ids": [file.id]},
                        "file_search": {"vector_store_ids": [store.id]}},
    )  # fmt: skip
    thread = await client.beta.threads.create(
        messages=[{"role": "user", "content": "A's first question"}]
    )
    message = await client.beta.threads.messages.create(thread.id, role="user", content="Oslo?")
    runs = client.beta.threads.runs
    api.model.script(Reply("A's answer."), ToolCalls([ToolCall("get_weather", '{"city": "Oslo"}')]))
    done = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=POLL_MS
    )
    waiting = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=POLL_MS
    )
    assert (done.status, waiting.status) == ("completed", "requires_action"), (done, waiting)
    assert waiting.required_action is not None
    (call,) = waiting.required_action.submit_tool_outputs.tool_calls
    common = {
        "assistant_id": assistant.id, "thread_id": thread.id, "message_id": message.id,
        "file_id": file.id, "vector_store_id": store.id, "batch_id": batch.id,
    }  # fmt: skip
    maps = [
        {**common, "run_id": run.id, "step_id": await _first_step(client, thread.id, run.id),
         "call_id": call.id}
        for run in (done, waiting)
    ]  # fmt: skip
    return tuple(maps), call.id


async def _seed_b(client: openai.AsyncOpenAI) -> dict[str, str]:
    file = await client.files.create(file=("mine.txt", b"B's own notes."), purpose="assistants")
    store = await client.vector_stores.create(name="B's store")
    await client.vector_stores.files.create_and_poll(file.id, vector_store_id=store.id)
    batch = await client.vector_stores.file_batches.create_and_poll(
        store.id, file_ids=[file.id], poll_interval_ms=POLL_MS
    )
    assistant = await client.beta.assistants.create(model=MODEL, name="B's")
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "B asks"}])
    # No script: B's run gets the model server's default reply.
    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=POLL_MS
    )
    assert run.status == "completed", run
    message = (await client.beta.threads.messages.list(thread.id)).data[0]
    return {
        "assistant_id": assistant.id, "thread_id": thread.id, "message_id": message.id,
        "run_id": run.id, "step_id": await _first_step(client, thread.id, run.id),
        "file_id": file.id, "vector_store_id": store.id, "batch_id": batch.id,
    }  # fmt: skip


async def _first_step(client: openai.AsyncOpenAI, thread_id: str, run_id: str) -> str:
    steps = await client.beta.threads.runs.steps.list(run_id, thread_id=thread_id)
    assert steps.data, f"run {run_id} has no steps"
    return steps.data[0].id
