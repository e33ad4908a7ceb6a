"""The derived fields of vector stores and batches (core/vector_stores/rules.py)."""

from __future__ import annotations

import pytest

from core.objects.vector_store import ExpiresAfter, FileCounts, VectorStore
from core.objects.vector_store_file_batch import VectorStoreFileBatch
from core.store.chunks import StoredChunk
from core.vector_stores.rules import (
    DAY_S,
    batch_status,
    expires_at,
    file_counts,
    live_batch,
    live_store,
    reconstruct_text,
    store_status,
)

T0 = 1_700_000_000


def counts(**by_status: int) -> FileCounts:
    return file_counts(by_status)


def test_file_counts_fill_missing_statuses_and_total() -> None:
    assert counts(completed=2, failed=1).model_dump() == {
        "in_progress": 0, "completed": 2, "failed": 1, "cancelled": 0, "total": 3,
    }  # fmt: skip
    assert file_counts({}) == FileCounts()


def test_expires_at_is_days_after_last_activity() -> None:
    assert expires_at(T0, ExpiresAfter(days=7)) == T0 + 7 * DAY_S
    assert expires_at(T0, None) is None
    assert expires_at(None, ExpiresAfter(days=1)) is None


@pytest.mark.parametrize(
    ("by_status", "expires", "status"),
    [
        ({}, None, "completed"),
        ({"completed": 3, "failed": 1}, None, "completed"),
        ({"completed": 1, "in_progress": 1}, None, "in_progress"),
        ({"in_progress": 1}, T0, "expired"),  # expiry wins: the store can no longer be used
        ({}, T0 + 1, "completed"),
    ],
)
def test_store_status(by_status: dict[str, int], expires: int | None, status: str) -> None:
    assert store_status(file_counts(by_status), expires, now=T0) == status


@pytest.mark.parametrize(
    ("by_status", "cancelled", "status"),
    [
        ({"in_progress": 1, "completed": 1}, False, "in_progress"),
        ({"completed": 2, "failed": 1}, False, "completed"),
        ({"failed": 2}, False, "failed"),
        ({"failed": 1, "cancelled": 1}, False, "completed"),
        ({}, False, "completed"),
        ({"in_progress": 2}, True, "cancelled"),
        ({"completed": 2}, True, "cancelled"),
    ],
)
def test_batch_status(by_status: dict[str, int], cancelled: bool, status: str) -> None:
    assert batch_status(file_counts(by_status), cancelled=cancelled) == status


def test_live_store_and_batch_derive_every_field() -> None:
    store = VectorStore(
        id="vs_1", created_at=T0, name="n", status="completed",
        expires_after=ExpiresAfter(days=1), last_active_at=T0,
    )  # fmt: skip
    live = live_store(store, {"in_progress": 1, "completed": 1}, 123, now=T0 + 10)
    assert (live.status, live.usage_bytes, live.expires_at) == ("in_progress", 123, T0 + DAY_S)
    assert live.file_counts.total == 2
    assert live_store(store, {}, 0, now=T0 + DAY_S).status == "expired"
    batch = VectorStoreFileBatch(id="vsfb_1", created_at=T0, vector_store_id="vs_1",
                                 status="in_progress")  # fmt: skip
    assert live_batch(batch, {"completed": 1}).status == "completed"
    cancelled = batch.model_copy(update={"status": "cancelled"})
    assert live_batch(cancelled, {"cancelled": 1}).file_counts.cancelled == 1


def _chunk(index: int, text: str, start: int) -> StoredChunk:
    return StoredChunk(
        pk=index, vector_store_id="vs_1", file_id="file-1", chunk_index=index, text=text,
        tokens=1, start_char=start, end_char=start + len(text),
    )  # fmt: skip


def test_reconstruct_text_takes_each_overlap_once() -> None:
    source = "abcdefghij"
    chunks = [_chunk(0, source[0:4], 0), _chunk(1, source[2:7], 2), _chunk(2, source[5:10], 5)]
    assert reconstruct_text(chunks) == source
    assert reconstruct_text([_chunk(0, source, 0), _chunk(1, source[3:6], 3)]) == source
    assert reconstruct_text([]) == ""
