"""HTTP API figures, each against a baseline measured in the same run:

- requests/s of run retrieval and message listing, against a bare FastAPI route returning the
  same body on the same uvicorn setup (the ceiling of the HTTP stack itself);
- time from the model's first token to the client's first `thread.message.delta` through
  Runwright, against the same model streaming straight to the SDK.

`python -m bench.api_latency` prints both. Load comes from this process's event loop, as does the
server's work, for API and baseline alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import openai
import uvicorn
from fastapi import FastAPI
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from bench.run_latency import percentile
from core.dev_server import free_port
from core.store import open_store
from core.temporal_client import bundled_binary
from tests.fakes.model_server import Reply, ScriptedModelServer
from tests.workflows.harness import FAST_LIMITS, run_stack, stack_settings
from workflows import search_attributes

CONCURRENCY = 16


class _Server(uvicorn.Server):
    def capture_signals(self) -> contextlib.nullcontext[None]:
        return contextlib.nullcontext()


@contextlib.asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[str]:
    port = free_port()
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn exposes a flag, not an event)
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def requests_per_second(url: str, total: int, headers: dict[str, str]) -> float:
    async with httpx.AsyncClient(headers=headers, timeout=30) as http:
        remaining = iter(range(total))

        async def worker() -> None:
            for _ in remaining:
                response = await http.get(url)
                assert response.status_code == 200, response.text

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        return total / (time.perf_counter() - started)


def baseline_app(body: dict[str, Any]) -> FastAPI:
    app = FastAPI()

    @app.get("/constant")
    async def constant() -> dict[str, Any]:
        return body

    return app


async def first_delta_through_runwright(
    client: openai.AsyncOpenAI, model: ScriptedModelServer, assistant_id: str
) -> float:
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    model.reset()
    model.script(Reply("first token then more", chunk_size=5))
    async with client.beta.threads.runs.stream(
        thread_id=thread.id, assistant_id=assistant_id
    ) as stream:
        async for event in stream:
            if event.event == "thread.message.delta":
                elapsed = time.time() - model.requests[-1].time
                await stream.until_done()  # read to the end: no half-closed stream left behind
                return elapsed
    raise RuntimeError("no delta arrived")


async def first_chunk_direct(model: ScriptedModelServer) -> float:
    model.reset()
    model.script(Reply("first token then more", chunk_size=5))
    async with openai.AsyncOpenAI(base_url=model.base_url, api_key="k", max_retries=0) as direct:
        stream = await direct.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "hi"}], stream=True
        )
        elapsed: float | None = None
        async for chunk in stream:
            if elapsed is None and chunk.choices and chunk.choices[0].delta.content:
                elapsed = time.time() - model.requests[-1].time
    if elapsed is None:
        raise RuntimeError("no chunk arrived")
    return elapsed


async def main(total: int = 2000, streams: int = 20) -> dict[str, float]:
    env = await WorkflowEnvironment.start_local(
        data_converter=pydantic_data_converter,
        dev_server_existing_path=str(bundled_binary("temporal")),
        search_attributes=search_attributes.ALL,
    )
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, ScriptedModelServer() as model:
        store = await open_store(f"sqlite+aiosqlite:///{tmp}/api.db", blob_dir=Path(tmp))
        settings = stack_settings(Path(tmp), f"bench-api-{uuid.uuid4().hex[:8]}")
        async with run_stack(env.client, store, model, settings) as _:
            app = create_app(settings, store=store, client=env.client, limits=FAST_LIMITS)
            async with serve(app) as base:
                results |= await _throughput(base, model, total)
                results |= await _first_delta(base, model, streams)
        await store.close()
    await env.shutdown()
    return results


async def _throughput(base: str, model: ScriptedModelServer, total: int) -> dict[str, float]:
    client = openai.AsyncOpenAI(base_url=f"{base}/v1", api_key="k", max_retries=0)
    assistant = await client.beta.assistants.create(model="gpt-4o")
    thread = await client.beta.threads.create(
        messages=[{"role": "user", "content": f"message {i}"} for i in range(20)]
    )
    model.script(Reply("done"))
    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=20
    )
    headers = {"authorization": "Bearer k", "openai-beta": "assistants=v2"}
    run_url = f"{base}/v1/threads/{thread.id}/runs/{run.id}"
    list_url = f"{base}/v1/threads/{thread.id}/messages"
    run_rps = await requests_per_second(run_url, total, headers)
    list_rps = await requests_per_second(list_url, total, headers)
    async with serve(baseline_app(run.model_dump(mode="json"))) as bare:
        bare_rps = await requests_per_second(f"{bare}/constant", total, headers)
    await client.close()
    ratios = f"{run_rps / bare_rps:.2f} / {list_rps / bare_rps:.2f}"
    print(
        f"requests/s: run retrieval {run_rps:.0f}, message list {list_rps:.0f}, "
        f"bare route {bare_rps:.0f}; ratios {ratios}"
    )
    return {"run_rps": run_rps, "list_rps": list_rps, "bare_rps": bare_rps}


async def _first_delta(base: str, model: ScriptedModelServer, streams: int) -> dict[str, float]:
    client = openai.AsyncOpenAI(base_url=f"{base}/v1", api_key="k", max_retries=0)
    assistant = await client.beta.assistants.create(model="gpt-4o")
    ours = [
        await first_delta_through_runwright(client, model, assistant.id) for _ in range(streams)
    ]
    direct = [await first_chunk_direct(model) for _ in range(streams)]
    await client.close()
    ours_p50, direct_p50 = statistics.median(ours) * 1000, statistics.median(direct) * 1000
    print(
        f"model first token -> client: through Runwright p50 {ours_p50:.1f} ms "
        f"(p95 {percentile(ours, 0.95) * 1000:.1f}), direct p50 {direct_p50:.1f} ms "
        f"(p95 {percentile(direct, 0.95) * 1000:.1f})"
    )
    return {"first_delta_p50_ms": ours_p50, "direct_first_chunk_p50_ms": direct_p50}


if __name__ == "__main__":
    asyncio.run(main())
