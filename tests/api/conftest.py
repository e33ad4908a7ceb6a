"""The HTTP API on a real loopback port, driven by the official `openai` SDK.

uvicorn serves `create_app` in this test's event loop, sharing the store and Temporal client with
a real worker; the model upstream is the scripted server. Two projects' keys are configured.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai
import pytest
import uvicorn
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from core.dev_server import free_port
from core.store import Store, open_store
from tests.api.wire_check import WireChecker
from tests.fakes.model_server import ScriptedModelServer
from tests.fixtures.dev_stack import DevStack
from tests.workflows.harness import FAST_LIMITS, run_stack, stack_settings

KEY_A, PROJECT_A = "sk-test-a", "proj_a"
KEY_B, PROJECT_B = "sk-test-b", "proj_b"
DEV_KEY_PAIRS = 300
"""A shared `runwright dev` serves every test: each takes a fresh pair of projects from this
many configured keys, so no test sees another's objects."""


def dev_api_keys() -> str:
    """The RUNWRIGHT_API_KEYS of the shared dev stack: `sk-dev-<n>:proj_dev_<n>`."""
    return ",".join(f"sk-dev-{n}:proj_dev_{n}" for n in range(2 * DEV_KEY_PAIRS))


_next_dev_pair = itertools.count()


@dataclass
class ApiServer:
    """A running API: its URL, SDK clients for two projects, and what stands behind it."""

    base_url: str
    client: openai.AsyncOpenAI
    """Project A's client, with strict response validation (unknown fields fail)."""
    other: openai.AsyncOpenAI
    """Project B's client."""
    store: Store
    model: ScriptedModelServer
    key_a: str = KEY_A
    project_a: str = PROJECT_A
    key_b: str = KEY_B
    project_b: str = PROJECT_B

    wire: WireChecker = field(default_factory=WireChecker)
    """Checks every JSON response against the SDK's types (see wire_check.py)."""

    def sdk(self, api_key: str) -> openai.AsyncOpenAI:
        http = openai.DefaultAsyncHttpx2Client(event_hooks={"response": [self.wire]})
        return openai.AsyncOpenAI(
            base_url=self.base_url, api_key=api_key, max_retries=0,
            _strict_response_validation=True, http_client=http,
        )  # fmt: skip


class _Server(uvicorn.Server):
    def capture_signals(self):  # type: ignore[no-untyped-def]
        import contextlib

        return contextlib.nullcontext()


@pytest.fixture
def api_backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    """What serves the API: chosen by --api-target. A sync fixture, because only outside the
    event loop can it pull in the (async) fixtures of the chosen backend on demand."""
    if request.config.getoption("--api-target") == "dev":
        return {"dev": request.getfixturevalue("dev_stack_for_api")}
    names = ("temporal_env", "sqlite_store", "tmp_path", "task_queue")
    return {name: request.getfixturevalue(name) for name in names}


@pytest.fixture
async def api(
    api_backend: dict[str, Any], model_server: ScriptedModelServer
) -> AsyncIterator[ApiServer]:
    """The API under test: in-process by default, a real `runwright dev` with --api-target=dev."""
    if "dev" in api_backend:
        async with _on_dev_stack(api_backend["dev"], model_server) as served:
            yield served
    else:
        async with in_process(model_server=model_server, **api_backend) as served:
            yield served


@pytest.fixture
def local_api_backend(request: pytest.FixtureRequest) -> dict[str, Any]:
    names = ("temporal_env", "sqlite_store", "tmp_path", "task_queue")
    return {name: request.getfixturevalue(name) for name in names}


@pytest.fixture
async def local_api(
    local_api_backend: dict[str, Any], model_server: ScriptedModelServer
) -> AsyncIterator[ApiServer]:
    """Always in-process, whatever --api-target says: for tests that patch the server's
    internals (timings, fault injection), which a separate process cannot share."""
    async with in_process(model_server=model_server, **local_api_backend) as served:
        yield served


@contextlib.asynccontextmanager
async def _on_dev_stack(stack: DevStack, model: ScriptedModelServer) -> AsyncIterator[ApiServer]:
    store = await open_store(
        f"sqlite+aiosqlite:///{stack.data_dir.resolve() / 'runwright.db'}",
        blob_dir=stack.data_dir / "files",
    )
    pair = next(_next_dev_pair)
    served = ApiServer(
        f"{stack.url}/v1", None, None, store, model,  # type: ignore[arg-type]
        key_a=f"sk-dev-{2 * pair}", project_a=f"proj_dev_{2 * pair}",
        key_b=f"sk-dev-{2 * pair + 1}", project_b=f"proj_dev_{2 * pair + 1}",
    )  # fmt: skip
    async with _clients(served):
        yield served
    await store.close()


@contextlib.asynccontextmanager
async def _clients(served: ApiServer) -> AsyncIterator[ApiServer]:
    served.client = served.sdk(served.key_a)
    served.other = served.sdk(served.key_b)
    try:
        yield served
    finally:
        await served.client.close()
        await served.other.close()
    assert not served.wire.problems, "\n".join(served.wire.problems)


@contextlib.asynccontextmanager
async def in_process(
    temporal_env: WorkflowEnvironment,
    sqlite_store: Store,
    model_server: ScriptedModelServer,
    tmp_path: Path,
    task_queue: str,
    **settings_overrides: Any,
) -> AsyncIterator[ApiServer]:
    port = free_port()
    settings = stack_settings(
        tmp_path,
        task_queue,
        api_port=port,
        api_keys=f"{KEY_A}:{PROJECT_A},{KEY_B}:{PROJECT_B}",
        **settings_overrides,
    )
    async with run_stack(temporal_env.client, sqlite_store, model_server, settings) as stack:
        app = create_app(
            settings, store=sqlite_store, client=temporal_env.client, limits=FAST_LIMITS
        )
        server = _Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None))
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                await task
            await asyncio.sleep(0.01)
        base_url = f"http://127.0.0.1:{port}/v1"
        try:
            async with _clients(
                ApiServer(base_url, None, None, stack.store, model_server)  # type: ignore[arg-type]
            ) as served:
                yield served
        finally:
            server.should_exit = True
            await task
