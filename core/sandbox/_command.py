"""The bubblewrap command line of one session process (pure: no I/O beyond reading the host's
top-level layout, so it can be unit-tested and reviewed in one place).

What the sandbox sees: `/usr` (and the `/bin`-style links to it), the Python installation it
runs (read-only, at the same paths so the venv's links resolve), a handful of files under /etc,
a private /proc, /dev and size-capped /tmp, the session directory at /mnt/data, and the REPL
script. Not the project tree, not /root, not /etc/shadow, no network (a fresh, empty network
namespace), no other process (a fresh pid namespace).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from core.sandbox.base import WORKDIR, SandboxLimits

REPL_PATH = "/opt/runwright/repl.py"
MPL_CACHE_PATH = "/opt/runwright/mpl"
MPLCONFIGDIR = "/tmp/matplotlib"
HOST_ETC_FILES = ("/etc/ld.so.cache", "/etc/fonts", "/etc/localtime")
"""Host files the sandbox may read: the loader cache, font configuration (matplotlib runs
`fc-list` once) and the time zone. Everything else in /etc stays hidden."""
TOP_LEVEL_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


@dataclass(frozen=True)
class PythonLayout:
    """The interpreter the sandbox runs and the directories it needs, read-only."""

    executable: str
    """Path of the interpreter (inside the sandbox too), e.g. the venv's `bin/python`."""
    roots: tuple[str, ...]
    """Directories outside /usr to bind read-only: the venv and the base installation."""


@dataclass(frozen=True)
class SessionPaths:
    """Host paths one session process needs."""

    workdir: str
    """The session directory, bound read-write at /mnt/data."""
    runtime: str
    """Shared read-only runtime files: `repl.py`, `etc/group`, `mpl/`."""
    passwd: str
    """An /etc/passwd naming the session's uid (`sandbox`), for code that looks itself up."""


def python_roots(prefixes: list[str]) -> tuple[str, ...]:
    """The minimal set of directories covering `prefixes`, none under /usr (bound anyway).

    Raises:
        ValueError: a prefix is too broad to expose (`/`, `/root`, `/home`, ...).
    """
    roots: list[str] = []
    for prefix in sorted({os.path.normpath(p) for p in prefixes}):
        if prefix == "/usr" or prefix.startswith("/usr/"):
            continue
        if prefix.count("/") < 2:
            raise ValueError(f"refusing to expose {prefix!r} to the sandbox: too broad")
        if not any(prefix == root or prefix.startswith(root + "/") for root in roots):
            roots.append(prefix)
    return tuple(roots)


def bwrap_argv(
    *,
    bwrap: str,
    python: PythonLayout,
    paths: SessionPaths,
    limits: SandboxLimits,
    privileged: bool,
    uid: int | None,
    result_fd: int,
) -> list[str]:
    """The full argv of one session process.

    Args:
        privileged: the worker runs as root. bwrap then makes the namespaces itself (no user
            namespace, which as root would map the sandbox to uid 0 and void RLIMIT_NPROC) and
            the REPL drops to `uid` before running anything. Otherwise a user namespace is used.
        uid: the session's own kernel uid (privileged mode only).
    """
    argv = [bwrap, *_namespace_args(privileged), *_environment_args()]
    argv += _filesystem_args(python, paths, limits)
    config: dict[str, Any] = {
        "result_fd": result_fd,
        "uid": uid if privileged else None,
        "memory_bytes": limits.memory_mb * 2**20,
        "max_processes": limits.max_processes,
        "file_size_bytes": limits.file_size_mb * 2**20,
        "mpl_cache": MPL_CACHE_PATH,
        "workdir": WORKDIR,
    }
    return [*argv, "--", python.executable, "-I", "-B", REPL_PATH, json.dumps(config)]


def _namespace_args(privileged: bool) -> list[str]:
    args = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts"]
    args += ["--unshare-cgroup-try", "--hostname", "sandbox"]
    args += ["--die-with-parent", "--new-session"]
    if privileged:
        # Only what the REPL needs to switch to the session uid; setuid then clears both.
        return [*args, "--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"]
    return [*args, "--unshare-user", "--disable-userns"]


_PRIVATE_TMP = ("/tmp", "/dev/shm")


def _parent_dirs_of(destinations: Iterable[str]) -> list[str]:
    """Every parent directory of the destinations, outermost first, once each."""
    parents: list[str] = []
    for destination in destinations:
        parts = destination.strip("/").split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            parent = "/" + "/".join(parts[:depth])
            if parent not in parents:
                parents.append(parent)
    return parents


def _parent_dirs(destinations: list[str]) -> list[str]:
    args = []
    for parent in _parent_dirs_of(destinations):
        args += ["--perms", "0755", "--dir", parent]
    return args


def _environment_args() -> list[str]:
    env = {
        "HOME": WORKDIR,
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "USER": "sandbox",
        "LOGNAME": "sandbox",
        "TMPDIR": "/tmp",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": MPLCONFIGDIR,
        "XDG_CACHE_HOME": "/tmp/.cache",
        "PYTHONUNBUFFERED": "1",
        # One BLAS/OpenMP thread: predictable address space under RLIMIT_AS and within the
        # process budget (each thread counts against RLIMIT_NPROC).
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    args = ["--clearenv"]
    for name, value in env.items():
        args += ["--setenv", name, value]
    return args


def _filesystem_args(python: PythonLayout, paths: SessionPaths, limits: SandboxLimits) -> list[str]:
    # bwrap (as root at least) creates missing parents of mount points 0700, which the session
    # uid could not traverse: create them 0755 first.
    args = _parent_dirs(["/etc/passwd", WORKDIR, REPL_PATH])
    args += ["--ro-bind", "/usr", "/usr"]
    for name in TOP_LEVEL_LINKS:
        host = f"/{name}"
        if os.path.islink(host):
            args += ["--symlink", os.readlink(host), host]
        elif os.path.isdir(host):
            args += ["--ro-bind", host, host]
    args += ["--ro-bind", paths.passwd, "/etc/passwd"]
    args += ["--ro-bind", f"{paths.runtime}/etc/group", "/etc/group"]
    for host in HOST_ETC_FILES:
        args += ["--ro-bind-try", host, host]
    args += ["--proc", "/proc", "--dev", "/dev"]
    for tmp in _PRIVATE_TMP:  # /dev/shm: multiprocessing's semaphores live there
        args += ["--perms", "1777", "--size", str(limits.tmp_mb * 2**20), "--tmpfs", tmp]
    # After the private /tmp: a venv that lives under /tmp (a CI checkout) stays visible.
    roots_parents = [p for p in _parent_dirs_of(python.roots) if p not in _PRIVATE_TMP]
    for parent in roots_parents:
        args += ["--perms", "0755", "--dir", parent]
    for root in python.roots:
        args += ["--ro-bind", root, root]
    args += ["--bind", paths.workdir, WORKDIR]
    args += ["--ro-bind", f"{paths.runtime}/repl.py", REPL_PATH]
    args += ["--ro-bind-try", f"{paths.runtime}/mpl", MPL_CACHE_PATH]
    # The root itself is a tmpfs that a user-namespaced sandbox would own: make it read-only.
    # No --chdir: as root without CAP_DAC_OVERRIDE, bwrap may not enter the session's 0700
    # directory; the REPL enters it once it is the session's uid.
    return [*args, "--remount-ro", "/"]
