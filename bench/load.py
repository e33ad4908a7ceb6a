"""Load: many concurrent single-turn runs against `runwright dev`, against a bare Temporal
workflow with the same activity count on the same Temporal server, measured in the same run.

`python -m bench.load [--runs 500 --streams 100]` prints, for both, runs, errors, throughput
(completed runs / time from the first create to the last completion), p50/p95/p99 of create ->
completed and the CPU each process spent per run, then the throughput ratio (target: runwright
>= 0.8 x bare).

How it is measured, and why:
- The system under test is `runwright dev` as a user runs it (tests/fixtures/dev_stack.py): the
  Temporal dev server as its child, the worker and the API in one Python process. The model is
  the scripted server answering at once (`Reply("ok", chunk_size=100)`) in a child process, so
  its threads share neither Runwright's nor the load generator's interpreter.
- Load comes from the official `openai` SDK (`max_retries=0`, so every failure is counted; one
  pooled connection per run). Threads are created before the clock starts (a thread holds one
  active run); then every run is created at once with `runs.create`. `streams` of them stream
  (`stream=True`, read to the end; completed = the client receives `thread.run.completed`).
- The others are not polled over HTTP while they run: 400 clients honouring
  `openai-poll-after-ms` (250 ms) add up to 1600 GETs/s, a load the ceiling does not carry and
  which starves the runs it polls (measured: ratio 0.18, against 0.25 without polling, before
  any optimisation). Each waits on its run's workflow result instead (id == run id; the same
  long-poll the ceiling's client uses), then retrieves the run once through the API, which must
  say `completed`. The store's `completed` row is written by the run's last activity, before
  its workflow closes, so these samples are an upper bound of create -> completed.
- Errors: any exception, or any run that does not end `completed`.
- The ceiling is `bench._bare_workflow` (three trivial activities: a single-turn run executes
  three, in_progress + generate + completed, counted from a run's history every time), all
  started at once with the Temporal client on the dev stack's own server; completed = its result
  arrives. Its worker (default options, as Runwright's) runs in a child process, because
  Runwright's worker has a process of its own too (`runwright dev`) and neither should share the
  load generator's interpreter. The ceiling goes first; the machines are shared, so compare the
  ratio, not the absolute figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import sys
import tempfile
import time
import traceback
import uuid
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import openai
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client

from bench._bare_workflow import BenchBareWorkflow
from bench._load_processes import BARE_QUEUE, child, child_pids, cpu_meter, start_stack
from bench.run_latency import percentile
from tests.fixtures.dev_stack import DevStack

ACTIVITIES_PER_RUN = 3
"""What a single-turn run executes, and so what the bare workflow executes."""

Inspect = Callable[[DevStack, Client, list[str]], Awaitable[None]]
"""Called with the stack, a Temporal client and the loaded runs' ids before the stack stops."""


@dataclass
class Samples:
    """Create -> completed of every completed run, the errors of the rest, CPU per process."""

    started: float = float("inf")
    finished: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cpu_s: dict[str, float] = field(default_factory=dict)
    ids: list[str] = field(default_factory=list)
    """The runs created (completed or not)."""

    def record(self, began: float, ended: float) -> None:
        self.started, self.finished = min(self.started, began), max(self.finished, ended)
        self.latencies.append(ended - began)

    def figures(self, prefix: str) -> dict[str, float]:
        span, done = self.finished - self.started, len(self.latencies)
        runs = done + len(self.errors)
        figures = {
            f"{prefix}_runs": float(runs),
            f"{prefix}_errors": float(len(self.errors)),
            f"{prefix}_runs_per_s": done / span if span > 0 else 0.0,
        }
        for q in (50, 95, 99):
            figures[f"{prefix}_p{q}_ms"] = percentile(self.latencies, q / 100) * 1000 if done else 0
        for name, seconds in self.cpu_s.items():
            figures[f"{prefix}_cpu_ms_per_run_{name}"] = seconds * 1000 / max(runs, 1)
        figures[f"{prefix}_cores_busy"] = sum(self.cpu_s.values()) / span if span > 0 else 0.0
        return figures


def describe_error(exc: BaseException, kind: str) -> str:
    where = traceback.extract_tb(exc.__traceback__)[-1]
    cause = f" <- {type(exc.__cause__).__name__}: {exc.__cause__}" if exc.__cause__ else ""
    return f"{kind}: {type(exc).__name__}: {exc}{cause}"[:300] + f" ({where.name}:{where.lineno})"


