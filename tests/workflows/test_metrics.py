"""Worker metrics move as the runs they count happen: real Temporal, store, worker and exporter.

Each test's worker runs on the `worker_metrics` Runtime (the worker's own Prometheus exporter on
a loopback port) and its own task queue, so every series it moves carries that `task_queue`
label; a test reads how far a series moved between two scrapes.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from core.objects.assistant_tool import FileSearchTool
from core.objects.run import Run
from core.objects.tool_resources import ToolResources, ToolResourcesFileSearch
from core.store import Store
from tests.corpus import CORPUS_DIR
from tests.fakes.model_server import (
    Fail,
    Malformed,
    Reply,
    ScriptedModelServer,
    ToolCall,
    ToolCalls,
    Usage,
)
from tests.fixtures.metrics import Scrape, WorkerMetrics
from tests.workflows.harness import FAST_LIMITS, PROJECT, RunStack, run_stack, stack_settings
from worker import sandbox_runner
from workflows.run import RunWorkflow
from workflows.types import ToolOutput

LOG_TEXT = "The Kestrel Point keeper logs the weather and every passing ship. " * 40


class Moves:
    """How far series moved between two scrapes, on one task queue."""

    def __init__(self, before: Scrape, after: Scrape, task_queue: str) -> None:
        self.before, self.after, self._tq = before, after, task_queue

    def __call__(self, name: str, **labels: str) -> float:
        labels = {"task_queue": self._tq, **labels}
        return self.after.value(name, **labels) - self.before.value(name, **labels)


@asynccontextmanager
async def metered_stack(
    worker_metrics: WorkerMetrics,
    store: Store,
    model: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
    **options: Any,
) -> AsyncIterator[RunStack]:
    overrides = {k: options.pop(k) for k in ("run_expires_after_seconds",) if k in options}
    settings = stack_settings(
        tmp_path,
        task_queue,
        model_base_url=model.base_url,
        embedding_model="text-embedding-3-small",
        context_windows="tiny-model=4096,replaymodel=8192",
        **overrides,
    )
    async with run_stack(
        worker_metrics.client, store, model, settings, file_search_ingest_wait_s=5, **options
    ) as built:
        yield built


@pytest.fixture
async def stack(
    worker_metrics: WorkerMetrics,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> AsyncIterator[RunStack]:
    async with metered_stack(
        worker_metrics, sqlite_store, model_server, tmp_path, task_queue
    ) as built:
        yield built


async def run_to_end(stack: RunStack, run: Run) -> Run:
    """The run once its workflow has closed (its last metrics are recorded by then)."""
    await stack.client.get_workflow_handle(run.id).result()
    return await stack.runs.retrieve(PROJECT, run.thread_id, run.id)


async def measured(
    worker_metrics: WorkerMetrics, stack: RunStack, action: Callable[[], Any]
) -> tuple[Any, Moves]:
    before = await worker_metrics.scrape()
    result = await action()
    after = await worker_metrics.scrape()
    return result, Moves(before, after, stack.settings.task_queue)


async def test_a_completed_run_moves_the_run_and_model_call_metrics(
    stack: RunStack, worker_metrics: WorkerMetrics
) -> None:
    stack.model.script(Reply("Hello.", usage=Usage(11, 7)))
    assistant = await stack.assistant(model="gpt-4o")
    thread = await stack.thread("Hi!")

    async def act() -> Run:
        return await run_to_end(stack, await stack.start(assistant, thread))

    done, moved = await measured(worker_metrics, stack, act)

    assert done.status == "completed"
    model = {"model": "gpt-4o"}
    assert moved("runwright_runs_started_total", workflow_type="RunWorkflow", **model) == 1
    assert moved("runwright_runs_finished_total", status="completed", **model) == 1
    assert moved("runwright_run_duration_seconds_count", status="completed", **model) == 1
    assert moved("runwright_run_duration_seconds_sum", status="completed", **model) > 0
    assert moved("runwright_run_queue_latency_seconds_count", **model) == 1
    call = {"activity_type": "generate", **model}
    assert moved("runwright_model_call_duration_seconds_count", outcome="ok", **call) == 1
    assert moved("runwright_model_call_errors_total", **model) == 0
    assert moved("runwright_tokens_total", kind="prompt", **model) == 11
    assert moved("runwright_tokens_total", kind="completion", **model) == 7
    assert moved("runwright_requires_action_wait_seconds_count") == 0
    # Runwright's buckets reach past the exporter's default 10 s ceiling.
    buckets = moved.after.series("runwright_run_duration_seconds_bucket")
    assert {600.0, 3600.0} <= {float(s.labels["le"]) for s in buckets}


@pytest.mark.parametrize(
    ("failure", "error_class", "attempts"),
    [
        (Fail(500), "server_error", 3),
        (Fail(429, headers={"retry-after-ms": "10"}), "rate_limited", 3),
        (Fail(400, message="bad prompt", code="invalid_prompt"), "invalid_prompt", 1),
        (Malformed(), "malformed", 3),
    ],
    ids=["500", "429", "400", "malformed"],
)
async def test_provider_failures_are_counted_per_attempt_by_class(
    stack: RunStack, worker_metrics: WorkerMetrics, failure: Any, error_class: str, attempts: int
) -> None:
    stack.model.script(*[failure] * 5)
    assistant = await stack.assistant(model="gpt-4o")
    thread = await stack.thread("Hi!")

    async def act() -> Run:
        return await run_to_end(stack, await stack.start(assistant, thread))

    done, moved = await measured(worker_metrics, stack, act)

    assert done.status == "failed"
    model = {"model": "gpt-4o"}
    assert moved("runwright_model_call_errors_total", error_class=error_class, **model) == attempts
    assert moved("runwright_model_call_errors_total", **model) == attempts
    assert moved("runwright_model_call_duration_seconds_count", outcome="error") == attempts
    assert moved("runwright_model_call_duration_seconds_count", outcome="ok") == 0
    assert moved("runwright_tokens_total") == 0
    assert moved("runwright_runs_finished_total", status="failed", **model) == 1


async def _to_requires_action(stack: RunStack) -> Run:
    stack.model.script(ToolCalls([ToolCall("weather", '{"city": "Oslo"}')]), Reply("Cold."))
    assistant = await stack.assistant(tools=[{"type": "function", "function": {"name": "weather"}}])
    thread = await stack.thread("Weather in Oslo?")
    run = await stack.wait(await stack.start(assistant, thread))
    assert run.status == "requires_action"
    return run


async def _submit(stack: RunStack, run: Run) -> None:
    assert run.required_action is not None
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    outputs = [ToolOutput(tool_call_id=call.id, output="-3 C")]
    await stack.runs.submit_tool_outputs(PROJECT, run.thread_id, run.id, outputs)


async def _cancel(stack: RunStack, run: Run) -> None:
    await stack.runs.cancel(PROJECT, run.thread_id, run.id)


@pytest.mark.parametrize(
    ("outcome", "end", "status"),
    [("submitted", _submit, "completed"), ("cancelled", _cancel, "cancelled")],
)
async def test_the_requires_action_wait_is_observed_by_outcome(
    stack: RunStack, worker_metrics: WorkerMetrics, outcome: str, end: Any, status: str
) -> None:
    async def act() -> Run:
        run = await _to_requires_action(stack)
        await end(stack, run)
        return await run_to_end(stack, run)

    done, moved = await measured(worker_metrics, stack, act)

    assert done.status == status
    wait = "runwright_requires_action_wait_seconds_count"
    assert moved(wait, model="gpt-4o", outcome=outcome) == 1
    assert moved(wait) == 1
    assert moved("runwright_runs_finished_total", status=status, model="gpt-4o") == 1


async def test_an_expired_wait_is_observed_as_expired(
    worker_metrics: WorkerMetrics,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> None:
    async with metered_stack(
        worker_metrics, sqlite_store, model_server, tmp_path, task_queue,
        run_expires_after_seconds=2,
    ) as stack:  # fmt: skip

        async def act() -> Run:
            return await run_to_end(stack, await _to_requires_action(stack))

        done, moved = await measured(worker_metrics, stack, act)

    assert done.status == "expired"
    wait = "runwright_requires_action_wait_seconds"
    assert moved(f"{wait}_count", model="gpt-4o", outcome="expired") == 1
    assert moved(f"{wait}_sum", outcome="expired") > 0.5
    assert moved("runwright_runs_finished_total", status="expired") == 1


def _lookup(stack: RunStack) -> dict[str, Any]:
    stack.tools.register(
        "lookup", lambda: "42", description="look up", parameters={"type": "object"}
    )
    return {"type": "function", "function": {"name": "lookup"}}


@pytest.mark.parametrize("reason", ["max_prompt_tokens", "max_completion_tokens"])
async def test_budget_exhaustion_is_counted_by_reason(
    stack: RunStack, worker_metrics: WorkerMetrics, reason: str
) -> None:
    tool = _lookup(stack)
    if reason == "max_prompt_tokens":
        stack.model.script(ToolCalls([ToolCall("lookup", "{}")], usage=Usage(300, 10)))
        budget = {"max_prompt_tokens": 300}
    else:
        stack.model.script(Reply("word " * 300, usage=Usage(120, 256)))
        budget = {"max_completion_tokens": 256}
    assistant = await stack.assistant(tools=[tool])
    thread = await stack.thread("Look it up, then write an essay.")

    async def act() -> Run:
        return await run_to_end(stack, await stack.start(assistant, thread, **budget))

    done, moved = await measured(worker_metrics, stack, act)

    assert done.status == "incomplete"
    assert done.incomplete_details is not None and done.incomplete_details.reason == reason
    assert moved("runwright_budget_exhausted_total", reason=reason, model="gpt-4o") == 1
    assert moved("runwright_budget_exhausted_total") == 1
    assert moved("runwright_runs_finished_total", status="incomplete") == 1


async def test_server_side_function_calls_are_counted_by_outcome(
    stack: RunStack, worker_metrics: WorkerMetrics
) -> None:
    def explode() -> str:
        raise RuntimeError("no")

    tool = _lookup(stack)
    stack.tools.register("explode", explode, description="fails", parameters={"type": "object"})
    stack.model.script(
        ToolCalls([ToolCall("lookup", "{}"), ToolCall("explode", "{}")]), Reply("Done.")
    )
    assistant = await stack.assistant(
        tools=[tool, {"type": "function", "function": {"name": "explode"}}]
    )
    thread = await stack.thread("Use both tools.")

    async def act() -> Run:
        return await run_to_end(stack, await stack.start(assistant, thread))

    done, moved = await measured(worker_metrics, stack, act)

    assert done.status == "completed"
    calls = "runwright_tool_calls_total"
    assert moved(calls, type="function", outcome="ok", activity_type="dispatch_function_tool") == 1
    assert moved(calls, type="function", outcome="error") == 1
    assert moved(calls, type="file_search") == 0
    assert moved("runwright_model_call_duration_seconds_count", outcome="ok") == 2


async def test_a_file_search_call_is_counted(
    stack: RunStack, worker_metrics: WorkerMetrics
) -> None:
    store_id, _ = await stack.ingest("kestrel.txt", LOG_TEXT.encode())
    search = ToolCall("file_search", json.dumps({"queries": ["passing ships"]}))
    stack.model.script(ToolCalls([search]), Reply("Ships pass."))
    resources = ToolResources(file_search=ToolResourcesFileSearch(vector_store_ids=[store_id]))
    assistant = await stack.assistant(tools=[FileSearchTool()], tool_resources=resources)
    thread = await stack.thread("What does the keeper log?")

    async def act() -> Run:
        return await run_to_end(stack, await stack.start(assistant, thread))

    done, moved = await measured(worker_metrics, stack, act)

    assert done.status == "completed"
    calls = "runwright_tool_calls_total"
    assert moved(calls, type="file_search", outcome="ok", activity_type="run_file_search") == 1
    assert moved(calls, type="file_search", outcome="error") == 0
    assert moved(calls, type="function") == 0


async def test_ingestion_is_counted_by_outcome_stage_bytes_and_chunks(
    stack: RunStack, worker_metrics: WorkerMetrics
) -> None:
    data = LOG_TEXT.encode()
    corrupt = (CORPUS_DIR / "corrupt.pdf").read_bytes()

    async def act() -> tuple[str, str]:
        ingested = await stack.ingest(
            "kestrel.txt", data, max_chunk_size_tokens=100, chunk_overlap_tokens=20
        )
        await stack.ingest("corrupt.pdf", corrupt)
        return ingested

    (store_id, file_id), moved = await measured(worker_metrics, stack, act)

    chunks, _ = await stack.store.chunks.stats(PROJECT, store_id, file_id)
    assert chunks > 1
    assert moved("runwright_ingest_files_total", outcome="completed") == 1
    assert moved("runwright_ingest_files_total", outcome="failed") == 1
    assert moved("runwright_ingest_files_total", outcome="cancelled") == 0
    # Only the file that could be read was chunked (and embedded).
    assert moved("runwright_ingest_bytes_total", activity_type="chunk_file") == len(data)
    assert moved("runwright_ingest_chunks_total") == chunks
    assert moved("runwright_ingest_duration_seconds_count", stage="chunk") == 1
    assert moved("runwright_ingest_duration_seconds_count", stage="embed") == 1


async def test_model_labels_are_a_closed_set(
    stack: RunStack, worker_metrics: WorkerMetrics
) -> None:
    """Unknown models are `other`; configured context-window keys (longest prefix) label
    the models they match."""
    stack.model.script(Reply("a", usage=Usage(3, 1)), Reply("b", usage=Usage(5, 2)))
    unknown = await stack.assistant(model="mystery-model-9")
    configured = await stack.assistant(model="tiny-model-v2")

    async def act() -> None:
        await run_to_end(stack, await stack.start(unknown, await stack.thread("1")))
        await run_to_end(stack, await stack.start(configured, await stack.thread("2")))

    _, moved = await measured(worker_metrics, stack, act)

    assert moved("runwright_runs_finished_total", model="other") == 1
    assert moved("runwright_runs_finished_total", model="tiny-model") == 1
    assert moved("runwright_tokens_total", model="other", kind="prompt") == 3
    assert moved("runwright_tokens_total", model="tiny-model", kind="prompt") == 5
    models = {s.labels["model"] for s in moved.after.series("runwright_runs_started_total")}
    assert "mystery-model-9" not in models and "tiny-model-v2" not in models


async def test_a_run_that_continues_as_new_is_counted_once_from_its_start(
    worker_metrics: WorkerMetrics,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> None:
    """One history per model call: still one start, one finish, one queue latency, and the
    duration covers every execution (the first call takes 1 s)."""
    model_server.script(
        ToolCalls([ToolCall("lookup", "{}")], delay_s=1.0),
        ToolCalls([ToolCall("lookup", "{}")]),
        Reply("42."),
    )
    limits = FAST_LIMITS.model_copy(update={"iterations_per_history": 1})
    async with metered_stack(
        worker_metrics, sqlite_store, model_server, tmp_path, task_queue, limits=limits
    ) as stack:
        assistant = await stack.assistant(tools=[_lookup(stack)])
        thread = await stack.thread("Look it up twice.")

        async def act() -> Run:
            return await run_to_end(stack, await stack.start(assistant, thread))

        done, moved = await measured(worker_metrics, stack, act)
        last = await stack.client.get_workflow_handle(done.id).fetch_history()

    started = last.events[0].workflow_execution_started_event_attributes
    assert done.status == "completed" and started.continued_execution_run_id
    assert moved("runwright_runs_started_total") == 1
    assert moved("runwright_runs_finished_total", status="completed") == 1
    assert moved("runwright_run_queue_latency_seconds_count") == 1
    assert moved("runwright_run_duration_seconds_sum", status="completed") >= 1.0
    assert moved("runwright_model_call_duration_seconds_count", outcome="ok") == 3


async def test_replays_do_not_count_a_run_twice(
    worker_metrics: WorkerMetrics,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A worker without a cache replays the whole history on every task, and the Replayer
    replays it again on the same Runtime: the run is counted, and logged, exactly once."""
    caplog.set_level(logging.INFO, logger="temporalio.workflow")
    model_server.script(
        ToolCalls([ToolCall("lookup", "{}")], usage=Usage(10, 2)), Reply("42.", usage=Usage(20, 3))
    )
    async with metered_stack(
        worker_metrics, sqlite_store, model_server, tmp_path, task_queue, max_cached_workflows=0
    ) as stack:
        tool = _lookup(stack)
        assistant = await stack.assistant(model="replaymodel-1", tools=[tool])
        thread = await stack.thread("Look it up.")

        async def act() -> Run:
            return await run_to_end(stack, await stack.start(assistant, thread))

        done, moved = await measured(worker_metrics, stack, act)
    assert done.status == "completed"
    label = {"model": "replaymodel"}
    assert moved("runwright_runs_started_total", **label) == 1
    assert moved("runwright_runs_finished_total", **label) == 1
    assert moved("runwright_run_queue_latency_seconds_count", **label) == 1
    (line,) = [r for r in caplog.records if r.msg.startswith("run_finished")]
    fields = line.__dict__
    assert (fields["run_id"], fields["thread_id"]) == (done.id, done.thread_id)
    assert (fields["status"], fields["model"], fields["steps"]) == ("completed", "replaymodel-1", 2)
    assert (fields["prompt_tokens"], fields["completion_tokens"]) == (30, 5)
    assert fields["duration_s"] >= 0

    history = await worker_metrics.client.get_workflow_handle(done.id).fetch_history()
    replayer = Replayer(
        workflows=[RunWorkflow],
        data_converter=pydantic_data_converter,
        workflow_runner=sandbox_runner(),
        runtime=worker_metrics.runtime,
    )
    before = await worker_metrics.scrape()
    await replayer.replay_workflow(history)
    after = await worker_metrics.scrape()
    for name in ("runwright_runs_started_total", "runwright_runs_finished_total"):
        # Any task queue or namespace: the Replayer would label its series differently.
        assert after.value(name, **label) == before.value(name, **label) == 1
    assert len([r for r in caplog.records if r.msg.startswith("run_finished")]) == 1


async def test_sandbox_executions_are_counted_by_outcome(
    stack: RunStack, worker_metrics: WorkerMetrics
) -> None:
    ok = ToolCall("code_interpreter", json.dumps({"code": "print(2 + 2)"}))
    boom = ToolCall("code_interpreter", json.dumps({"code": "raise ValueError('no')"}))
    stack.model.script(ToolCalls([ok]), ToolCalls([boom]), Reply("Done."))
    assistant = await stack.assistant(tools=[{"type": "code_interpreter"}])
    thread = await stack.thread("Compute.")

    async def act() -> Run:
        return await run_to_end(stack, await stack.start(assistant, thread))

    done, moved = await measured(worker_metrics, stack, act)

    assert done.status == "completed"
    executions = "runwright_sandbox_executions_total"
    assert moved(executions, outcome="ok", activity_type="run_code") == 1
    assert moved(executions, outcome="error", activity_type="run_code") == 1
    assert moved("runwright_sandbox_execution_duration_seconds_count", outcome="ok") == 1
    assert moved("runwright_tool_calls_total", type="code_interpreter", outcome="ok") == 1
    assert moved("runwright_tool_calls_total", type="code_interpreter", outcome="error") == 1
