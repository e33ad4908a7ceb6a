"""The API's `/metrics` (HTTP, SSE and store gauges) and its canonical request log line, on a
real loopback server with a real worker, store and Temporal.

HTTP and SSE series live in the process-wide registry, so tests read how far they moved; the
store gauges are read from this test's own store, so their values are absolute.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import structlog
from temporalio.testing import WorkflowEnvironment

from core.observability.metrics import ALL_STATUSES
from core.store import Store
from tests.api.conftest import ApiServer, in_process
from tests.api.test_runs import WEATHER_TOOL, seed_assistant, seed_thread
from tests.fakes.model_server import Reply, ScriptedModelServer, ToolCall, ToolCalls
from tests.fixtures.metrics import Scrape, scrape
from tests.store import factories as f

HTTP = "runwright_http_requests_total"


@pytest.fixture
async def api(
    temporal_env: WorkflowEnvironment,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
) -> AsyncIterator[ApiServer]:
    """An in-process API whose runs expire 60 s after creation (within the 120 s window of
    `runwright_requires_action_expiring_runs`)."""
    async with in_process(
        temporal_env, sqlite_store, model_server, tmp_path, task_queue,
        run_expires_after_seconds=60,
    ) as served:  # fmt: skip
        yield served


def metrics_url(api: ApiServer) -> str:
    return api.base_url.removesuffix("/v1") + "/metrics"


def http(api: ApiServer) -> httpx.AsyncClient:
    headers = {"authorization": f"Bearer {api.key_a}"}
    return httpx.AsyncClient(base_url=api.base_url.removesuffix("/v1"), headers=headers)


def moved(before: Scrape, after: Scrape, name: str, **labels: str) -> float:
    return after.value(name, **labels) - before.value(name, **labels)


async def test_requests_are_counted_by_route_template_method_and_status(api: ApiServer) -> None:
    """Routes are templates, unknown paths `unmatched` and odd methods `other`: closed sets."""
    thread = await seed_thread(api)
    before = await scrape(metrics_url(api))
    async with http(api) as client:
        assert (await client.get(f"/v1/threads/{thread.id}")).status_code == 200
        assert (await client.get("/v1/threads/thread_missing")).status_code == 404
        assert (await client.post("/v1/threads", json={})).status_code == 200
        assert (await client.get("/v1/no/such/path/here")).status_code == 404
        brew = await client.request("PROPFIND", f"/v1/threads/{thread.id}")
    after = await scrape(metrics_url(api))

    one = "/v1/threads/{thread_id}"
    assert moved(before, after, HTTP, route=one, method="GET", status="200") == 1
    assert moved(before, after, HTTP, route=one, method="GET", status="404") == 1
    assert moved(before, after, HTTP, route="/v1/threads", method="POST", status="200") == 1
    assert moved(before, after, HTTP, route="unmatched", method="GET", status="404") == 1
    assert moved(before, after, HTTP, route=one, method="other", status=str(brew.status_code)) == 1
    duration = "runwright_http_request_duration_seconds_count"
    assert moved(before, after, duration, route=one, method="GET") == 2
    routes = {s.labels["route"] for s in after.series(HTTP)}
    assert not [route for route in routes if re.search(r"thread_[0-9a-f]|/no/such", route)]


async def test_one_request_line_with_ids_and_no_bodies(api: ApiServer) -> None:
    secret = "my secret question about the lighthouse"
    api.model.script(Reply("An answer."))
    assistant = await seed_assistant(api)
    thread = await seed_thread(api)
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        async with http(api) as client:
            posted = await client.post(
                f"/v1/threads/{thread.id}/messages", json={"role": "user", "content": secret}
            )
            run = await client.post(
                f"/v1/threads/{thread.id}/runs",
                json={"assistant_id": assistant.id},
                headers={"x-request-id": "req_given"},
            )
            run_id = run.json()["id"]
            await client.get(f"/v1/threads/{thread.id}/runs/{run_id}")

    lines = [line for line in logs if line["event"] == "request_finished"]
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("POST", "/v1/threads/{thread_id}/messages", 200),
        ("POST", "/v1/threads/{thread_id}/runs", 200),
        ("GET", "/v1/threads/{thread_id}/runs/{run_id}", 200),
    ]
    assert lines[0]["request_id"] == posted.headers["x-request-id"]
    assert lines[1]["request_id"] == "req_given"
    assert all(line["thread_id"] == thread.id for line in lines)
    assert "run_id" not in lines[1] and lines[2]["run_id"] == run_id
    assert all(line["log_level"] == "info" and line["duration_ms"] >= 0 for line in lines)
    assert secret not in repr(logs)


async def test_store_gauges_show_every_status_and_follow_a_run(api: ApiServer) -> None:
    first = await scrape(metrics_url(api))
    assert {s.labels["status"]: s.value for s in first.series("runwright_runs")} == dict.fromkeys(
        ALL_STATUSES, 0.0
    )
    ages = first.series("runwright_oldest_active_run_age_seconds")
    assert {s.labels["status"]: s.value for s in ages} == dict.fromkeys(
        ("queued", "in_progress", "requires_action", "cancelling"), 0.0
    )
    assert first.value("runwright_requires_action_expiring_runs") == 0

    # Another project's run, stuck in progress for five minutes: every project counts.
    stuck = f.run("thread_other", status="in_progress", created_at=int(time.time()) - 300)
    await api.store.runs.upsert("proj_other", stuck)
    api.model.script(ToolCalls([ToolCall("get_weather", '{"city": "Oslo"}')]), Reply("Cold."))
    assistant = await seed_assistant(api, tools=[WEATHER_TOOL])
    thread = await seed_thread(api, "Weather?")
    run = await api.client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.status == "requires_action"

    waiting = await scrape(metrics_url(api))
    assert waiting.value("runwright_runs", status="requires_action") == 1
    assert waiting.value("runwright_runs", status="in_progress") == 1
    assert waiting.value("runwright_oldest_active_run_age_seconds", status="in_progress") >= 299
    assert waiting.value("runwright_oldest_active_run_age_seconds", status="queued") == 0
    assert waiting.value("runwright_requires_action_expiring_runs") == 1

    assert run.required_action is not None
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    await api.client.beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, poll_interval_ms=50,
        tool_outputs=[{"tool_call_id": call.id, "output": "-3 C"}],
    )  # fmt: skip

    done = await scrape(metrics_url(api))
    assert done.value("runwright_runs", status="completed") == 1
    assert done.value("runwright_runs", status="requires_action") == 0
    assert done.value("runwright_oldest_active_run_age_seconds", status="requires_action") == 0
    assert done.value("runwright_requires_action_expiring_runs") == 0


async def test_open_streams_are_gauged(api: ApiServer) -> None:
    api.model.script(Reply("one two three four five six", chunk_size=4, chunk_delay_s=0.15))
    assistant, thread = await seed_assistant(api), await seed_thread(api, "Count")
    gauge = "runwright_sse_streams_active"
    idle = (await scrape(metrics_url(api))).value(gauge)
    body = {"assistant_id": assistant.id, "stream": True}
    async with (
        http(api) as client,
        client.stream("POST", f"/v1/threads/{thread.id}/runs", json=body) as response,
    ):
        lines = response.aiter_lines()
        async for line in lines:
            if line == "event: thread.message.delta":
                break
        assert (await scrape(metrics_url(api))).value(gauge) == idle + 1
        async for _ in lines:
            pass
    assert (await scrape(metrics_url(api))).value(gauge) == idle
