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
from datetime import timedelta
from pathlib import Path

from temporalio import activity, workflow
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from core.store import open_store
from core.temporal_client import bundled_binary
from tests.fakes.model_server import Reply, ScriptedModelServer
from tests.workflows.harness import run_stack, stack_settings
from workflows import search_attributes


@activity.defn(name="bench_noop")
async def bench_noop(step: int) -> int:
    return step


@workflow.defn(name="BenchBareWorkflow")
class BenchBareWorkflow:
    """The ceiling: three sequential activities and nothing else."""

    @workflow.run
    async def run(self) -> None:
        for step in range(3):
            await workflow.execute_activity(
                bench_noop, step, start_to_close_timeout=timedelta(seconds=10)
            )


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


async def measure_runs(env: WorkflowEnvironment, runs: int, tmp: Path) -> list[float]:
    store = await open_store(f"sqlite+aiosqlite:///{tmp}/bench.db", blob_dir=tmp)
    samples = []
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
                samples.append(time.perf_counter() - started)
                assert done.status == "completed", done.status
    await store.close()
    return samples


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
            ours = await measure_runs(env, runs, Path(tmp))
    finally:
        await env.shutdown()
    ratio = statistics.median(ours) / statistics.median(bare)
    print(f"bare workflow, 3 activities: {describe(bare)}")
    print(f"runwright single-turn run:   {describe(ours)}")
    print(f"ratio of medians (run / bare): {ratio:.2f}")
    return {
        "bare_p50_ms": percentile(bare, 0.5) * 1000,
        "bare_p95_ms": percentile(bare, 0.95) * 1000,
        "run_p50_ms": percentile(ours, 0.5) * 1000,
        "run_p95_ms": percentile(ours, 0.95) * 1000,
        "ratio": ratio,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    asyncio.run(main(parser.parse_args().runs))
