"""Vectors on SQLite: sqlite-vec's `vec_distance_cosine` on the float32 `embedding` blobs.

The store's connections (aiosqlite over the stdlib `sqlite3`) may come from a CPython built
without `enable_load_extension`, as on these machines, so vectors are searched over a second
connection to the same database file, from an SQLite that can load sqlite-vec: the stdlib one
when it can, else sqlean (sqlean.py).

That connection lives in a small child process (`vector_worker.py`), never in this one. Two
copies of the SQLite library in one process must not open the same database ("multiple copies
of SQLite linked into the same application", in SQLite's "How To Corrupt An SQLite Database
File"): POSIX locks are per process, so each copy takes the other's locks for its own, and one
copy opening the WAL index truncates it under the other (a bus error in the tests) or, closing
last as it believes, checkpoints and deletes a WAL the other is still writing. Across processes
SQLite's locking works as designed, and WAL lets the worker read while the store writes.

One worker per index, started on first use and restarted if it dies, serves one query at a
time (a lock), from worker threads so the event loop never waits on it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from core.retrieval import vector_worker
from core.retrieval.scope import Scope
from core.retrieval.scope_sql import sqlite_scope
from core.store.chunks import pack_vector

__all__ = ["SqliteVectorIndex", "sqlite_vec_available"]

CLOSE_TIMEOUT_S = 5.0


def sqlite_vec_available() -> bool:
    """Whether sqlite-vec and an SQLite able to load it are installed."""
    has_vec = importlib.util.find_spec("sqlite_vec") is not None
    return has_vec and vector_worker.sqlite_module() is not None


class SqliteVectorIndex:
    """Exact nearest chunks by cosine distance, answered by a worker process reading `path`."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return True

    async def ready(self) -> bool:
        return True

    async def search(
        self, scope: Scope, vector: Sequence[float], limit: int, only: Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        where, params = sqlite_scope(scope, only)
        blob = pack_vector(vector)
        # vec_distance_cosine is NULL for a zero vector; the outer query drops those.
        sql = (
            "SELECT pk, distance FROM ("
            "SELECT c.pk AS pk, vec_distance_cosine(c.embedding, :vector) AS distance "
            "FROM vector_store_chunks c "
            + where
            + "AND c.embedding IS NOT NULL AND length(c.embedding) = :bytes"
            ") WHERE distance IS NOT NULL ORDER BY distance, pk LIMIT :limit"
        )
        params |= {"vector": blob, "bytes": len(blob), "limit": limit}
        rows = await asyncio.to_thread(self._query, sql, params)
        return [(int(pk), float(distance)) for pk, distance in rows]

    async def close(self) -> None:
        await asyncio.to_thread(self._stop)

    def _query(self, sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
        with self._lock:
            process = self._process
            if process is None or process.poll() is not None:
                process = self._process = self._start()
            assert process.stdin is not None and process.stdout is not None
            try:
                vector_worker.write_frame(process.stdin, (sql, params))
                status, result = vector_worker.read_frame(process.stdout)
            except (EOFError, BrokenPipeError) as exc:
                self._process = None
                raise RuntimeError("The vector search worker exited unexpectedly") from exc
        if status != "ok":
            raise RuntimeError(f"Vector search failed: {result}")
        return list(result)

    def _start(self) -> subprocess.Popen[bytes]:
        worker = Path(vector_worker.__file__).resolve()
        # stderr is inherited: the worker's own failures show in this process's log.
        return subprocess.Popen(
            [sys.executable, str(worker), self._path],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def _stop(self) -> None:
        with self._lock:
            process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None and process.stdout is not None
        process.stdin.close()  # the worker exits when its input ends
        try:
            process.wait(timeout=CLOSE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
