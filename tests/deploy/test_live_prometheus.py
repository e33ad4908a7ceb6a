"""A real Prometheus scrapes a real worker and API, started as the image starts them
(`runwright worker`, `runwright api`, against a Temporal dev server), evaluates alerts.yml, and
answers a Runwright metric back through its HTTP API after one run completes.

The scrape configuration is deploy/prometheus/prometheus.yml itself, with its DNS discovery
swapped for the loopback ports and a 1 s interval, so job names and rule files are the real ones.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
import yaml

from core.dev_server import TemporalDevServer, free_port, port_is_open
from tests.deploy._support import DEPLOY, PROMETHEUS_DIR, binary, load_yaml

pytestmark = pytest.mark.e2e

# Queried back through Prometheus once a run has completed: one series from each target.
WORKER_METRIC = 'runwright_runs_finished_total{job="runwright-worker", status="completed"}'
API_METRIC = 'runwright_runs{job="runwright-api", status="completed"}'
SDK_METRIC = (
    'temporal_workflow_completed_total{job="runwright-worker", workflow_type="RunWorkflow"}'
)


@dataclass
class Processes:
    """Child processes in their own sessions, stopped in reverse order."""

    logs: Path
    started: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
        with (self.logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=DEPLOY.parent,
                start_new_session=True,
            )
        self.started.append((name, process))

    def check_alive(self) -> None:
        for name, process in self.started:
            if process.poll() is not None:
                pytest.fail(f"{name} exited with {process.returncode}:\n{self.tail(name)}")

    def tail(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        for _name, process in reversed(self.started):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@dataclass
class Stack:
    api_port: int
    metrics_port: int
    prometheus_port: int
    processes: Processes

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def prometheus(self) -> str:
        return f"http://127.0.0.1:{self.prometheus_port}"


def _wait(what: str, ready: Callable[[], bool], processes: Processes, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        processes.check_alive()
        try:
            if ready():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    logs = "\n".join(f"--- {name}\n{processes.tail(name)}" for name, _ in processes.started)
    pytest.fail(f"{what} not ready within {timeout_s} s\n{logs}")


def _answers(url: str) -> bool:
    return httpx.get(url, timeout=1).status_code == 200


def _runwright_env(
    data_dir: Path, temporal_port: int, api_port: int, metrics_port: int
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNWRIGHT_", "TEMPORAL_"))}
    env.update(
        {
            "RUNWRIGHT_DATA_DIR": str(data_dir),
            "TEMPORAL_ADDRESS": f"127.0.0.1:{temporal_port}",
            "RUNWRIGHT_API_PORT": str(api_port),
            "RUNWRIGHT_WORKER_METRICS_PORT": str(metrics_port),
            "RUNWRIGHT_LOG_FORMAT": "json",
        }
    )
    return env


def _prometheus_config(api_port: int, metrics_port: int) -> dict[str, Any]:
    """deploy/prometheus/prometheus.yml with loopback targets and a 1 s cadence."""
    config: dict[str, Any] = load_yaml(PROMETHEUS_DIR / "prometheus.yml")
    targets = {"runwright-api": api_port, "runwright-worker": metrics_port}
    jobs = []
    for job in config["scrape_configs"]:
        if job["job_name"] in targets:
            job.pop("dns_sd_configs")
            job["static_configs"] = [{"targets": [f"127.0.0.1:{targets[job['job_name']]}"]}]
            jobs.append(job)
    assert {job["job_name"] for job in jobs} == set(targets)
    config["scrape_configs"] = jobs
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s"}
    config["rule_files"] = [str(PROMETHEUS_DIR / "alerts.yml")]
    return config


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    processes = Processes(tmp_path)
    temporal_port, api_port, metrics_port, prometheus_port = (free_port() for _ in range(4))
    temporal = TemporalDevServer(tmp_path / "temporal", port=temporal_port, ui_port=free_port())
    (tmp_path / "temporal").mkdir()
    try:
        processes.spawn("temporal", temporal.command())
        _wait("temporal", lambda: port_is_open("127.0.0.1", temporal_port), processes, 15)
        env = _runwright_env(tmp_path / "data", temporal_port, api_port, metrics_port)
        processes.spawn("worker", [sys.executable, "-m", "cli", "worker"], env)
        processes.spawn("api", [sys.executable, "-m", "cli", "api"], env)
        config = tmp_path / "prometheus.yml"
        config.write_text(yaml.safe_dump(_prometheus_config(api_port, metrics_port)))
        processes.spawn(
            "prometheus",
            [
                binary("prometheus"),
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
            ],
        )
        result = Stack(api_port, metrics_port, prometheus_port, processes)
        _wait("api", lambda: _answers(f"{result.api}/health"), processes, 20)
        worker_metrics = f"http://127.0.0.1:{metrics_port}/metrics"
        _wait("worker", lambda: _answers(worker_metrics), processes, 20)
        _wait("prometheus", lambda: _answers(f"{result.prometheus}/-/ready"), processes, 10)
        yield result
    finally:
        processes.stop()


def _query(stack: Stack, promql: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{stack.prometheus}/api/v1/query", params={"query": promql}, timeout=5)
    body = response.json()
    assert body["status"] == "success", body
    return body["data"]["result"]


def _value(stack: Stack, promql: str) -> float | None:
    result = _query(stack, promql)
    return sum(float(series["value"][1]) for series in result) if result else None


def test_prometheus_scrapes_worker_and_api_and_answers_a_runwright_metric(stack: Stack) -> None:
    started = time.monotonic()
    client = openai.OpenAI(base_url=f"{stack.api}/v1", api_key="any", max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o", instructions="Be brief.")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])
    run = client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=100, timeout=20
    )
    assert run.status == "completed"

    # Each query must answer at least this much: both targets up, the completed run counted by
    # the worker (Runwright's and the SDK's counter) and by the API's store gauge.
    wanted = {
        'up{job="runwright-api"}': 1.0,
        'up{job="runwright-worker"}': 1.0,
        WORKER_METRIC: 1.0,
        API_METRIC: 1.0,
        SDK_METRIC: 1.0,
    }
    seen: dict[str, float | None] = {}
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        stack.processes.check_alive()
        seen = {promql: _value(stack, promql) for promql in wanted}
        if all((seen[q] or 0.0) >= minimum for q, minimum in wanted.items()):
            break
        time.sleep(0.25)
    for promql, minimum in wanted.items():
        assert (seen[promql] or 0.0) >= minimum, f"{promql} answered {seen[promql]}: {seen}"
    assert seen['up{job="runwright-api"}'] == seen['up{job="runwright-worker"}'] == 1.0

    # The real Prometheus loaded alerts.yml and evaluates every rule without error.
    rules: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        groups = httpx.get(f"{stack.prometheus}/api/v1/rules", timeout=5).json()["data"]["groups"]
        rules = [rule for group in groups for rule in group["rules"]]
        if rules and all(rule["health"] == "ok" for rule in rules):
            break
        time.sleep(0.25)
    assert len(rules) == 7
    assert all(rule["health"] == "ok" for rule in rules), [
        (r["name"], r.get("lastError")) for r in rules
    ]
    print(f"metrics queried back {time.monotonic() - started:.1f} s after the first request")

    # The image's health check agrees with both processes.
    for port_variable, port in (
        ("RUNWRIGHT_API_PORT", stack.api_port),
        ("RUNWRIGHT_WORKER_METRICS_PORT", stack.metrics_port),
    ):
        env = {**os.environ, "RUNWRIGHT_API_PORT": "1", "RUNWRIGHT_WORKER_METRICS_PORT": "1"}
        env[port_variable] = str(port)
        check = subprocess.run(
            [sys.executable, DEPLOY / "healthcheck.py"], env=env, timeout=30, check=False
        )
        assert check.returncode == 0, port_variable
