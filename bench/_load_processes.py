"""The processes of bench/load.py: `runwright dev`, the instant model and the bare workflow's
worker, each a child of the load generator, and the CPU each one spends.

`python -m bench._load_processes --serve-model | --bare-worker ADDRESS` is how the children start;
they print one line (their URL, or `ready`) and serve until their stdin closes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from bench._bare_workflow import BenchBareWorkflow, bench_noop
from tests.fixtures.dev_stack import DevStack, start_dev_stack

BARE_QUEUE = "bench-load-bare"


def bytecode_cache(tmp: Path) -> dict[str, str]:
    """Environment that lets a child cache bytecode (under `tmp`, not in the checkout).

    The workflow sandbox re-imports the workflow module for every run; where
    PYTHONDONTWRITEBYTECODE is set (as on these machines) and the module is not installed as a
    compiled wheel, that means compiling workflows/run.py from source every run, ~10% of the
    worker's CPU. A user's checkout or the image (pip compiles at install) does not pay that.
    """
    return {"PYTHONDONTWRITEBYTECODE": "", "PYTHONPYCACHEPREFIX": str(tmp / "pycache")}


def start_stack(tmp: Path, model_url: str, attempts: int = 3) -> DevStack:
    """`runwright dev` on the instant model. Retried: on a machine shared by busy test runs its
    imports alone have been seen to take most of start_dev_stack's 15 s."""
    env = {"RUNWRIGHT_MODEL_BASE_URL": model_url, "RUNWRIGHT_MODEL_API_KEY": "bench"}
    for attempt in range(1, attempts + 1):
        home = tmp / f"stack-{attempt}"
        home.mkdir()
        try:
            return start_dev_stack(home, env | bytecode_cache(tmp))
        except pytest.fail.Exception:
            if attempt == attempts:
                raise
    raise AssertionError("unreachable")


@dataclass
class Child:
    process: subprocess.Popen[str]
    line: str
    """The first line it printed (its URL, or `ready`)."""


@contextlib.contextmanager
def child(tmp: Path, *args: str) -> Iterator[Child]:
    """`python -m bench._load_processes <args>`; ended by closing its stdin."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench._load_processes", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | bytecode_cache(tmp),
    )
    assert process.stdout is not None and process.stdin is not None
    try:
        yield Child(process, process.stdout.readline().strip())
    finally:
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (Linux /proc; 0 where that is unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def child_pids(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@contextlib.contextmanager
def cpu_meter(pids: dict[str, int]) -> Iterator[dict[str, float]]:
    """CPU seconds each process (and the load generator, `client`) spends inside the block."""
    used: dict[str, float] = {}
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    started = time.process_time()
    yield used
    used.update({name: cpu_seconds(pid) - before[name] for name, pid in pids.items()})
    used["client"] = time.process_time() - started


def _serve_model() -> None:
    """The instant scripted model; prints its URL, serves until stdin closes."""
    from tests.fakes.model_server import Reply, ScriptedModelServer

    with ScriptedModelServer() as model:
        model.default = Reply("ok", chunk_size=100)
        print(model.base_url, flush=True)
        sys.stdin.read()


async def _serve_bare(address: str) -> None:
    """The bare workflow's worker (default options, as Runwright's); serves until stdin closes."""
    client = await Client.connect(address)
    async with Worker(
        client, task_queue=BARE_QUEUE, workflows=[BenchBareWorkflow], activities=[bench_noop]
    ):
        print("ready", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve-model", action="store_true")
    parser.add_argument("--bare-worker", metavar="ADDRESS")
    args = parser.parse_args()
    if args.serve_model:
        _serve_model()
    elif args.bare_worker:
        asyncio.run(_serve_bare(args.bare_worker))
    sys.stdout.flush()
    os._exit(0)  # the Temporal client can crash at interpreter exit (sdk-python#300)
