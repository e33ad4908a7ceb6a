"""The pure parts: output capping, the bwrap command line, safe host-side file access."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from core.sandbox import SandboxLimits
from core.sandbox._command import PythonLayout, SessionPaths, bwrap_argv, python_roots
from core.sandbox._files import read_file, write_file
from core.sandbox._output import OutputCollector

MARKER = b"\x00end-of-cell\x00"


def test_marker_split_across_reads_is_found() -> None:
    collector = OutputCollector(100, MARKER)
    assert not collector.feed(b"hello " + MARKER[:4])
    assert not collector.feed(MARKER[4:9])
    assert collector.feed(MARKER[9:] + b"after")
    assert collector.text() == "hello "


def test_output_past_the_cap_is_counted_and_dropped() -> None:
    collector = OutputCollector(5, MARKER)
    for _ in range(1000):
        collector.feed(b"x" * 1000)
    assert collector.feed(MARKER)
    assert collector.total == 1_000_000
    assert collector.text() == "xxxxx\n[output truncated at 5 bytes]"


def test_python_roots_skip_usr_merge_nested_and_refuse_broad_prefixes() -> None:
    roots = python_roots(["/opt/venv", "/opt/py/3.11", "/opt/py/3.11/bin", "/usr", "/usr/lib"])
    assert roots == ("/opt/py/3.11", "/opt/venv")
    with pytest.raises(ValueError, match="too broad"):
        python_roots(["/root"])


def test_command_line_exposes_only_what_python_needs() -> None:
    argv = bwrap_argv(
        bwrap="bwrap",
        python=PythonLayout(executable="/opt/venv/bin/python", roots=("/opt/venv",)),
        paths=SessionPaths(
            workdir="/srv/sessions/thread_1",
            runtime="/srv/sessions/.runtime",
            passwd="/srv/sessions/.runtime/etc/passwd-1000123",
        ),
        limits=SandboxLimits(),
        privileged=True,
        uid=1_000_123,
        result_fd=7,
    )
    binds = {(argv[i], argv[i + 1], argv[i + 2]) for i, a in enumerate(argv) if "bind" in a}
    writable = {(src, dst) for kind, src, dst in binds if kind == "--bind"}
    assert writable == {("/srv/sessions/thread_1", "/mnt/data")}
    sources = {src for _, src, _ in binds}
    assert not any(s in ("/", "/etc", "/root", "/home", "/work") for s in sources)
    assert "/etc/shadow" not in sources
    assert {"--unshare-net", "--unshare-pid", "--die-with-parent", "--clearenv"} <= set(argv)
    assert "--share-net" not in argv


def test_host_side_file_access_stays_inside(tmp_path: Path) -> None:
    os.symlink("/etc/hostname", tmp_path / "link")
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(FileNotFoundError):
        read_file(str(tmp_path), "/mnt/data/link", 1024)
    with pytest.raises(FileNotFoundError):
        read_file(str(tmp_path), "fifo", 1024)
    with pytest.raises(ValueError):
        read_file(str(tmp_path), "/mnt/data/../etc/passwd", 1024)
    with pytest.raises(ValueError):
        write_file(str(tmp_path), "../escape.txt", b"x", None)
    with pytest.raises(OSError):
        write_file(str(tmp_path), "link", b"x", None)  # O_NOFOLLOW: never writes through
    assert write_file(str(tmp_path), "in.csv", b"a,b\n", None) == "/mnt/data/in.csv"
    assert read_file(str(tmp_path), "in.csv", 1024) == b"a,b\n"
    with pytest.raises(ValueError, match="over the"):
        read_file(str(tmp_path), "in.csv", 2)
