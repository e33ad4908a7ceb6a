"""deploy/Dockerfile (no Docker engine here, so by structure) and its health check script:
one python:3.11-slim image running as a non-root user, `runwright api` by default and
`runwright worker` on demand, with every module the entrypoints import actually installed."""

from __future__ import annotations

import ast
import http.server
import os
import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.dev_server import free_port
from tests.deploy._support import DEPLOY, ROOT, setting_default

DOCKERFILE = DEPLOY / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        pending += stripped.removesuffix("\\").strip() + " "
        if not stripped.endswith("\\"):
            logical.append(pending.strip())
            pending = ""
    return [(text.split(" ", 1)[0].upper(), text.split(" ", 1)[1]) for text in logical]


def test_one_slim_image_two_commands_non_root() -> None:
    instructions = _instructions()
    assert ("ARG", "PYTHON_IMAGE=python:3.11-slim") in instructions
    froms = [value for kind, value in instructions if kind == "FROM"]
    assert froms == ["${PYTHON_IMAGE} AS build", "${PYTHON_IMAGE}"]
    last_from = max(i for i, (kind, _) in enumerate(instructions) if kind == "FROM")
    final = instructions[last_from:]
    final_kinds = dict(final)
    assert final_kinds["USER"] == "10001:10001"
    assert final_kinds["ENTRYPOINT"] == '["runwright"]'
    assert final_kinds["CMD"] == '["api"]'
    exposed = {int(port) for port in final_kinds["EXPOSE"].split()}
    assert exposed == {setting_default("api_port"), setting_default("worker_metrics_port")}
    assert "RUNWRIGHT_API_HOST=0.0.0.0" in final_kinds["ENV"]
    assert 'CMD ["python", "/opt/runwright/healthcheck.py"]' in final_kinds["HEALTHCHECK"]


def test_copied_sources_exist_and_pass_the_dockerignore() -> None:
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
    allowed = {line[1:] for line in ignore if line.startswith("!")}
    for kind, value in _instructions():
        if kind != "COPY" or value.startswith("--from"):
            continue
        *sources, _destination = value.split()
        for source in sources:
            assert list(ROOT.glob(source)), f"COPY {source}: nothing matches"
            assert source in allowed, f"COPY {source} is excluded by Dockerfile.dockerignore"


def _shipped() -> tuple[set[str], list[Path]]:
    """Top-level modules `pip install .` installs, and their source files."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    modules = set(config["py-modules"])
    files = [ROOT / f"{name}.py" for name in modules]
    patterns = config["packages"]["find"]["include"]
    for package in (p for p in ROOT.iterdir() if (p / "__init__.py").exists()):
        if any(Path(package.name).match(pattern) for pattern in patterns):
            modules.add(package.name)
            files += sorted(package.rglob("*.py"))
    return modules, files


def test_every_first_party_import_is_installed() -> None:
    """A top-level module imported by installed code but missing from pyproject.toml works in
    the dev checkout and breaks `runwright` in the image."""
    first_party = {p.stem for p in ROOT.glob("*.py")} | {
        p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()
    }
    shipped, files = _shipped()
    assert {"cli", "worker", "core", "api", "workflows", "activities"} <= shipped
    for path in files:
        for node in ast.walk(ast.parse(path.read_text())):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if top in first_party:
                    assert top in shipped, f"{path.relative_to(ROOT)} imports {top}: not installed"


def _server(health_status: int) -> http.server.ThreadingHTTPServer:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(health_status if self.path == "/health" else 200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return None

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def ports() -> Iterator[tuple[int, int]]:
    """A server answering 200 everywhere, and one whose /health says 503 (degraded)."""
    healthy, degraded = _server(200), _server(503)
    yield healthy.server_address[1], degraded.server_address[1]
    for server in (healthy, degraded):
        server.shutdown()
        server.server_close()


def _healthcheck(api_port: int, metrics_port: int) -> int:
    env = {
        **os.environ,
        "RUNWRIGHT_API_PORT": str(api_port),
        "RUNWRIGHT_WORKER_METRICS_PORT": str(metrics_port),
    }
    script = DEPLOY / "healthcheck.py"
    return subprocess.run([sys.executable, script], env=env, timeout=30, check=False).returncode


def test_healthcheck_passes_when_the_api_or_the_worker_answers(ports: tuple[int, int]) -> None:
    healthy, degraded = ports
    closed = free_port()
    assert _healthcheck(healthy, closed) == 0  # an API container
    assert _healthcheck(closed, healthy) == 0  # a worker container
    assert _healthcheck(degraded, closed) == 1  # an API whose store or Temporal is down
    assert _healthcheck(closed, free_port()) == 1  # nothing answers
