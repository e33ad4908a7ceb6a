"""CodeInterpreterActivities: one code_interpreter call, run in the thread's sandbox session.

The session is the thread's: variables and files persist between calls (SPEC §8). Before a
call, the files of the assistant's and the thread's `tool_resources.code_interpreter` and of the
thread's code_interpreter attachments are placed in /mnt/data (20 each at most). Files the code
writes become Files (purpose `assistants_output`) with ids derived from the call, so a retried
call upserts the same ones; figures it leaves open become `image` outputs. With no sandbox on
this worker the call fails the run with the reason: never unsandboxed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import time
from collections.abc import Coroutine
from pathlib import PurePosixPath
from typing import Any, TypeVar

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities import _metrics
from activities.types import DispatchToolInput
from core.code_interpreter import files_key
from core.objects.code_interpreter_tool_call import (
    CodeInterpreterOutputImage,
    CodeInterpreterOutputImageImage,
    CodeInterpreterOutputLogs,
    CodeInterpreterToolCall,
)
from core.objects.file_object import FileObject
from core.objects.run import Run
from core.objects.run_step import RunStep, ToolCallsStepDetails
from core.objects.tool_resources import ToolResources
from core.sandbox import ExecutionResult, Sandbox, SandboxLimits, SandboxStartError, SessionRef
from core.store import Store
from core.store.run_events import RunClosedError

T = TypeVar("T")
HEARTBEAT_EVERY_S = 1.0
MAX_FILES_PER_SOURCE = 20
MAX_OUTPUT_FILE_BYTES = 100 * 1024 * 1024


def derived_file_id(call_id: str, name: str) -> str:
    """A File id that a retry of the same call derives again."""
    return "file-" + hashlib.sha256(f"{call_id}:{name}".encode()).hexdigest()[:24]


def _code_file_ids(resources: ToolResources | None) -> list[str]:
    if resources is None or resources.code_interpreter is None:
        return []
    return list(resources.code_interpreter.file_ids or [])[:MAX_FILES_PER_SOURCE]


def _with_call(step: RunStep, call: CodeInterpreterToolCall) -> RunStep:
    details = step.step_details
    assert isinstance(details, ToolCallsStepDetails)
    calls = [call if c.id == call.id else c for c in details.tool_calls]
    return step.model_copy(update={"step_details": ToolCallsStepDetails(tool_calls=calls)})


async def _heartbeating(work: Coroutine[Any, Any, T]) -> T:
    """Await `work`, heartbeating meanwhile: a worker that dies mid-call is noticed by the
    heartbeat timeout and the call is retried on another worker (in a fresh session process;
    the session's files remain)."""
    task = asyncio.ensure_future(work)
    while True:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_EVERY_S)
        if done:
            return task.result()
        activity.heartbeat()


def _logs(result: ExecutionResult) -> str:
    return "\n".join(part for part in (result.logs.rstrip("\n"), result.error) if part)


