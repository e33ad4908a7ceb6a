"""A real bubblewrap sandbox for the tests. Never skipped: without bwrap these tests fail, saying
how to install it (`bash scripts/ensure-bubblewrap.sh`, which `make test` runs)."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.sandbox import BubblewrapSandbox, SessionRef

_ids = itertools.count()


@pytest.fixture(scope="session")
def bwrap() -> str:
    path = shutil.which("bwrap")
    if path is None:
        pytest.fail(
            "bubblewrap (bwrap) is not on PATH: the code_interpreter sandbox tests need it. "
            "Run `bash scripts/ensure-bubblewrap.sh` (make test does)."
        )
    return path


@pytest.fixture(scope="session")
async def sandbox(
    bwrap: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[BubblewrapSandbox]:
    root = tmp_path_factory.mktemp("sandbox-root")
    box = BubblewrapSandbox(root, bwrap=bwrap)
    availability = await box.available()
    assert availability.ok, availability.reason
    yield box
    await box.aclose()


@pytest.fixture
def session() -> SessionRef:
    return new_session()


def new_session() -> SessionRef:
    return SessionRef(session_id=f"thread_test{os.getpid()}_{next(_ids)}")


def processes_of(uid: int) -> list[int]:
    """Live (not zombie) host pids running as `uid`: a session's own uid when the worker is
    root."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or not pid_alive(int(entry.name)):
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("Uid:") and int(line.split()[1]) == uid:
                pids.append(int(entry.name))
    return pids


def pid_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
