"""A worker process SIGKILLed mid-run: a new worker picks the run up and it completes, with
exactly one assistant message per step."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from core.dev_server import free_port
from core.objects.run_step import MessageCreationStepDetails
from core.store import Store, open_store
from tests.fakes.model_server import Reply, ScriptedModelServer, ToolCall, ToolCalls
from tests.workflows.harness import FAST_LIMITS, PROJECT, RunStack, run_stack, stack_settings
from workflows.types import ToolOutput

REPO = Path(__file__).resolve().parents[2]
LIMITS = FAST_LIMITS.model_copy(update={"model_heartbeat_timeout_s": 2.0})


class WorkerProcess:
    """`python worker.py` as a child process, configured through the environment only."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self._env = env
        self._log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self._log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, str(REPO / "worker.py")], cwd=REPO, env=self._env,
                stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture
async def crash_store(tmp_path: Path) -> AsyncIterator[Store]:
    store = await open_store(f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}", blob_dir=tmp_path)
    yield store
    await store.close()


@pytest.fixture
def worker_process(
    temporal_env: WorkflowEnvironment,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> Iterator[WorkerProcess]:
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": temporal_env.client.service_client.config.target_host,
        "RUNWRIGHT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}",
        "RUNWRIGHT_DATA_DIR": str(tmp_path),
        "RUNWRIGHT_MODEL_BASE_URL": model_server.base_url,
        "RUNWRIGHT_MODEL_API_KEY": "test-key",
        "RUNWRIGHT_TASK_QUEUE": task_queue,
        "RUNWRIGHT_WORKER_METRICS_PORT": str(free_port()),
        "RUNWRIGHT_LOG_FORMAT": "json",
    }
    worker = WorkerProcess(env, tmp_path / "worker.log")
    yield worker
    worker.stop()


async def _exactly_one_message_per_step(stack: RunStack, run_id: str, thread_id: str) -> None:
    steps = await stack.store.run_steps.for_run(PROJECT, run_id)
    messages = [
        m
        for m in await stack.store.messages.latest(PROJECT, thread_id, 100)
        if m.role == "assistant"
    ]
    creation = [s for s in steps if isinstance(s.step_details, MessageCreationStepDetails)]
    assert len(messages) == len(creation) == 1
    assert creation[0].step_details.message_creation.message_id == messages[0].id  # type: ignore[union-attr]


async def test_worker_killed_during_a_model_call(
    temporal_env: WorkflowEnvironment,
    crash_store: Store,
    model_server: ScriptedModelServer,
    worker_process: WorkerProcess,
    tmp_path: Path,
    task_queue: str,
) -> None:
    model_server.script(
        Reply("first attempt, never finished " * 10, chunk_delay_s=0.3), Reply("Second attempt.")
    )
    settings = stack_settings(tmp_path, task_queue)
    async with run_stack(
        temporal_env.client, crash_store, model_server, settings, limits=LIMITS, with_worker=False
    ) as stack:
        worker_process.start()
        run = await stack.start(await stack.assistant(), await stack.thread("hello"))
        await asyncio.to_thread(model_server.wait_for_requests, 1, 30)
        await asyncio.sleep(0.8)  # mid-stream
        worker_process.kill()
        worker_process.start()
        done = await stack.wait(run, timeout_s=60)

        assert done.status == "completed"
        assert len(model_server.chat_requests) == 2
        await _exactly_one_message_per_step(stack, run.id, run.thread_id)
        messages = await stack.messages(await stack.store.threads.get(PROJECT, run.thread_id))
        assert messages[-1].content[0].text.value == "Second attempt."  # type: ignore[union-attr]


async def test_worker_killed_during_requires_action(
    temporal_env: WorkflowEnvironment,
    crash_store: Store,
    model_server: ScriptedModelServer,
    worker_process: WorkerProcess,
    tmp_path: Path,
    task_queue: str,
) -> None:
    model_server.script(ToolCalls([ToolCall("lookup", "{}")]), Reply("Looked it up."))
    settings = stack_settings(tmp_path, task_queue)
    async with run_stack(
        temporal_env.client, crash_store, model_server, settings, limits=LIMITS, with_worker=False
    ) as stack:
        worker_process.start()
        assistant = await stack.assistant(
            tools=[{"type": "function", "function": {"name": "lookup"}}]
        )
        run = await stack.start(assistant, await stack.thread("look it up"))
        waiting = await stack.wait(run, timeout_s=60)
        assert waiting.status == "requires_action"
        worker_process.kill()
        worker_process.start()  # a fresh worker: the run is rebuilt by replaying its history
        call = waiting.required_action.submit_tool_outputs.tool_calls[0]  # type: ignore[union-attr]
        outputs = [ToolOutput(tool_call_id=call.id, output="42")]
        await stack.runs.submit_tool_outputs(PROJECT, run.thread_id, run.id, outputs)
        done = await stack.wait(run, timeout_s=60)

        assert done.status == "completed"
        steps = await stack.steps(run)
        assert [(s.type, s.status) for s in steps] == [
            ("tool_calls", "completed"),
            ("message_creation", "completed"),
        ]
        await _exactly_one_message_per_step(stack, run.id, run.thread_id)


async def test_worker_killed_during_a_code_interpreter_call(
    temporal_env: WorkflowEnvironment,
    crash_store: Store,
    model_server: ScriptedModelServer,
    worker_process: WorkerProcess,
    tmp_path: Path,
    task_queue: str,
) -> None:
    """The call is retried on the restarted worker, in a fresh session process, and the run
    completes with the retried call's output."""
    code = "import time\ntime.sleep(3)\nprint('slept')"
    model_server.script(
        ToolCalls([ToolCall("code_interpreter", json.dumps({"code": code}))]), Reply("Done.")
    )
    settings = stack_settings(tmp_path, task_queue)
    async with run_stack(
        temporal_env.client, crash_store, model_server, settings, limits=LIMITS, with_worker=False
    ) as stack:
        worker_process.start()
        assistant = await stack.assistant(tools=[{"type": "code_interpreter"}])
        run = await stack.start(assistant, await stack.thread("run it"))
        await asyncio.to_thread(model_server.wait_for_requests, 1, 30)
        await asyncio.sleep(1.5)  # inside the 3-second sleep
        worker_process.kill()
        worker_process.start()
        done = await stack.wait(run, timeout_s=60)

        assert done.status == "completed", done.last_error
        (tool_step,) = [s for s in await stack.steps(run) if s.type == "tool_calls"]
        (call,) = tool_step.step_details.tool_calls  # type: ignore[union-attr]
        assert call.code_interpreter.outputs[0].logs.strip() == "slept"  # type: ignore[union-attr]
        assert len(model_server.chat_requests) == 2
