"""The worker process SIGKILLed at each point of kill_points.py: every run still ends correctly,
with no duplicate and no loss, and every ingested file ends with exactly a clean ingest's chunks.

Each point's runs go through a crash worker (crash_worker.py) that dies exactly there, once;
its supervisor starts another, Temporal retries the lost activity once its timeout passes, and
the run is audited (audit.py). Points run in parallel lanes (kill_lane.py) that share nothing,
so one point's kill never touches another's run.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from temporalio.testing import WorkflowEnvironment

from core.runs_client import RunsClient
from core.store import open_store
from tests.fakes.model_server import ScriptedModelServer
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.reliability.audit import RunAudit
from tests.reliability.crash_plan import PLAN_ENV, CrashPlan
from tests.reliability.crash_tools import TOOL_LOG_ENV
from tests.reliability.kill_ingest import (
    BIG_DOC,
    SMALL_DOC,
    audit_ingest,
    clean_chunk_count,
    ingest,
    new_file,
)
from tests.reliability.kill_lane import Lane, Zygote
from tests.reliability.kill_points import POINTS, KillPoint
from tests.reliability.kill_runs import (
    LIMITS,
    SEARCH_DOC,
    answer_requires_action,
    assistant_fields,
    expectations,
    finish_and_audit,
    respond,
    stale_delta_chars,
)
from tests.reliability.kill_webhook import audit_webhooks, start_with_webhooks
from tests.reliability.ledger import LEDGER, runs_per_fault
from tests.workflows.harness import RunStack, stack_settings

LANES = 5
RUNS = runs_per_fault(short=1, full=5)


@dataclass
class PointResult:
    point: KillPoint
    audits: list[RunAudit] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    """Planned crashes that never happened (the point was not reached)."""
    error: BaseException | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


async def _one_run(
    lane: Lane, point: KillPoint, point_id: str, result: PointResult, receiver: WebhookReceiver
) -> RunAudit:
    if point.scenario in ("ingest", "ingest_big"):
        return await _ingest_run(lane, point, point_id)
    return await _chat_run(lane, point, point_id, result, receiver)


async def _ingest_run(lane: Lane, point: KillPoint, point_id: str) -> RunAudit:
    text = BIG_DOC if point.scenario == "ingest_big" else SMALL_DOC
    store_id, file_id = await new_file(lane.stack, "kestrel.txt", text)
    _plan(lane, point, point_id, file_id)
    await ingest(lane.stack, store_id, file_id)
    expected = clean_chunk_count("kestrel.txt", text)
    return await audit_ingest(lane.stack, store_id, file_id, expected)


async def _chat_run(
    lane: Lane, point: KillPoint, point_id: str, result: PointResult, receiver: WebhookReceiver
) -> RunAudit:
    stack, scenario = lane.stack, point.scenario
    search_store = search_file = None
    if scenario == "search":
        search_store, search_file = await new_file(stack, "kestrel.txt", SEARCH_DOC)
        await ingest(stack, search_store, search_file)
    key = uuid.uuid4().hex[:12]
    assistant = await stack.assistant(**assistant_fields(scenario, search_store))
    thread = await stack.thread(f"scenario:{scenario} key:{key}")
    if scenario == "webhook":
        run = await start_with_webhooks(lane, receiver.url, assistant.id, thread.id, LIMITS)
        # Deliveries name the run, not the thread; the first comes after two activities and a
        # model call, long after this.
        _plan(lane, point, point_id, run.id)
    else:
        _plan(lane, point, point_id, thread.id)
        run = await stack.start(assistant, thread)
    if scenario in ("client", "client_wait"):
        await answer_requires_action(lane, run, key, scenario == "client_wait")
    audit = await finish_and_audit(lane, run, expectations(scenario, key, search_file), key)
    if stale := await stale_delta_chars(lane, run):
        result.notes.append(f"stream replayed {stale} chars of a killed attempt's deltas")
    if scenario == "webhook":
        deliveries = await audit_webhooks(lane, receiver, run, audit)
        result.notes.append(f"completed webhook delivered {deliveries}x under one id")
    return audit


def _plan(lane: Lane, point: KillPoint, point_id: str, scope: str) -> None:
    crash = point.crash_point(point_id, scope)
    if crash is not None:
        lane.plan.add(crash)


async def _run_point(
    lane: Lane, point: KillPoint, index: int, receiver: WebhookReceiver
) -> PointResult:
    result = PointResult(point)
    started = time.monotonic()
    try:
        for run in range(RUNS):
            point_id = f"p{index:02d}-r{run}"
            result.audits.append(await _one_run(lane, point, point_id, result, receiver))
            if point.activity is not None and lane.plan.fired(point_id) is None:
                result.missed.append(point_id)
    except Exception as exc:  # reported by the point's own test
        result.error = exc
    result.seconds = time.monotonic() - started
    return result


async def _run_lane(
    lane: Lane, points: list[tuple[int, KillPoint]], receiver: WebhookReceiver
) -> list[PointResult]:
    return [await _run_point(lane, point, index, receiver) for index, point in points]


def _worker_env(
    temporal: WorkflowEnvironment, model: ScriptedModelServer, lane_dir: Path, task_queue: str,
    webhook_url: str,
) -> dict[str, str]:  # fmt: skip
    return {
        # Only runs started with webhooks on (the webhook points') notify it.
        "RUNWRIGHT_WEBHOOK_URL": webhook_url,
        "TEMPORAL_ADDRESS": temporal.client.service_client.config.target_host,
        "RUNWRIGHT_DATABASE_URL": f"sqlite+aiosqlite:///{lane_dir / 'kill.db'}",
        "RUNWRIGHT_DATA_DIR": str(lane_dir),
        "RUNWRIGHT_MODEL_BASE_URL": model.base_url,
        "RUNWRIGHT_MODEL_API_KEY": "test-key",
        "RUNWRIGHT_EMBEDDING_MODEL": "text-embedding-3-small",
        "RUNWRIGHT_TASK_QUEUE": task_queue,
        "RUNWRIGHT_TOOLS_MODULE": "tests.reliability.crash_tools",
        TOOL_LOG_ENV: str(lane_dir / "tool-calls.log"),
        PLAN_ENV: str(lane_dir / "plan"),
        "RUNWRIGHT_LOG_FORMAT": "json",
    }


async def _open_lane(
    name: str, root: Path, zygote: Zygote, temporal: WorkflowEnvironment,
    model: ScriptedModelServer, webhook_url: str,
) -> Lane:  # fmt: skip
    lane_dir = root / name
    lane_dir.mkdir()
    task_queue = f"kill-{name}-{uuid.uuid4().hex[:8]}"
    env = _worker_env(temporal, model, lane_dir, task_queue, webhook_url)
    settings = stack_settings(lane_dir, task_queue)
    store = await open_store(env["RUNWRIGHT_DATABASE_URL"], blob_dir=settings.blob_dir)
    runs = RunsClient(store, temporal.client, settings, LIMITS)
    stack = RunStack(store, temporal.client, runs, model, settings)
    lane = Lane(name, stack, CrashPlan(lane_dir / "plan"), zygote, env,
                lane_dir / "worker.log", lane_dir / "tool-calls.log")  # fmt: skip
    return lane


@pytest.fixture(scope="module")
async def kill_results(
    temporal_env: WorkflowEnvironment,
    model_server_session: ScriptedModelServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[dict[str, PointResult]]:
    """Every point's runs, killed and audited; lanes run side by side."""
    root = tmp_path_factory.mktemp("worker-kill")
    model = model_server_session
    model.reset()
    model.responder = respond
    lanes: list[Lane] = []
    began = time.monotonic()
    zygote = Zygote(dict(os.environ), root / "zygote.log")
    try:
        with WebhookReceiver() as receiver:
            # Stores one at a time (alembic's migration context is process-global), all while
            # the fork server imports; then every lane's workers.
            for i in range(LANES):
                lanes.append(
                    await _open_lane(f"lane{i}", root, zygote, temporal_env, model, receiver.url)
                )
            await asyncio.gather(*(lane.start() for lane in lanes))
            print(f"\n{LANES} lanes of crash workers ready in {time.monotonic() - began:.1f} s")
            yield await _run_lanes(lanes, receiver)
    finally:
        for lane in lanes:
            await lane.stop()
            await lane.stack.store.close()
        zygote.close()
        model.reset()


