"""Real objects for fuzzed path parameters to hit, made through the API with the official SDK.

Random ids only ever reach the "not found" branches; seeded ids reach validation of the body
against a real object, state checks (a completed run cannot be cancelled) and success. Seeds:
an assistant, a file attached to a vector store (ingested) and a file batch, and three threads,
each with a user message and a run: one `completed`, one waiting in `requires_action`, one
`failed`. Fuzzing may delete or change them, so `refresh()` remakes what is gone before each
operation is fuzzed.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable
from dataclasses import dataclass, field

import openai

from tests.fakes.model_script import Fail, ToolCall, ToolCalls
from tests.reliability.fuzz_stack import FuzzTarget

__all__ = ["Seeds"]

MODEL = "gpt-4o-mini"
TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
FRESH_FOR_S = 300
"""A `requires_action` run expires 600 s after it is created (a write nobody asked for): older
than this, it is cancelled and replaced."""


@dataclass
class ThreadRun:
    thread_id: str
    message_id: str
    run_id: str
    step_id: str | None
    tool_call_id: str = "call_none"
    """The call a `requires_action` run waits on."""
    created: float = field(default_factory=time.monotonic)


class Seeds:
    def __init__(self, target: FuzzTarget) -> None:
        self.client: openai.AsyncOpenAI = target.api.client
        self.model = target.api.model
        self.assistant_id = ""
        self.file_id = ""
        self.vector_store_id = ""
        self.batch_id = ""
        self.runs: dict[str, ThreadRun] = {}

    def scenarios(self) -> list[dict[str, str]]:
        """Consistent path parameters, one set per seeded run."""
        base = {
            "assistant_id": self.assistant_id, "file_id": self.file_id,
            "vector_store_id": self.vector_store_id, "batch_id": self.batch_id,
        }  # fmt: skip
        step = next((run.step_id for run in self.runs.values() if run.step_id), "step_none")
        return [
            {
                **base,
                "thread_id": run.thread_id,
                "message_id": run.message_id,
                "run_id": run.run_id,
                "step_id": run.step_id or step,
                "tool_call_id": run.tool_call_id,
            }
            for run in self.runs.values()
        ]

    def scenario(self, status: str) -> dict[str, str]:
        """The path parameters of the seeded run in `status`."""
        run = self.runs[status]
        return next(ids for ids in self.scenarios() if ids["run_id"] == run.run_id)

    async def refresh(self) -> None:
        """Remake every seed that fuzzing deleted or moved out of its state."""
        assistants = self.client.beta.assistants
        if not (self.assistant_id and await _found(assistants.retrieve(self.assistant_id))):
            tools = [TOOL]
            self.assistant_id = (await assistants.create(model=MODEL, tools=tools)).id  # type: ignore[arg-type]
        files = self.client.vector_stores.files
        if not (
            self.file_id
            and await _found(files.retrieve(self.file_id, vector_store_id=self.vector_store_id))
            and await _found(self.client.files.retrieve(self.file_id))
        ):
            await self._seed_files()
        for status in ("completed", "requires_action", "failed"):
            if not await self._run_usable(status):
                self.runs[status] = await self._seed_run(status)

    async def _seed_files(self) -> None:
        file = await self.client.files.create(
            file=("notes.txt", b"Runwright seeds this file for fuzzing."), purpose="assistants"
        )
        store = await self.client.vector_stores.create(name="fuzz seeds")
        batch = await self.client.vector_stores.file_batches.create_and_poll(
            store.id, file_ids=[file.id], poll_interval_ms=50
        )
        self.file_id, self.vector_store_id, self.batch_id = file.id, store.id, batch.id

    async def _run_usable(self, status: str) -> bool:
        seeded = self.runs.get(status)
        if seeded is None:
            return False
        runs = self.client.beta.threads.runs
        try:
            run = await runs.retrieve(seeded.run_id, thread_id=seeded.thread_id)
            await self.client.beta.threads.messages.retrieve(
                seeded.message_id, thread_id=seeded.thread_id
            )
        except openai.NotFoundError:
            return False
        if run.status == "requires_action" and time.monotonic() - seeded.created > FRESH_FOR_S:
            await runs.cancel(seeded.run_id, thread_id=seeded.thread_id)
            await runs.poll(seeded.run_id, thread_id=seeded.thread_id, poll_interval_ms=50)
            return False
        return run.status == status

    async def _seed_run(self, status: str) -> ThreadRun:
        if status == "requires_action":
            self.model.script(ToolCalls([ToolCall("lookup", "{}")]))
        elif status == "failed":
            self.model.script(Fail(400, message="Prompt rejected.", code="invalid_prompt"))
        thread = await self.client.beta.threads.create(
            messages=[{"role": "user", "content": f"Seed a {status} run."}]
        )
        messages = await self.client.beta.threads.messages.list(thread.id)
        run = await self.client.beta.threads.runs.create_and_poll(
            thread_id=thread.id, assistant_id=self.assistant_id, poll_interval_ms=50
        )
        assert run.status == status, (status, run.status, run.last_error)
        steps = await self.client.beta.threads.runs.steps.list(run.id, thread_id=thread.id)
        step_id = steps.data[0].id if steps.data else None
        action = run.required_action
        calls = action.submit_tool_outputs.tool_calls if action else []
        call_id = calls[0].id if calls else "call_none"
        return ThreadRun(thread.id, messages.data[0].id, run.id, step_id, call_id)


async def _found(call: Awaitable[object]) -> bool:
    try:
        await call
    except openai.NotFoundError:
        return False
    return True
