"""Turns a model's stream into run steps, an assistant message and SPEC §6.3 events.

Steps and messages are created lazily, on the first delta of their kind, with ids the workflow
minted, and every snapshot event carries a dedupe key: a retried model call upserts the same
objects and never repeats a `created` event. Deltas of a failed attempt cannot be taken back;
the `thread.message.completed` snapshot that follows replaces whatever a client accumulated.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from activities._builtin_calls import BuiltinCalls
from activities._reply_extras import ReplyExtras
from activities._run_patch import end_message, end_step, wire_usage
from activities.types import GenerateInput
from core.objects.message import Message
from core.objects.run import Run
from core.objects.run_step import (
    FunctionToolCall,
    FunctionToolCallFunction,
    MessageCreation,
    MessageCreationStepDetails,
    RunStep,
    ToolCall,
    ToolCallsStepDetails,
)
from core.providers.base import ChatResult, ToolCallDelta, ToolCallResult
from core.store import Store
from core.store.run_events import RunClosedError
from workflows.types import TokenUsage

T = TypeVar("T")


async def _shielded(write: Coroutine[Any, Any, T]) -> T:
    """Run a store write to its end even if the activity is cancelled meanwhile.

    Cancellation reaches this activity as CancelledError at whatever await it is in; raised
    inside a write transaction, it left SQLite's write lock held until the busy timeout (seen
    stalling the run's own cancel cascade 2 x 10 s). Shielded, the write commits, then the
    cancellation surfaces at the next await.
    """
    return await asyncio.shield(write)


def call_id_for(step_id: str, index: int) -> str:
    """Tool-call ids derived from the step id, so a retried call mints the same ones."""
    digest = hashlib.sha256(f"{step_id}:{index}".encode()).hexdigest()[:24]
    return f"call_{digest}"


class StepWriter:
    """Writes one model call's output: a message_creation step or a tool_calls step."""

    def __init__(
        self,
        store: Store,
        request: GenerateInput,
        run: Run,
        extras: ReplyExtras | None = None,
    ) -> None:
        self._store = store
        self._extras = extras or ReplyExtras()
        self._request = request
        self._run = run
        self._message: Message | None = None
        self._tool_step: RunStep | None = None
        self._message_step: RunStep | None = None
        self._text_started = False
        self._calls_seen: set[int] = set()
        self._builtins = BuiltinCalls(run)

    # -- events ----------------------------------------------------------------------------

    async def _emit(self, event: str, data: dict[str, Any], key: str | None = None) -> None:
        await _shielded(
            self._store.run_events.append(
                self._run.id, event, data, dedupe_key=key, while_open=True
            )
        )

    async def _save_step(self, step: RunStep, event: str | None) -> None:
        await _shielded(self._store.run_steps.upsert(self._request.run.project_id, step))
        if event is not None:
            data = step.model_dump(mode="json")
            await self._emit(f"thread.run.step.{event}", data, f"step.{step.id}.{event}")

    async def _save_message(self, message: Message, event: str | None) -> None:
        await _shielded(self._store.messages.upsert(self._request.run.project_id, message))
        if event is not None:
            data = message.model_dump(mode="json")
            await self._emit(f"thread.message.{event}", data, f"message.{message.id}.{event}")

    def _new_step(self, step_id: str, details: Any) -> RunStep:
        return RunStep(
            id=step_id,
            created_at=int(time.time()),
            assistant_id=self._run.assistant_id,
            thread_id=self._run.thread_id,
            run_id=self._run.id,
            type=details.type,
            status="in_progress",
            step_details=details,
        )

    # -- text ------------------------------------------------------------------------------

    async def _open_message(self) -> Message:
        if self._message is not None:
            return self._message
        message_id = self._request.message_id
        # A tool_calls step already used the minted step id; a message after it gets its own.
        step_id = self._request.step_id if self._tool_step is None else f"{self._request.step_id}m"
        details = MessageCreationStepDetails(
            message_creation=MessageCreation(message_id=message_id)
        )
        self._message_step = self._new_step(step_id, details)
        self._message = Message(
            id=message_id,
            created_at=int(time.time()),
            thread_id=self._run.thread_id,
            status="in_progress",
            role="assistant",
            content=[],
            assistant_id=self._run.assistant_id,
            run_id=self._run.id,
            attachments=[],
        )
        project = self._request.run.project_id
        await _shielded(self._store.run_steps.upsert(project, self._message_step))
        await _shielded(self._store.messages.upsert(project, self._message))
        step, message = (
            self._message_step.model_dump(mode="json"),
            self._message.model_dump(mode="json"),
        )
        # One commit for the four snapshots that precede the first delta (SPEC §6.3 order).
        opening = [
            ("thread.run.step.created", step, f"step.{step_id}.created"),
            ("thread.run.step.in_progress", step, f"step.{step_id}.in_progress"),
            ("thread.message.created", message, f"message.{message_id}.created"),
            ("thread.message.in_progress", message, f"message.{message_id}.in_progress"),
        ]
        await _shielded(self._store.run_events.append_many(self._run.id, opening, while_open=True))
        return self._message

    async def text(self, fragment: str) -> None:
        """Append a `thread.message.delta`; the first one creates the text block (SPEC §6.4)."""
        message = await self._open_message()
        text: dict[str, Any] = {"value": fragment}
        if not self._text_started:
            text["annotations"] = []
            self._text_started = True
        delta = {"content": [{"index": 0, "type": "text", "text": text}]}
        await self._emit(
            "thread.message.delta",
            {"id": message.id, "object": "thread.message.delta", "delta": delta},
        )

    # -- tool calls ------------------------------------------------------------------------

    async def _open_tool_step(self) -> RunStep:
        if self._tool_step is None:
            self._tool_step = self._new_step(self._request.step_id, ToolCallsStepDetails())
            await self._save_step(self._tool_step, "created")
            await self._emit("thread.run.step.in_progress", self._tool_step.model_dump(mode="json"),
                             f"step.{self._tool_step.id}.in_progress")  # fmt: skip
        return self._tool_step

    async def tool_call(self, delta: ToolCallDelta) -> None:
        """A step delta: id and name once per call, then argument fragments only (SPEC §6.4).
        Built-in tools have their own wire shapes (`BuiltinCalls`)."""
        step = await self._open_tool_step()
        kind = self._builtins.kind(delta.index, delta.name)
        call: dict[str, Any] = {"index": delta.index, "type": kind or "function"}
        if delta.index not in self._calls_seen:
            self._calls_seen.add(delta.index)
            call["id"] = call_id_for(step.id, delta.index)
            if kind is not None:
                call.update(self._builtins.opening_delta(kind, delta.arguments, delta.index))
            else:
                call["function"] = {"name": delta.name or "", "arguments": delta.arguments,
                                    "output": None}  # fmt: skip
        elif kind is not None:
            body = self._builtins.next_delta(kind, delta.arguments, delta.index)
            if body is None:
                return
            call.update(body)
        elif delta.arguments:
            call["function"] = {"arguments": delta.arguments}
        else:
            return
        details = {"type": "tool_calls", "tool_calls": [call]}
        payload = {
            "id": step.id,
            "object": "thread.run.step.delta",
            "delta": {"step_details": details},
        }
        await self._emit("thread.run.step.delta", payload)

    # -- the end of the call ---------------------------------------------------------------

    async def abandon(self) -> None:
        """The run closed under us (cancelled or expired while this call streamed): close what
        this call created the way the run's own cascade would have."""
        run = await self._store.runs.get(self._request.run.project_id, self._run.id)
        now = int(time.time())
        if self._message is not None:
            latest = await self._store.messages.find(self._request.run.project_id, self._message.id)
            closed = end_message(latest or self._message, run.status, now, None)
            if closed is not None:
                await self._save_message(closed, None)
        for step in (self._message_step, self._tool_step):
            if step is not None:
                ended = end_step(step, run.status, now)
                if ended is not None:
                    await self._save_step(ended, None)

    async def finish(self, result: ChatResult) -> RunStep | None:
        """Persist final snapshots. Returns the tool_calls step, if the model called tools."""
        if await self._store.run_events.is_closed(self._run.id):
            raise RunClosedError(self._run.id)
        usage = wire_usage(
            TokenUsage(
                prompt_tokens=result.usage.prompt_tokens,
                completion_tokens=result.usage.completion_tokens,
            )
        )
        if result.text or not result.tool_calls:
            await self._finish_message(result, usage if not result.tool_calls else None)
        if not result.tool_calls:
            return None
        step = await self._open_tool_step()
        calls = [await self._finished_call(step, call) for call in result.tool_calls]
        self._tool_step = step.model_copy(
            update={"step_details": ToolCallsStepDetails(tool_calls=calls)}
        )
        await self._save_step(self._tool_step, None)
        return self._tool_step

    async def _emit_extras(self, message: Message, annotations: list[Any]) -> None:
        """Citations, file links and images as one last delta: streaming clients see them
        before the `thread.message.completed` snapshot (indexed deltas, SPEC §6.4)."""
        delta = self._extras.delta(annotations)
        if delta is not None:
            await self._emit(
                "thread.message.delta",
                {"id": message.id, "object": "thread.message.delta", "delta": delta},
            )

    async def _finished_call(self, step: RunStep, call: ToolCallResult) -> ToolCall:
        call_id = call_id_for(step.id, call.index)
        kind = self._builtins.kind(call.index, call.name)
        if kind is None:
            function = FunctionToolCallFunction(name=call.name, arguments=call.arguments)
            return FunctionToolCall(id=call_id, function=function)
        # Kept for showing the model its own call again in the next call's context.
        await _shielded(
            self._store.tool_call_arguments.put(
                self._request.run.project_id, self._run.id, call_id, call.arguments
            )
        )
        return BuiltinCalls.finished(kind, call_id, call.arguments)

    async def _finish_message(self, result: ChatResult, usage: Any) -> None:
        message = await self._open_message()
        assert self._message_step is not None
        annotations = self._extras.annotations(result.text)
        await self._emit_extras(message, annotations)
        content = self._extras.content(result.text, annotations)
        cut_short = result.finish_reason == "length" and not result.tool_calls
        now = int(time.time())
        if cut_short:
            # The workflow decides whether this ends the run incomplete; leave both open.
            await self._save_message(message.model_copy(update={"content": content}), None)
            await self._save_step(self._message_step.model_copy(update={"usage": usage}), None)
            return
        done = message.model_copy(
            update={"content": content, "status": "completed", "completed_at": now}
        )
        await self._save_message(done, "completed")
        step = self._message_step.model_copy(
            update={"status": "completed", "completed_at": now, "usage": usage}
        )
        await self._save_step(step, "completed")