async def _run_lanes(lanes: list[Lane], receiver: WebhookReceiver) -> dict[str, PointResult]:
    """Deal the points out to the lanes round-robin and run the lanes side by side."""
    started = time.monotonic()
    dealt = [list(enumerate(POINTS))[n :: len(lanes)] for n in range(len(lanes))]
    runs = (_run_lane(lane, points, receiver) for lane, points in zip(lanes, dealt, strict=True))
    done = {r.point.name: r for lane_results in await asyncio.gather(*runs) for r in lane_results}
    results = {point.name: done[point.name] for point in POINTS}
    _print_table(results, time.monotonic() - started, sum(lane.restarts for lane in lanes))
    return results


def _print_table(results: dict[str, PointResult], seconds: float, restarts: int) -> None:
    print(f"\nworker SIGKILL points: {len(results)}, {seconds:.1f} s, {restarts} restarts")
    print(f"{'point':<52} {'runs':>4} {'correct':>7} {'dup':>4} {'loss':>4} {'secs':>5}")
    for result in results.values():
        audits, notes = result.audits, Counter(result.notes)
        print(
            f"{result.point.name:<52} {len(audits):>4} {sum(a.correct for a in audits):>7} "
            f"{sum(a.duplicates for a in audits):>4} {sum(a.losses for a in audits):>4} "
            f"{result.seconds:>5.1f}"
            + (f"  ERROR {result.error!r}" if result.error else "")
            + (f"  NOT FIRED {result.missed}" if result.missed else "")
            + "".join(f"  ({note}, {n} of {len(audits)} runs)" for note, n in notes.items())
        )


@pytest.mark.parametrize("point", POINTS, ids=[p.name for p in POINTS])
def test_worker_killed_at(point: KillPoint, kill_results: dict[str, PointResult]) -> None:
    """Killed there, the worker's successor finishes the run with nothing doubled or lost."""
    result = kill_results[point.name]
    LEDGER.record(f"worker SIGKILL: {point.name}", result.audits)
    if result.error is not None:
        raise result.error
    assert not result.missed, f"the worker never reached the point in {result.missed}"
    assert len(result.audits) == RUNS
    problems = {a.run_id: a.problems for a in result.audits if not a.correct}
    assert not problems, problems
