"""The derived fields of vector stores and batches, as pure functions (SPEC §2.7, §2.8, §7).

The store keeps each vector-store file's status; everything computed from those statuses
(`file_counts`, a store's or batch's `status`, `expires_at`) is computed on every read, so it is
never stale: the SDK's batch pollers wait for `file_counts.in_progress == 0`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from core.objects.vector_store import ExpiresAfter, FileCounts, VectorStore, VectorStoreStatus
from core.objects.vector_store_file import VectorStoreFileStatus
from core.objects.vector_store_file_batch import VectorStoreFileBatch
from core.store.chunks import StoredChunk

__all__ = [
    "DAY_S",
    "batch_status",
    "expires_at",
    "file_counts",
    "live_batch",
    "live_store",
    "reconstruct_text",
    "store_status",
]

DAY_S = 86_400


def file_counts(by_status: Mapping[str, int]) -> FileCounts:
    """`file_counts` from `{status: count}` (statuses with no file may be missing)."""
    counts = {status: by_status.get(status, 0) for status in FileCounts.model_fields}
    counts["total"] = sum(by_status.values())
    return FileCounts(**counts)


def expires_at(last_active_at: int | None, policy: ExpiresAfter | None) -> int | None:
    """`last_active_at + days`, or None without a policy."""
    if policy is None or last_active_at is None:
        return None
    return last_active_at + policy.days * DAY_S


def store_status(counts: FileCounts, expires: int | None, now: int) -> VectorStoreStatus:
    """`expired` once `expires_at` is reached (whatever its files do: it can no longer be used),
    else `in_progress` while any file ingests, else `completed`."""
    if expires is not None and expires <= now:
        return "expired"
    return "in_progress" if counts.in_progress else "completed"


def batch_status(counts: FileCounts, *, cancelled: bool) -> VectorStoreFileStatus:
    """`cancelled` once a cancel was asked; else `in_progress` while any of its files is; else
    `failed` if every file failed; else `completed` (some may have failed: `file_counts` says).

    A batch whose files all left the store (deleted) counts as `completed`.
    """
    if cancelled:
        return "cancelled"
    if counts.in_progress:
        return "in_progress"
    if counts.total and counts.failed == counts.total:
        return "failed"
    return "completed"


def live_store(
    store: VectorStore, by_status: Mapping[str, int], usage_bytes: int, now: int
) -> VectorStore:
    """The store with its derived fields computed from its files' statuses, as of `now`."""
    counts = file_counts(by_status)
    expires = expires_at(store.last_active_at, store.expires_after)
    return store.model_copy(
        update={
            "file_counts": counts,
            "usage_bytes": usage_bytes,
            "expires_at": expires,
            "status": store_status(counts, expires, now),
        }
    )


def live_batch(batch: VectorStoreFileBatch, by_status: Mapping[str, int]) -> VectorStoreFileBatch:
    """The batch with `file_counts` and `status` computed from its files' statuses.

    The stored status only records a cancel (`cancelled`); every other status is derived.
    """
    counts = file_counts(by_status)
    status = batch_status(counts, cancelled=batch.status == "cancelled")
    return batch.model_copy(update={"file_counts": counts, "status": status})


def reconstruct_text(chunks: Iterable[StoredChunk]) -> str:
    """The file's extracted text from its chunks (in order), each overlap taken once.

    Chunks are windows over the text with `text == extracted[start_char:end_char]`; consecutive
    ones overlap, so each contributes only what lies past the previous one's end.
    """
    parts: list[str] = []
    covered = 0
    for chunk in chunks:
        if chunk.end_char <= covered:
            continue
        parts.append(chunk.text[max(covered - chunk.start_char, 0) :])
        covered = chunk.end_char
    return "".join(parts)
