"""`runwright dev` as a user runs it: a real process tree on loopback ports.

Health answers (the time it took is printed), a run completes on the offline demo model,
metrics are served, and SIGTERM shuts everything down (Temporal included) with exit code 0.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from core.dev_server import port_is_open
from core.objects.message_content import TextContentBlock
from core.runs_client import RunsClient
from core.settings import Settings
from core.store import open_store
from core.temporal_client import connect_temporal
from tests.fixtures.dev_stack import DevStack, start_dev_stack
from tests.workflows.harness import RunStack

pytestmark = pytest.mark.e2e


@pytest.fixture
def dev_stack(tmp_path: Path) -> Iterator[DevStack]:
    stack = start_dev_stack(tmp_path)
    yield stack
    stack.stop()


def test_health_metrics_and_clean_sigterm(dev_stack: DevStack) -> None:
    print(f"healthy after {dev_stack.healthy_after_s:.2f} s")
    # No RUNWRIGHT_API_KEYS: start-up says any key is accepted for the project `default`.
    assert '"event": "auth_open"' in dev_stack.log.read_text()
    any_key = httpx.get(
        f"{dev_stack.url}/v1/assistants", headers={"Authorization": "Bearer whatever"}
    )
    assert any_key.status_code == 200 and any_key.json()["object"] == "list"
    health = httpx.get(f"{dev_stack.url}/health").json()
    assert health == {"status": "ok", "store": "ok", "temporal": "ok"}
    api_metrics = httpx.get(f"{dev_stack.url}/metrics")
    assert api_metrics.status_code == 200 and "process_cpu_seconds_total" in api_metrics.text
    worker_metrics = httpx.get(f"http://127.0.0.1:{dev_stack.metrics_port}/metrics").text
    assert "temporal_num_pollers" in worker_metrics
    unknown = httpx.get(f"{dev_stack.url}/v1/nope")
    assert unknown.status_code == 404
    assert unknown.json()["error"]["type"] == "invalid_request_error"
    assert unknown.headers["x-request-id"]

    dev_stack.process.send_signal(signal.SIGTERM)
    assert dev_stack.process.wait(60) == 0
    assert not port_is_open("127.0.0.1", dev_stack.temporal_port)
    assert not port_is_open("127.0.0.1", dev_stack.api_port)
    assert '"event": "dev_stopped"' in dev_stack.log.read_text()


async def test_a_run_completes_on_the_demo_model(dev_stack: DevStack) -> None:
    """The README's promise: a fresh `runwright dev` completes a run with no model configured."""
    settings = Settings(
        data_dir=dev_stack.data_dir, temporal_address=f"127.0.0.1:{dev_stack.temporal_port}"
    )
    store = await open_store(settings.resolved_database_url, blob_dir=settings.blob_dir)
    client = await connect_temporal(settings)
    try:
        stack = RunStack(store, client, RunsClient(store, client, settings), None, settings)  # type: ignore[arg-type]
        thread = await stack.thread("Hello, Runwright!")
        done = await stack.wait(await stack.start(await stack.assistant(), thread))
        assert done.status == "completed"
        reply = (await stack.messages(thread))[-1].content[0]
        assert isinstance(reply, TextContentBlock)
        assert reply.text.value.startswith("[offline demo model]")
        assert "Hello, Runwright!" in reply.text.value
    finally:
        await store.close()


def test_make_demo_walks_the_lifecycle(dev_stack: DevStack) -> None:
    """`runwright demo` against `runwright dev`: requires_action, outputs, completion."""
    result = subprocess.run(
        [sys.executable, "-m", "cli", "demo", "--base-url", f"{dev_stack.url}/v1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "event: thread.run.requires_action" in out
    assert "requires_action: ['get_weather']" in out
    assert "event: thread.run.completed" in out
    assert ": completed, usage" in out
    assert "assistant: [offline demo model]" in out
    assert "tool_calls completed" in out and "message_creation completed" in out
