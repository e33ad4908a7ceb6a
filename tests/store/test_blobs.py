"""The filesystem blob store: round trips, streaming, deletes, and atomic replacement."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from core.errors import NotFoundError
from core.store import FilesystemBlobStore


async def chunks(*parts: bytes, fail_after: int | None = None) -> AsyncIterator[bytes]:
    for i, part in enumerate(parts):
        if fail_after is not None and i == fail_after:
            raise ConnectionError("client went away mid-upload")
        yield part


@pytest.fixture
def blobs(tmp_path: Path) -> FilesystemBlobStore:
    return FilesystemBlobStore(tmp_path / "blobs")


async def test_put_bytes_and_read(blobs: FilesystemBlobStore) -> None:
    assert await blobs.put("file-abc", b"hello") == 5
    assert await blobs.read("file-abc") == b"hello"


async def test_put_chunks_and_stream_out(blobs: FilesystemBlobStore) -> None:
    big = b"x" * (3 << 20)
    assert await blobs.put("file-big", chunks(big[:100], big[100:])) == len(big)
    streamed = [chunk async for chunk in await blobs.open("file-big")]
    assert len(streamed) > 1
    assert b"".join(streamed) == big


async def test_delete(blobs: FilesystemBlobStore) -> None:
    await blobs.put("file-abc", b"hello")
    assert await blobs.delete("file-abc") is True
    assert await blobs.delete("file-abc") is False
    with pytest.raises(NotFoundError, match="file-abc"):
        await blobs.read("file-abc")
    with pytest.raises(NotFoundError):
        await blobs.open("file-abc")


async def test_failed_put_leaves_nothing_behind(blobs: FilesystemBlobStore) -> None:
    """An upload that dies midway neither creates a blob nor leaves its temp file."""
    with pytest.raises(ConnectionError):
        await blobs.put("file-new", chunks(b"a", b"b", b"c", fail_after=2))
    with pytest.raises(NotFoundError):
        await blobs.read("file-new")
    assert list(blobs.root.iterdir()) == []


async def test_failed_replace_keeps_the_old_blob(blobs: FilesystemBlobStore) -> None:
    await blobs.put("file-abc", b"old contents")
    with pytest.raises(ConnectionError):
        await blobs.put("file-abc", chunks(b"new", b"er", fail_after=1))
    assert await blobs.read("file-abc") == b"old contents"
    await blobs.put("file-abc", b"new")
    assert await blobs.read("file-abc") == b"new"
    assert [p.name for p in blobs.root.iterdir()] == ["file-abc"]


async def test_unsafe_ids_never_become_paths(blobs: FilesystemBlobStore) -> None:
    for bad in ("../escape", "a/b", "", ".hidden", "file-x\x00"):
        with pytest.raises(ValueError):
            await blobs.put(bad, b"x")


def test_stale_temp_files_are_swept_on_open(tmp_path: Path) -> None:
    """Leftovers of a crash are removed, but not a temp file another process is writing now."""
    root = tmp_path / "blobs"
    root.mkdir()
    stale, fresh = root / ".tmp-file-a-1", root / ".tmp-file-b-2"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    os.utime(stale, (0, 0))
    FilesystemBlobStore(root)
    assert not stale.exists()
    assert fresh.exists()
