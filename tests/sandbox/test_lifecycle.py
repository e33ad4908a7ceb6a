"""Session lifecycle: nothing left behind, idle sweep, worker restarts, and refusal to run."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from core.sandbox import (
    BubblewrapSandbox,
    SandboxLimits,
    SandboxUnavailableError,
    SessionRef,
    sandbox_from_settings,
)
from tests.sandbox.conftest import new_session, pid_alive, processes_of

LIMITS = SandboxLimits(wall_time_s=20)


async def _wait_gone(uid: int, pid: int) -> None:
    for _ in range(60):
        if not processes_of(uid) and not pid_alive(pid):
            break
        await asyncio.sleep(0.05)
    assert not pid_alive(pid)
    if os.geteuid() == 0:
        assert processes_of(uid) == []


async def test_close_session_leaves_nothing(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    """No process (not even a background one) and no directory survive close_session."""
    code = "import subprocess\nsubprocess.Popen(['sleep', '60'])\nopen('f.txt', 'w').write('x')"
    await sandbox.run(session, code, LIMITS)
    workdir = Path(sandbox.root_dir) / session.session_id
    uid = workdir.stat().st_uid
    pid = sandbox.live_pids()[session.session_id]
    await sandbox.close_session(session)
    assert not workdir.exists()
    await _wait_gone(uid, pid)
    await sandbox.close_session(session)  # idempotent


async def test_sweep_closes_only_idle_sessions(sandbox: BubblewrapSandbox) -> None:
    idle, busy = new_session(), new_session()
    for ref in (idle, busy):
        await sandbox.run(ref, "x = 1", LIMITS)
    idle_dir = Path(sandbox.root_dir) / idle.session_id
    uid, pid = idle_dir.stat().st_uid, sandbox.live_pids()[idle.session_id]
    orphan = Path(sandbox.root_dir) / "thread_left_by_a_dead_worker"
    orphan.mkdir()
    long_ago = time.time() - 7200
    for path in (idle_dir, orphan):
        os.utime(path, (long_ago, long_ago))

    closed = await sandbox.sweep_idle(max_idle_s=3600)

    assert sorted(closed) == sorted([idle.session_id, orphan.name])
    assert not idle_dir.exists() and not orphan.exists()
    await _wait_gone(uid, pid)
    assert (await sandbox.run(busy, "x", LIMITS)).logs == "1\n"


async def test_calls_in_one_session_are_serialised(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    code = "import time\ntime.sleep(0.3)\nn = globals().get('n', 0) + 1\nn"
    results = await asyncio.gather(*(sandbox.run(session, code, LIMITS) for _ in range(2)))
    assert sorted(r.logs for r in results) == ["1\n", "2\n"]


async def test_worker_restart_keeps_files_and_says_state_was_lost(tmp_path: Path) -> None:
    """A call retried on a new worker finds the files, not the variables, and is told so."""
    first = BubblewrapSandbox(tmp_path)
    session = new_session()
    await first.run(session, "x = 1\nopen('notes.txt', 'w').write('kept')", LIMITS)
    await first.aclose()

    second = BubblewrapSandbox(tmp_path)
    result = await second.run(session, "print(open('notes.txt').read())\nx", LIMITS)
    assert result.logs.startswith("kept\n")
    assert result.error == "NameError: name 'x' is not defined"
    assert result.session_reset
    assert not (await second.run(session, "1", LIMITS)).session_reset
    await second.close_session(session)
    await second.aclose()


async def test_a_dying_worker_takes_its_sandboxes_with_it(tmp_path: Path) -> None:
    """bwrap's --die-with-parent: SIGKILL of the worker mid-call leaves no sandbox process."""
    script = (
        "import asyncio, sys\n"
        "from core.sandbox import BubblewrapSandbox, SandboxLimits, SessionRef\n"
        "async def main():\n"
        "    box = BubblewrapSandbox(sys.argv[1])\n"
        "    ref = SessionRef(session_id='crash')\n"
        "    await box.run(ref, 'x = 1', SandboxLimits())\n"
        "    print(box.live_pids()['crash'], flush=True)\n"
        "    await box.run(ref, 'import time; time.sleep(60)', SandboxLimits(wall_time_s=90))\n"
        "asyncio.run(main())\n"
    )
    worker = await asyncio.create_subprocess_exec(
        sys.executable, "-c", script, str(tmp_path), stdout=asyncio.subprocess.PIPE
    )
    assert worker.stdout is not None
    pid = int(await asyncio.wait_for(worker.stdout.readline(), 30))
    uid = (tmp_path / "crash").stat().st_uid
    await asyncio.sleep(0.2)  # the sleeping cell is running
    worker.send_signal(signal.SIGKILL)
    await worker.wait()
    await _wait_gone(uid, pid)


async def test_refuses_without_bubblewrap(tmp_path: Path) -> None:
    box = BubblewrapSandbox(tmp_path, bwrap="bwrap-not-installed")
    availability = await box.available()
    assert not availability.ok
    assert availability.reason is not None
    assert "install the Debian package `bubblewrap`" in availability.reason
    assert "never run unsandboxed" in availability.reason
    with pytest.raises(SandboxUnavailableError, match="bubblewrap"):
        await box.run(new_session(), "print(1)", LIMITS)


async def test_refuses_without_the_scientific_stack(tmp_path: Path) -> None:
    box = BubblewrapSandbox(tmp_path, required_modules=("numpy", "no_such_module_for_test"))
    availability = await box.available()
    assert not availability.ok
    assert availability.reason is not None
    assert "cannot import no_such_module_for_test" in availability.reason
    assert "numpy" not in availability.reason


async def test_kind_none_disables_code_interpreter(tmp_path: Path) -> None:
    box = sandbox_from_settings("none", root_dir=tmp_path)
    availability = await box.available()
    assert not availability.ok
    assert availability.reason is not None
    assert "code_interpreter is disabled" in availability.reason
    with pytest.raises(SandboxUnavailableError, match="disabled"):
        await box.run(new_session(), "print(1)", LIMITS)


async def test_a_cancelled_call_does_not_poison_the_session(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    """An activity cancelled mid-cell: its process is killed, the next call starts clean."""
    await sandbox.run(session, "x = 1", LIMITS)
    pid = sandbox.live_pids()[session.session_id]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(sandbox.run(session, "import time\ntime.sleep(30)", LIMITS), 0.5)
    result = await sandbox.run(session, "print('fresh')\nx", LIMITS)
    assert result.logs.startswith("fresh\n")
    assert result.error == "NameError: name 'x' is not defined"
    assert result.session_reset
    assert not pid_alive(pid)


async def test_a_directory_made_outside_the_uid_pool_is_taken_over(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    """A session directory the worker made itself (owned by root) is handed to a session uid:
    sandboxed code never runs as root."""
    workdir = Path(sandbox.root_dir) / session.session_id
    workdir.mkdir()
    (workdir / "given.txt").write_text("hi")
    code = (
        "import os\nprint(open('given.txt').read())\nopen('given.txt', 'a').write('!')\nos.getuid()"
    )
    result = await sandbox.run(session, code, LIMITS)
    assert result.error is None, result.logs
    assert result.logs.startswith("hi\n")
    assert int(result.logs.split()[-1]) != 0
    assert result.session_reset  # a directory this worker did not make: earlier state unknown
