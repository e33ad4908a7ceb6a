"""Host-side access to session directories, safe against whatever the sandboxed code left there.

The code may plant symlinks (to /etc/shadow, say) or FIFOs in its directory, and the worker
reads that directory with more rights than the sandbox has: nothing here follows a symlink, and
only regular files are read.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable
from typing import Any

from core.sandbox.base import WORKDIR

MAX_ENTRIES = 20_000
"""Entries scanned per snapshot: bounds the cost of a directory the code filled with files."""

Snapshot = dict[str, tuple[int, int]]
"""Relative path -> (size, mtime_ns) of every regular file."""


def snapshot(workdir: str) -> Snapshot:
    """Every regular file under `workdir` (symlinks are not followed)."""
    found: Snapshot = {}
    stack = [""]
    seen = 0
    while stack and seen < MAX_ENTRIES:
        relative = stack.pop()
        try:
            entries = list(os.scandir(os.path.join(workdir, relative)))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            path = f"{relative}/{entry.name}" if relative else entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(info.st_mode):
                stack.append(path)
            elif stat.S_ISREG(info.st_mode):
                found[path] = (info.st_size, info.st_mtime_ns)
    return found


def changed_files(before: Snapshot, after: Snapshot) -> list[tuple[str, int]]:
    """(sandbox path, size) of files new or modified between two snapshots, sorted by path."""
    return [
        (f"{WORKDIR}/{path}", size)
        for path, (size, mtime) in sorted(after.items())
        if before.get(path) != (size, mtime)
    ]


def snapshot_and_usage(workdir: str) -> tuple[Snapshot, int]:
    return snapshot(workdir), disk_usage(workdir)


def disk_watchdog(workdir: str, limit_mb: int, used_at_start: int) -> Callable[[], str | None]:
    """A check, polled while a cell runs, that names the disk limit once it is exceeded."""
    # A directory already over the limit (a lowered limit, say) may still shrink, not grow.
    cap = max(limit_mb * 2**20, used_at_start)

    def check() -> str | None:
        if disk_usage(workdir) > cap:
            return f"Disk limit of {limit_mb} MB exceeded in {WORKDIR}"
        return None

    return check


def disk_usage(workdir: str) -> int:
    """Bytes allocated under `workdir` (blocks, so sparse files count for what they use)."""
    total = 0
    for dirpath, dirnames, filenames in os.walk(workdir):
        for name in dirnames + filenames:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
            except OSError:
                continue
    return total


def write_file(workdir: str, name: str, data: bytes, owner: int | None) -> str:
    """Create or replace `/mnt/data/<name>`; returns that sandbox path.

    Raises:
        ValueError: `name` is not a plain file name.
    """
    if not name or "/" in name or "\0" in name or name in (".", ".."):
        raise ValueError(f"not a plain file name: {name!r}")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC
    dir_fd = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        fd = os.open(name, flags, 0o644, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)
    with os.fdopen(fd, "wb") as file:
        if owner is not None:
            os.fchown(file.fileno(), owner, owner)
        file.write(data)
    return f"{WORKDIR}/{name}"


def read_file(workdir: str, path: str, max_bytes: int) -> bytes:
    """Read a regular file by sandbox path (`/mnt/data/a/b.csv`) or relative path.

    Raises:
        FileNotFoundError: no such regular file inside the working directory.
        ValueError: the path leaves the working directory, or the file exceeds `max_bytes`.
    """
    relative = path.removeprefix(WORKDIR + "/") if path.startswith(WORKDIR + "/") else path
    parts = relative.split("/")
    if not relative or any(part in ("", ".", "..") or "\0" in part for part in parts):
        raise ValueError(f"not a path inside {WORKDIR}: {path!r}")
    fd = os.open(workdir, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in parts[:-1]:
            fd = _reopen(fd, part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        # O_NONBLOCK: a FIFO planted under that name must not hang the worker.
        fd = _reopen(fd, parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileNotFoundError(f"not a regular file: {path}")
        if info.st_size > max_bytes:
            raise ValueError(f"{path} is {info.st_size} bytes, over the {max_bytes} allowed")
        with os.fdopen(os.dup(fd), "rb") as file:
            return file.read(max_bytes + 1)[:max_bytes]
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise FileNotFoundError(f"no regular file at {path}: {exc.strerror}") from exc
    finally:
        os.close(fd)


def _reopen(dir_fd: int, name: str, flags: int) -> int:
    """Open `name` under `dir_fd` and close `dir_fd`; on failure `dir_fd` stays open."""
    fd = os.open(name, flags | os.O_CLOEXEC, dir_fd=dir_fd)
    os.close(dir_fd)
    return fd


def chown_tree(path: str, uid: int) -> None:
    """Give `path` and everything under it to `uid` (symlinks themselves, never their targets)."""
    os.chown(path, uid, uid, follow_symlinks=False)
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, uid, follow_symlinks=False)


def remove_tree(path: str) -> None:
    """Delete a session directory, whatever permissions the code set inside it."""

    def retry_writable(function: Callable[..., Any], failed: str, _exc: Any) -> None:
        # The code may have chmod-ed a directory to 000 (only a non-root worker cares).
        os.chmod(os.path.dirname(failed), 0o700)
        if os.path.isdir(failed) and not os.path.islink(failed):
            os.chmod(failed, 0o700)
        function(failed)

    if os.path.lexists(path):
        shutil.rmtree(path, onerror=retry_writable)
