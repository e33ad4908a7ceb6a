"""Escape attempts: each is contained, and the call reports it with a clear error."""

from __future__ import annotations

import asyncio
import os
import resource
import sys
from pathlib import Path

from core.sandbox import BubblewrapSandbox, SandboxLimits, SessionRef
from tests.sandbox.conftest import new_session, processes_of

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LIMITS = SandboxLimits(wall_time_s=20)


async def test_network_is_unreachable(sandbox: BubblewrapSandbox, session: SessionRef) -> None:
    """A server listening on the host's loopback is out of reach, and so is DNS."""
    connections = 0

    def on_connect(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        writer.close()

    server = await asyncio.start_server(on_connect, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        connect = await sandbox.run(
            session, f"import socket\nsocket.create_connection(('127.0.0.1', {port}), 2)", LIMITS
        )
        dns = await sandbox.run(session, "socket.getaddrinfo('example.com', 443)", LIMITS)
        interfaces = await sandbox.run(session, "[n for _, n in socket.if_nameindex()]", LIMITS)
    assert connect.error is not None
    assert connect.error.startswith("ConnectionRefusedError"), connect.error
    assert dns.error is not None
    assert dns.error.startswith("socket.gaierror"), dns.error
    assert interfaces.logs == "['lo']\n"
    assert connections == 0


async def test_host_files_are_invisible(sandbox: BubblewrapSandbox, session: SessionRef) -> None:
    """/etc/shadow, the project tree and other sessions' directories do not exist inside."""
    for path in ["/etc/shadow", str(PROJECT_ROOT / "pyproject.toml"), sandbox.root_dir]:
        result = await sandbox.run(session, f"open({path!r}, 'rb').read(10)", LIMITS)
        assert result.error is not None
        assert result.error.startswith(("FileNotFoundError", "IsADirectoryError")), result.error
    listing = await sandbox.run(session, "import os\nsorted(os.listdir('/etc'))", LIMITS)
    assert listing.logs == "['fonts', 'group', 'ld.so.cache', 'localtime', 'passwd']\n"
    tree = await sandbox.run(session, f"os.listdir({str(PROJECT_ROOT)!r})", LIMITS)
    assert tree.logs == "['.venv']\n"  # the venv the sandbox runs, and nothing else


async def test_writes_outside_the_working_directory_fail(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    """The Python installation, /usr and / are read-only; /tmp is private and goes away."""
    site_packages = next(p for p in sys.path if p.endswith("site-packages"))
    for path in [f"{site_packages}/planted.py", "/usr/planted", "/planted"]:
        result = await sandbox.run(session, f"open({path!r}, 'w').write('x')", LIMITS)
        assert result.error is not None
        assert result.error.startswith(("OSError: [Errno 30]", "PermissionError")), result.error
        assert not _exists(path)

    marker = f"/tmp/planted-{session.session_id}"
    written = await sandbox.run(session, f"open({marker!r}, 'w').write('x')", LIMITS)
    assert written.error is None
    assert not _exists(marker)  # the sandbox's /tmp is not the host's
    await sandbox.close_session(session)
    again = await sandbox.run(session, f"import os\nos.path.exists({marker!r})", LIMITS)
    assert again.logs == "False\n"


async def test_fork_bomb_is_stopped_by_the_process_limit(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    """Forks fail at the limit, every process the cell left is killed, the session lives on."""
    limits = SandboxLimits(wall_time_s=20, max_processes=32)
    await sandbox.run(session, "kept = 'still here'", limits)
    result = await sandbox.run(session, "import os\nwhile True:\n    os.fork()", limits)
    assert result.error is not None
    assert result.error.startswith("Process limit reached (32 processes and threads"), result.error
    after = await sandbox.run(session, "kept", limits)
    assert after.logs == "'still here'\n"
    uid = os.stat(Path(sandbox.root_dir) / session.session_id).st_uid
    if os.geteuid() == 0:
        assert len(processes_of(uid)) == 1  # the REPL alone


async def test_memory_bomb_is_stopped(sandbox: BubblewrapSandbox, session: SessionRef) -> None:
    limits = SandboxLimits(wall_time_s=20, memory_mb=512)
    result = await sandbox.run(session, "hog = bytearray(10 * 2**30)", limits)
    assert result.error is not None
    assert result.error.startswith("Memory limit of 512 MB exceeded (MemoryError"), result.error
    growing = await sandbox.run(
        session, "hog = []\nwhile True:\n    hog.append(' ' * 2**20)", limits
    )
    assert growing.error is not None
    assert growing.error.startswith("Memory limit of 512 MB exceeded"), growing.error
    assert (await sandbox.run(session, "del hog\n1 + 1", limits)).logs == "2\n"


async def test_infinite_loop_is_killed_at_the_wall_time(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    await sandbox.run(session, "x = 1\nopen('kept.txt', 'w').write('x')", LIMITS)
    result = await sandbox.run(session, "while True:\n    pass", SandboxLimits(wall_time_s=2))
    assert result.error == (
        "Execution timed out after 2 s; the session was reset (variables lost, files in "
        "/mnt/data kept)"
    )
    assert result.exit_code == -9
    assert result.session_reset
    assert 2 <= result.duration_s < 10
    after = await sandbox.run(session, "print(open('kept.txt').read())\nx", LIMITS)
    assert after.logs.startswith("x\n")
    assert after.error == "NameError: name 'x' is not defined"


async def test_cpu_time_limit(sandbox: BubblewrapSandbox, session: SessionRef) -> None:
    result = await sandbox.run(
        session, "while True:\n    pass", SandboxLimits(wall_time_s=20, cpu_time_s=1)
    )
    assert result.error == "CPU time limit of 1 s exceeded"
    # Stopped by the CPU limit, long before the 20 s wall limit (wall time itself varies with
    # the machine's load, so the bound is loose).
    assert result.duration_s < 15
    assert not result.session_reset


async def test_huge_stdout_is_truncated_without_growing_the_worker(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    """100 MB of output is read as it comes and dropped past the cap."""
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    code = "import sys\nfor _ in range(100):\n    sys.stdout.write('x' * 2**20)\nprint('done')"
    result = await sandbox.run(session, code, SandboxLimits(wall_time_s=30, output_bytes=10_000))
    peak_growth_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert result.error is None
    assert result.logs == "x" * 10_000 + "\n[output truncated at 10000 bytes]"
    assert peak_growth_kb < 30 * 1024
    assert (await sandbox.run(session, "print('ok')", LIMITS)).logs == "ok\n"


async def test_file_size_limit(sandbox: BubblewrapSandbox, session: SessionRef) -> None:
    code = "open('big.bin', 'wb').write(b'x' * (3 * 2**20))"
    result = await sandbox.run(session, code, SandboxLimits(wall_time_s=20, file_size_mb=2))
    assert result.error is not None
    assert result.error.startswith("File size limit of 2 MB exceeded"), result.error


async def test_disk_limit_stops_a_filling_loop(
    sandbox: BubblewrapSandbox, session: SessionRef
) -> None:
    code = (
        "import time\nfor i in range(10_000):\n"
        "    open(f'fill{i}.bin', 'wb').write(b'x' * 2**20)\n    time.sleep(0.01)"
    )
    result = await sandbox.run(session, code, SandboxLimits(wall_time_s=20, disk_mb=8))
    assert result.error is not None
    assert result.error.startswith("Disk limit of 8 MB exceeded in /mnt/data"), result.error
    assert result.duration_s < 5


def _exists(path: str) -> bool:
    return os.path.exists(path)


async def test_a_full_process_budget_does_not_starve_other_sessions(
    sandbox: BubblewrapSandbox,
) -> None:
    """Each session has its own process budget (its own uid, or its own user namespace)."""
    limits = SandboxLimits(wall_time_s=20, max_processes=16)
    hog = (
        "import os, time\nkids = []\nfor _ in range(40):\n    try:\n        pid = os.fork()\n"
        "    except BlockingIOError:\n        break\n    if pid == 0:\n        time.sleep(5)\n"
        "        os._exit(0)\n    kids.append(pid)\ntime.sleep(1.5)\nlen(kids) < 16"
    )
    spawner = (
        "import subprocess\nprocs = [subprocess.Popen(['true']) for _ in range(8)]\n"
        "[p.wait() for p in procs]"
    )

    async def spawn_later() -> str | None:
        await asyncio.sleep(0.7)  # while the hog holds its whole budget
        return (await sandbox.run(new_session(), spawner, limits)).error

    hogged, spawned = await asyncio.gather(sandbox.run(new_session(), hog, limits), spawn_later())
    assert hogged.logs == "True\n"
    assert spawned is None
