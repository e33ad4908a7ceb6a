"""Starts and cancels file ingestion (IngestFileWorkflow), one workflow per store and file.

The vector-store file row (`in_progress`) is written by the caller before `start`; from then on
only the workflow changes its status.
"""

from __future__ import annotations

from typing import Protocol

from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.service import RPCError, RPCStatusCode

from workflows.ingest_types import (
    CANCEL_INGEST,
    INGEST_FILE_WORKFLOW,
    IngestFileInput,
    IngestLimits,
    ingest_workflow_id,
)

__all__ = ["Ingestion", "TemporalIngestion"]


class Ingestion(Protocol):
    """What the vector-store service needs of ingestion."""

    async def start(self, input: IngestFileInput) -> None:
        """Start ingesting (replacing a running ingestion of the same store and file)."""
        ...

    async def cancel(self, vector_store_id: str, file_id: str) -> None:
        """Ask a running ingestion to stop; the file ends `cancelled`. No-op if none runs."""
        ...


class TemporalIngestion:
    """`Ingestion` on a Temporal client and task queue."""

    def __init__(self, client: Client, task_queue: str, limits: IngestLimits | None = None) -> None:
        self._client = client
        self._task_queue = task_queue
        self._limits = limits or IngestLimits()

    async def start(self, input: IngestFileInput) -> None:
        await self._client.start_workflow(
            INGEST_FILE_WORKFLOW,
            input.model_copy(update={"limits": self._limits}),
            id=ingest_workflow_id(input.vector_store_id, input.file_id),
            task_queue=self._task_queue,
            id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
            # A file re-added while its last ingestion still runs: the new request wins.
            id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,
        )

    async def cancel(self, vector_store_id: str, file_id: str) -> None:
        handle: WorkflowHandle[object, object] = self._client.get_workflow_handle(
            ingest_workflow_id(vector_store_id, file_id)
        )
        try:
            await handle.signal(CANCEL_INGEST)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
