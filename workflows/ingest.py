"""IngestFileWorkflow: one file into one vector store (SPEC §2.8, §7).

chunk_file (extract, check limits, chunk, replace the file's chunks) -> embed_file (when an
embeddings model is configured) -> finish_ingest (status, usage_bytes, last_error). A file that
cannot be read fails with `unsupported_file` / `invalid_file` at once; provider and store
failures are retried, then fail the file with `server_error`. Failure is data: the workflow
itself completes, and only this file is affected. A cancel (batch cancel, file removed) ends the
file `cancelled` and drops whatever chunks were written.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError, CancelledError

with workflow.unsafe.imports_passed_through():
    from activities.ingest import IngestActivities
    from workflows._retry import retry_policy
    from workflows.ingest_types import (
        CANCEL_INGEST,
        INGEST_FILE_WORKFLOW,
        ChunkFileInput,
        ChunkFileResult,
        FinishIngestInput,
        IngestErrorCode,
        IngestFileInput,
        IngestFileRef,
        IngestOutcome,
    )

_FILE_ERRORS: frozenset[str] = frozenset({"unsupported_file", "invalid_file"})


def _failure(err: ActivityError) -> tuple[IngestErrorCode, str]:
    cause = err.cause
    if isinstance(cause, ApplicationError) and cause.type == "invalid_file":
        return "invalid_file", cause.message
    if isinstance(cause, ApplicationError) and cause.type == "unsupported_file":
        return "unsupported_file", cause.message
    detail = str(cause) if cause is not None else str(err)
    return "server_error", f"The file could not be processed: {detail}"


class _Cancelled(Exception):
    """The cancel signal arrived: stop after the current activity's last write."""


@workflow.defn(name=INGEST_FILE_WORKFLOW)
class IngestFileWorkflow:
    def __init__(self) -> None:
        self._cancel_requested = False

    @workflow.signal(name=CANCEL_INGEST)
    def cancel(self) -> None:
        """Stop ingesting; the file ends `cancelled` (a batch cancel, a removed file)."""
        self._cancel_requested = True

    @workflow.run
    async def run(self, input: IngestFileInput) -> IngestOutcome:
        ref = IngestFileRef(
            project_id=input.project_id,
            vector_store_id=input.vector_store_id,
            file_id=input.file_id,
        )
        finish = await self._outcome(input, ref)
        limits = input.limits
        await workflow.execute_activity_method(
            IngestActivities.finish_ingest,
            finish,
            start_to_close_timeout=timedelta(seconds=limits.store_timeout_s),
            retry_policy=retry_policy(limits.store_retry),
        )
        return finish.outcome

    async def _outcome(self, input: IngestFileInput, ref: IngestFileRef) -> FinishIngestInput:
        finish = FinishIngestInput(file=ref, outcome="completed")
        try:
            await self._step(lambda: self._chunk(input, ref))
            await self._step(lambda: self._embed(input, ref))
        except ActivityError as err:
            if isinstance(err.cause, CancelledError):
                return finish.model_copy(update={"outcome": "cancelled"})
            code, message = _failure(err)
            return finish.model_copy(
                update={"outcome": "failed", "error_code": code, "error_message": message}
            )
        except (_Cancelled, asyncio.CancelledError):
            # A workflow cancel (operator) is a request too: the file is still marked.
            return finish.model_copy(update={"outcome": "cancelled"})
        return finish

    async def _step(self, start: Callable[[], asyncio.Task[Any]]) -> None:
        """Run one activity to its end, cancelling it if the cancel signal comes first.

        The activity's cancellation is awaited (WAIT_CANCELLATION_COMPLETED): finish_ingest
        drops a cancelled file's chunks and must come after the activity's last write.
        """
        if self._cancel_requested:
            raise _Cancelled
        handle = start()
        await workflow.wait_condition(lambda: handle.done() or self._cancel_requested)
        if not handle.done():
            handle.cancel()
        await handle
        if self._cancel_requested:
            raise _Cancelled

    def _chunk(self, input: IngestFileInput, ref: IngestFileRef) -> asyncio.Task[ChunkFileResult]:
        limits = input.limits
        return workflow.start_activity_method(
            IngestActivities.chunk_file,
            ChunkFileInput(
                file=ref,
                max_chunk_size_tokens=input.max_chunk_size_tokens,
                chunk_overlap_tokens=input.chunk_overlap_tokens,
            ),
            start_to_close_timeout=timedelta(seconds=limits.chunk_timeout_s),
            heartbeat_timeout=timedelta(seconds=limits.heartbeat_timeout_s),
            retry_policy=retry_policy(limits.retry, sorted(_FILE_ERRORS)),
            cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )

    def _embed(self, input: IngestFileInput, ref: IngestFileRef) -> asyncio.Task[None]:
        limits = input.limits
        return workflow.start_activity_method(
            IngestActivities.embed_file,
            ref,
            start_to_close_timeout=timedelta(seconds=limits.embed_timeout_s),
            heartbeat_timeout=timedelta(seconds=limits.heartbeat_timeout_s),
            retry_policy=retry_policy(limits.retry, ["InvalidPrompt", "AuthenticationFailed"]),
            cancellation_type=workflow.ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
        )
