"""Path and query parameters the vector-store routers share."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Depends, Path, Query

from api.validation import check_id
from core.objects.vector_store_file import VectorStoreFileStatus

__all__ = ["POLL_AFTER_MS", "BatchId", "StatusFilter", "VectorStoreId"]

POLL_AFTER_MS: Final = "200"
"""`openai-poll-after-ms` on GETs of files and batches: the SDK's `*_and_poll` helpers sleep
this long between polls (1000 by default), and ingesting a small file takes well under that."""


async def _vector_store_id(vector_store_id: Annotated[str, Path()]) -> str:
    return check_id("vector_store", vector_store_id, "vector_store_id")


async def _batch_id(batch_id: Annotated[str, Path()]) -> str:
    return check_id("file_batch", batch_id, "batch_id")


VectorStoreId = Annotated[str, Depends(_vector_store_id)]
BatchId = Annotated[str, Depends(_batch_id)]
StatusFilter = Annotated[VectorStoreFileStatus | None, Query(alias="filter")]
"""The `filter` query parameter of file lists: only files in that status."""