class CodeInterpreterActivities:
    """Runs code_interpreter calls in `sandbox`, one session per thread."""

    def __init__(self, store: Store, sandbox: Sandbox, limits: SandboxLimits | None = None) -> None:
        self._store = store
        self._sandbox = sandbox
        self._limits = limits or SandboxLimits()

    @activity.defn(name="run_code")
    async def run_code(self, request: DispatchToolInput) -> None:
        """Run the call's code; write its outputs into the step and its files as Files."""
        project = request.run.project_id
        step = await self._store.run_steps.get(project, request.step_id)
        call = next(
            c
            for c in getattr(step.step_details, "tool_calls", [])
            if isinstance(c, CodeInterpreterToolCall) and c.id == request.call_id
        )
        done = await self._store.tool_call_arguments.get_many(project, [files_key(call.id)])
        if done:
            return  # a retry after the outputs were written
        await self._require_sandbox()
        run = await self._store.runs.get(project, request.run.run_id)
        session = SessionRef(session_id=run.thread_id)
        await self._place_inputs(project, run, session)
        started = time.monotonic()
        try:
            result = await _heartbeating(
                self._sandbox.run(session, call.code_interpreter.input, self._limits)
            )
        except SandboxStartError as err:
            raise ApplicationError(
                f"The sandbox did not start: {err}", type="SandboxStart"
            ) from err
        _metrics.sandbox_executed(time.monotonic() - started, failed=result.error is not None)
        outputs: list[CodeInterpreterOutputLogs | CodeInterpreterOutputImage] = [
            CodeInterpreterOutputLogs(logs=_logs(result))
        ]
        outputs += await self._images(project, call.id, result)
        files = await self._written_files(project, call.id, session, result)
        finished = call.model_copy(
            update={
                "code_interpreter": call.code_interpreter.model_copy(update={"outputs": outputs})
            }
        )
        await self._store.run_steps.upsert(project, _with_call(step, finished))
        await self._stream_outputs(run.id, step, finished)
        # Written last: its presence marks the call done (see the retry check above).
        await self._store.tool_call_arguments.put(
            project, run.id, files_key(call.id), json.dumps(files)
        )

    async def _stream_outputs(
        self, run_id: str, step: RunStep, call: CodeInterpreterToolCall
    ) -> None:
        """The outputs as a step delta, as OpenAI streams them (SPEC §8); not once the run
        is closing (a cancelled run's stream has ended)."""
        details = step.step_details
        assert isinstance(details, ToolCallsStepDetails)
        index = next(i for i, c in enumerate(details.tool_calls) if c.id == call.id)
        outputs = [
            {"index": i, **output.model_dump(mode="json")}
            for i, output in enumerate(call.code_interpreter.outputs)
        ]
        tool_call = {"index": index, "type": "code_interpreter", "id": call.id,
                     "code_interpreter": {"outputs": outputs}}  # fmt: skip
        delta = {"step_details": {"type": "tool_calls", "tool_calls": [tool_call]}}
        payload = {"id": step.id, "object": "thread.run.step.delta", "delta": delta}
        with contextlib.suppress(RunClosedError):
            await self._store.run_events.append(
                run_id, "thread.run.step.delta", payload,
                dedupe_key=f"step.{step.id}.{call.id}.outputs", while_open=True,
            )  # fmt: skip

    async def _require_sandbox(self) -> None:
        availability = await self._sandbox.available()
        if not availability.ok:
            raise ApplicationError(
                f"code_interpreter is not available on this server: {availability.reason}",
                type="SandboxUnavailable",
                non_retryable=True,
            )

    async def _place_inputs(self, project: str, run: Run, session: SessionRef) -> None:
        assistant = await self._store.assistants.find(project, run.assistant_id)
        thread = await self._store.threads.find(project, run.thread_id)
        file_ids = _code_file_ids(assistant.tool_resources if assistant else None)
        file_ids += _code_file_ids(thread.tool_resources if thread else None)
        file_ids += await self._attached(project, run.thread_id)
        for file_id in dict.fromkeys(file_ids):
            file = await self._store.files.find(project, file_id)
            if file is not None:
                data = await self._store.blobs.read(file_id)
                await self._sandbox.put_file(session, file.filename, data)
            activity.heartbeat()

    async def _attached(self, project: str, thread_id: str) -> list[str]:
        """Files the thread's newest messages attach for code_interpreter."""
        page, _ = await self._store.messages.history(project, thread_id).older_page(None, 100)
        return [
            attachment.file_id
            for message in page
            for attachment in message.attachments or []
            if any(tool.type == "code_interpreter" for tool in attachment.tools or [])
        ][:MAX_FILES_PER_SOURCE]

    async def _images(
        self, project: str, call_id: str, result: ExecutionResult
    ) -> list[CodeInterpreterOutputImage]:
        outputs = []
        for index, png in enumerate(result.images):
            file_id = await self._save(project, derived_file_id(call_id, f"#image{index}"),
                                       f"image-{index}.png", png)  # fmt: skip
            outputs.append(
                CodeInterpreterOutputImage(image=CodeInterpreterOutputImageImage(file_id=file_id))
            )
        return outputs

    async def _written_files(
        self, project: str, call_id: str, session: SessionRef, result: ExecutionResult
    ) -> dict[str, str]:
        """`/mnt/data/<path> -> file_id` of the files the code wrote, each saved as a File."""
        files = {}
        for written in result.files_written:
            path = written.path  # as the code sees it: /mnt/data/...
            data = await self._sandbox.read_file(session, path, MAX_OUTPUT_FILE_BYTES)
            name = PurePosixPath(path).name
            files[path] = await self._save(project, derived_file_id(call_id, path), name, data)
        return files

    async def _save(self, project: str, file_id: str, filename: str, data: bytes) -> str:
        await self._store.blobs.put(file_id, data)
        file = FileObject(
            id=file_id,
            bytes=len(data),
            created_at=int(time.time()),
            filename=filename,
            purpose="assistants_output",
            status="processed",
        )
        await self._store.files.upsert(project, file)
        return file_id