async def measured(samples: Samples, kind: str, run: Callable[[], Awaitable[float]]) -> None:
    """Record one run's create -> completed, or its failure as an error."""
    began = time.perf_counter()
    try:
        samples.record(began, await run())
    except Exception as exc:  # every failure is a counted error, not an abort
        samples.errors.append(describe_error(exc, kind))


@contextlib.asynccontextmanager
async def sdk(base_url: str, connections: int) -> AsyncIterator[openai.AsyncOpenAI]:
    # Idle connections expire before uvicorn's 5 s keep-alive does: reusing one the server is
    # closing at that very moment is a connection error nobody would retry here.
    limits = httpx2.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=2
    )
    client = openai.AsyncOpenAI(
        base_url=f"{base_url}/v1",
        api_key="bench",
        max_retries=0,
        timeout=600,
        http_client=openai.DefaultAsyncHttpxClient(limits=limits),
    )
    async with client:
        yield client


@dataclass
class Runwright:
    client: openai.AsyncOpenAI
    temporal: Client
    assistant_id: str

    async def threads(self, count: int) -> list[str]:
        gate = asyncio.Semaphore(32)

        async def one() -> str:
            async with gate:
                thread = await self.client.beta.threads.create(
                    messages=[{"role": "user", "content": "hi"}]
                )
                return thread.id

        return list(await asyncio.gather(*(one() for _ in range(count))))

    async def streamed(self, ids: list[str], thread_id: str) -> float:
        """A streamed run, read to the end; when `thread.run.completed` arrived."""
        completed_at = None
        stream = await self.client.beta.threads.runs.create(
            thread_id=thread_id, assistant_id=self.assistant_id, stream=True
        )
        async for event in stream:
            if event.event == "thread.run.created":
                ids.append(event.data.id)
            elif event.event == "thread.run.completed":
                completed_at = time.perf_counter()
        if completed_at is None:
            raise RuntimeError("the stream ended without thread.run.completed")
        return completed_at

    async def awaited(self, ids: list[str], thread_id: str) -> float:
        """A run whose workflow result is awaited, then read back; when the workflow closed."""
        runs = self.client.beta.threads.runs
        run = await runs.create(thread_id=thread_id, assistant_id=self.assistant_id)
        ids.append(run.id)
        await self.temporal.get_workflow_handle(run.id).result()
        closed = time.perf_counter()
        run = await runs.retrieve(run.id, thread_id=thread_id)
        if run.status != "completed":
            raise RuntimeError(f"the run ended {run.status}")
        return closed

    async def load(self, threads: list[str], streams: int) -> Samples:
        samples = Samples()

        async def one(index: int, thread_id: str) -> None:
            kind, how = ("stream", self.streamed) if index < streams else ("run", self.awaited)
            await measured(samples, kind, functools.partial(how, samples.ids, thread_id))

        await asyncio.gather(*(one(i, t) for i, t in enumerate(threads)))
        return samples

    async def activities_per_run(self, thread_id: str) -> int:
        run = await self.client.beta.threads.runs.create_and_poll(
            thread_id=thread_id, assistant_id=self.assistant_id
        )
        history = await self.temporal.get_workflow_handle(run.id).fetch_history()
        scheduled = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        return sum(1 for event in history.events if event.event_type == scheduled)


async def load_bare(temporal: Client, runs: int) -> Samples:
    async def one() -> float:
        await temporal.execute_workflow(
            BenchBareWorkflow.run, id=f"bare-{uuid.uuid4().hex}", task_queue=BARE_QUEUE
        )
        return time.perf_counter()

    samples = Samples()
    await asyncio.gather(*(measured(samples, "bare", one) for _ in range(runs)))
    return samples


