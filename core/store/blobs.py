"""File contents (blobs), kept outside the database; the `files` table holds the metadata.

`BlobStore` is the seam for an object store later; `FilesystemBlobStore` keeps one file per blob.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import BinaryIO, Final, Protocol

from core.errors import NotFoundError

__all__ = ["BlobStore", "FilesystemBlobStore"]

CHUNK_SIZE: Final = 1 << 20
"""Bytes per chunk when streaming a blob out."""

# File ids are "file-" plus hex; anything else (slashes, dots) must never reach a path.
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_TMP_PREFIX = ".tmp-"
_STALE_AFTER_SECONDS = 3600


class BlobStore(Protocol):
    """Where uploaded file contents live, keyed by file id."""

    async def put(self, file_id: str, content: bytes | AsyncIterable[bytes]) -> int:
        """Store `content` under `file_id` (replacing any blob there); its size in bytes.

        Atomic: readers see the old blob or the whole new one, never a part.
        """
        ...

    async def open(self, file_id: str) -> AsyncIterator[bytes]:
        """The blob as a stream of chunks; raises `NotFoundError` now (before a response starts)
        if it is missing. The file closes when the stream ends or is garbage-collected."""
        ...

    async def read(self, file_id: str) -> bytes:
        """The whole blob. Raises `NotFoundError` if it is missing."""
        ...

    async def delete(self, file_id: str) -> bool:
        """Remove the blob; whether it existed."""
        ...


class FilesystemBlobStore:
    """Blobs as files in one directory, written to a temp file and renamed into place.

    The rename is what makes a put atomic: a crash mid-write leaves only a `.tmp-*` file,
    which is never read. Opening the store sweeps temp files older than an hour (younger ones may
    belong to another process writing into the same directory right now).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        cutoff = time.time() - _STALE_AFTER_SECONDS
        for tmp in root.glob(f"{_TMP_PREFIX}*"):
            with contextlib.suppress(FileNotFoundError):
                if tmp.stat().st_mtime < cutoff:
                    tmp.unlink()

    async def put(self, file_id: str, content: bytes | AsyncIterable[bytes]) -> int:
        """Store `content` under `file_id`; its size in bytes."""
        final = self._path(file_id)
        tmp = self.root / f"{_TMP_PREFIX}{file_id}-{uuid.uuid4().hex}"
        handle = await asyncio.to_thread(tmp.open, "wb")
        try:
            size = await _write_all(handle, content)
            await asyncio.to_thread(_flush_and_close, handle)
            await asyncio.to_thread(os.replace, tmp, final)
        except BaseException:
            handle.close()
            tmp.unlink(missing_ok=True)
            raise
        return size

    async def open(self, file_id: str) -> AsyncIterator[bytes]:
        """The blob as a stream of `CHUNK_SIZE` chunks."""
        path = self._path(file_id)
        try:
            handle = await asyncio.to_thread(path.open, "rb")
        except FileNotFoundError:
            raise _missing(file_id) from None
        return _chunks(handle)

    async def read(self, file_id: str) -> bytes:
        """The whole blob."""
        try:
            return await asyncio.to_thread(self._path(file_id).read_bytes)
        except FileNotFoundError:
            raise _missing(file_id) from None

    async def delete(self, file_id: str) -> bool:
        """Remove the blob; whether it existed."""
        path = self._path(file_id)
        try:
            await asyncio.to_thread(path.unlink)
        except FileNotFoundError:
            return False
        return True

    def _path(self, file_id: str) -> Path:
        if not _SAFE_ID.fullmatch(file_id):
            raise ValueError(f"Not a storable file id: {file_id!r}")
        return self.root / file_id


async def _write_all(handle: BinaryIO, content: bytes | AsyncIterable[bytes]) -> int:
    """Write `content` to `handle` off the event loop; the number of bytes written."""
    if isinstance(content, bytes | bytearray):
        await asyncio.to_thread(handle.write, content)
        return len(content)
    size = 0
    async for chunk in content:
        await asyncio.to_thread(handle.write, chunk)
        size += len(chunk)
    return size


async def _chunks(handle: BinaryIO) -> AsyncIterator[bytes]:
    """Read `handle` off the event loop, closing it when done (or when the reader stops)."""
    try:
        while chunk := await asyncio.to_thread(handle.read, CHUNK_SIZE):
            yield chunk
    finally:
        handle.close()


def _flush_and_close(handle: BinaryIO) -> None:
    """Make the bytes durable before the rename publishes them."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def _missing(file_id: str) -> NotFoundError:
    return NotFoundError(f"No file found with id '{file_id}'.", param="file_id")
