"""Single-turn run latency (create -> completed, instant scripted model) against a bare Temporal
workflow with the same number of activities (3), measured in the same run on the same server.

`python -m bench.run_latency [--runs N]` prints p50/p95 of both and their ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bench._bare_workflow import BenchBareWorkflow, bench_noop
from core.store import open_store
from core.temporal_client import bundled_binary
from tests.fakes.model_server import Reply, ScriptedModelServer
from tests.workflows.harness import run_stack, stack_settings
from workflows import search_attributes


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def measure_bare(env: WorkflowEnvironment, runs: int) -> list[float]:
    queue = f"bench-bare-{uuid.uuid4().hex[:8]}"
    samples = []
    async with Worker(
        env.client, task_queue=queue, workflows=[BenchBareWorkflow], activities=[bench_noop]
    ):
        for _ in range(runs):
            started = time.perf_counter()
            await env.client.execute_workflow(
                BenchBareWorkflow.run, id=f"bare-{uuid.uuid4().hex}", task_queue=queue
            )
            samples.append(time.perf_counter() - started)
    return samples


async def measure_runs(
    env: WorkflowEnvironment, runs: int, tmp: Path
) -> tuple[list[float], list[float]]:
    """(create -> `completed` visible in the store, create -> workflow closed) per run."""
    store = await open_store(f"sqlite+aiosqlite:///{tmp}/bench.db", blob_dir=tmp)
    visible: list[float] = []
    closed: list[float] = []
    with ScriptedModelServer() as model:
        model.default = Reply("ok", chunk_size=100)
        settings = stack_settings(tmp, f"bench-run-{uuid.uuid4().hex[:8]}")
        async with run_stack(env.client, store, model, settings) as stack:
            assistant = await stack.assistant()
            for _ in range(runs):
                thread = await stack.thread("hi")
                started = time.perf_counter()
                run = await stack.start(assistant, thread)
                done = await stack.runs.wait("proj_test", thread.id, run.id, poll_s=0.005)
                visible.append(time.perf_counter() - started)
                await env.client.get_workflow_handle(run.id).result()
                closed.append(time.perf_counter() - started)
                assert done.status == "completed", done.status
    await store.close()
    return visible, closed


def describe(samples: list[float]) -> str:
    p50, p95 = percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"


async def main(runs: int) -> dict[str, float]:
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(bundled_binary("temporal")),
        search_attributes=search_attributes.ALL,
        dev_server_extra_args=[
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=normal",
        ],
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await measure_bare(env, 5)  # warm-up
            bare = await measure_bare(env, runs)
            ours, ours_closed = await measure_runs(env, runs, Path(tmp))
    finally:
        await env.shutdown()
    ratio = statistics.median(ours_closed) / statistics.median(bare)
    print(f"bare workflow, 3 activities, to workflow closed: {describe(bare)}")
    print(f"runwright run, to workflow closed:              {describe(ours_closed)}")
    print(f"runwright run, to `completed` in the store:     {describe(ours)}")
    print(f"ratio of medians, workflow closed (run / bare): {ratio:.2f}")
    return {
        "bare_p50_ms": percentile(bare, 0.5) * 1000,
        "bare_p95_ms": percentile(bare, 0.95) * 1000,
        "run_p50_ms": percentile(ours_closed, 0.5) * 1000,
        "run_p95_ms": percentile(ours_closed, 0.95) * 1000,
        "run_visible_p50_ms": percentile(ours, 0.5) * 1000,
        "ratio": ratio,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    asyncio.run(main(parser.parse_args().runs))