async def main(
    runs: int = 500, streams: int = 100, *, inspect: Inspect | None = None
) -> dict[str, float]:
    """Both loads against one `runwright dev`; figures keyed `runwright_*`, `bare_*`, `ratio`."""
    with tempfile.TemporaryDirectory() as tmp, child(Path(tmp), "--serve-model") as model:
        stack = start_stack(Path(tmp), model.line)
        try:
            address = f"127.0.0.1:{stack.temporal_port}"
            temporal = await Client.connect(address)
            with child(Path(tmp), "--bare-worker", address) as bare_worker:
                pids = {
                    "runwright_dev": stack.process.pid,
                    "temporal": child_pids(stack.process.pid)[0],
                    "model": model.process.pid,
                    "bare_worker": bare_worker.process.pid,
                }
                ours, bare = await _measure(stack.url, temporal, runs, streams, pids)
            if inspect is not None:
                await inspect(stack, temporal, ours.ids)
        finally:
            stack.stop()
    figures = ours.figures("runwright") | bare.figures("bare")
    figures["ratio"] = figures["runwright_runs_per_s"] / max(figures["bare_runs_per_s"], 1e-9)
    figures["ratio_bound"] = ratio_bound(figures)
    report(figures, ours.errors + bare.errors, streams)
    return figures


async def _measure(
    url: str, temporal: Client, runs: int, streams: int, pids: dict[str, int]
) -> tuple[Samples, Samples]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the SDK's Assistants deprecation
        async with sdk(url, runs + 50) as client:
            assistant = await client.beta.assistants.create(model="gpt-4o-mini")
            ours = Runwright(client, temporal, assistant.id)
            warm = await ours.threads(5)
            if (count := await ours.activities_per_run(warm[0])) != ACTIVITIES_PER_RUN:
                raise RuntimeError(f"a single-turn run executes {count} activities, not 3")
            await ours.load(warm[1:], 2)
            await load_bare(temporal, 5)
            threads = await ours.threads(runs)
            with cpu_meter(pids) as bare_cpu:
                bare = await load_bare(temporal, runs)
            with cpu_meter(pids) as our_cpu:
                loaded = await ours.load(threads, streams)
    bare.cpu_s, loaded.cpu_s = bare_cpu, our_cpu
    return loaded, bare


def ratio_bound(figures: dict[str, float]) -> float:
    """The ratio a Runwright whose own work cost no CPU would reach, both loads being CPU-bound.

    Such a run would still cost what the ceiling's workflow costs the Temporal server and a
    worker, plus what the load generator's `openai` client and the model server spend per run
    (the ceiling's client is a Temporal client instead). Everything Runwright itself does (the
    HTTP API, the store, the model call, SSE) must fit in the gap between this and the target.
    """
    cpu = "cpu_ms_per_run"
    ceiling = sum(v for k, v in figures.items() if k.startswith(f"bare_{cpu}_"))
    floor = (
        figures.get(f"bare_{cpu}_temporal", 0.0)
        + figures.get(f"bare_{cpu}_bare_worker", 0.0)
        + figures.get(f"runwright_{cpu}_client", 0.0)
        + figures.get(f"runwright_{cpu}_model", 0.0)
    )
    return ceiling / floor if floor > 0 else 0.0


def report(figures: dict[str, float], errors: list[str], streams: int) -> None:
    head = "| workflow | runs | streams | errors | runs/s | p50 ms | p95 ms | p99 ms | CPU ms/run |"
    print(f"\n{head}\n|{' --- |' * 9}")
    for name, streamed in (("runwright", streams), ("bare", 0)):
        f = {k.removeprefix(f"{name}_"): v for k, v in figures.items() if k.startswith(name)}
        cpu = ", ".join(
            f"{k.removeprefix('cpu_ms_per_run_')} {v:.0f}"
            for k, v in f.items()
            if k.startswith("cpu_ms_per_run_") and v >= 0.5
        )
        print(
            f"| {name} | {f['runs']:.0f} | {streamed} | {f['errors']:.0f} | {f['runs_per_s']:.1f} "
            f"| {f['p50_ms']:.0f} | {f['p95_ms']:.0f} | {f['p99_ms']:.0f} | {cpu} |"
        )
    print(f"throughput ratio runwright / bare: {figures['ratio']:.2f} (target >= 0.8)")
    print(
        f"cores busy: runwright {figures['runwright_cores_busy']:.2f}, bare "
        f"{figures['bare_cores_busy']:.2f} of {os.cpu_count()}; the ratio if Runwright's own "
        f"work cost no CPU: {figures['ratio_bound']:.2f}"
    )
    for error in sorted(set(errors))[:10]:
        print(f"error ({errors.count(error)}x): {error}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--streams", type=int, default=100)
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.streams))
    sys.stdout.flush()
    os._exit(0)  # the Temporal client can crash at interpreter exit (sdk-python#300)
