"""The process that runs sqlite-vec queries: `python vector_worker.py DATABASE_PATH`.

Run as a script (by path, so importing it loads no package), it opens one read-only connection
with sqlite-vec loaded and answers requests on stdin/stdout until stdin closes. A request is a
4-byte little-endian length and a pickle of `(sql, params)`; the reply, framed alike, a pickle
of `("ok", rows)` or `("error", message)`. Both ends are this module's, so pickle is safe here.

Only the standard library and the SQLite modules are imported: the process stays small and
starts in tens of milliseconds.
"""

from __future__ import annotations

import importlib
import pickle
import sqlite3
import struct
import sys
from types import ModuleType
from typing import IO, Any

__all__ = ["connect", "read_frame", "serve", "sqlite_module", "write_frame"]

BUSY_TIMEOUT_MS = 10_000
"""How long a query waits for a checkpoint's lock, as the store's own connections do."""

MMAP_BYTES = 1 << 30
"""Memory-mapped reads (address space, not memory): an exact search reads every chunk row of
the stores, and mapped pages skip the copy into SQLite's page cache (about 1.5x faster here)."""


def sqlite_module() -> ModuleType | None:
    """An `sqlite3`-compatible module that can load extensions: the stdlib's, else sqlean."""
    if hasattr(sqlite3.Connection, "enable_load_extension"):
        return sqlite3
    try:
        return importlib.import_module("sqlean")
    except ImportError:
        return None


def connect(path: str) -> Any:
    """A read-only (`query_only`) connection to `path` with sqlite-vec loaded."""
    module = sqlite_module()
    if module is None:
        raise RuntimeError("No SQLite able to load extensions: install sqlean.py")
    sqlite_vec = importlib.import_module("sqlite_vec")
    conn = module.connect(path, uri=path.startswith("file:"), isolation_level=None)
    try:
        conn.enable_load_extension(True)
        sqlite_vec.load(conn)
        conn.enable_load_extension(False)
        for pragma in (
            f"busy_timeout={BUSY_TIMEOUT_MS}",
            f"mmap_size={MMAP_BYTES}",
            "query_only=1",
        ):
            conn.execute(f"PRAGMA {pragma}")
    except BaseException:
        conn.close()
        raise
    return conn


def write_frame(stream: IO[bytes], value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack("<I", len(data)) + data)
    stream.flush()


def read_frame(stream: IO[bytes]) -> Any:
    """The next frame's value; raises EOFError when the other end has closed."""
    header = stream.read(4)
    if len(header) < 4:
        raise EOFError
    (size,) = struct.unpack("<I", header)
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return pickle.loads(data)


def serve(path: str, requests: IO[bytes], replies: IO[bytes]) -> None:
    """Answer `(sql, params)` requests until `requests` closes."""
    conn = connect(path)
    try:
        while True:
            try:
                sql, params = read_frame(requests)
            except EOFError:
                return
            try:
                write_frame(replies, ("ok", conn.execute(sql, params).fetchall()))
            except Exception as exc:  # a failed query must not end the process
                write_frame(replies, ("error", f"{type(exc).__name__}: {exc}"))
    finally:
        conn.close()


if __name__ == "__main__":
    serve(sys.argv[1], sys.stdin.buffer, sys.stdout.buffer)
