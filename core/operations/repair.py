"""Repair a failed run: reset it to before its failure so it continues, or re-run its inputs.

Reset is Temporal's workflow reset. A failed run's workflow has *completed* (failure is data
here), so the store is reopened first: the run goes back to `in_progress`, its closing events
are deleted (its log must read as if it never closed, or the continuing run could not append),
and it takes the thread's lock again. Then the workflow is reset to the workflow task that
scheduled the activity whose failure ended the run: that activity runs again, with whatever
was fixed meanwhile (a recovered model provider, a deployed fix). If Temporal refuses, the
store is put back as it was.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.enums.v1 import EventType
from temporalio.api.workflowservice.v1 import ResetWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus, WorkflowHandle, WorkflowHistory

from core.errors import InvalidRequestError
from core.objects.params import RunCreateParams
from core.objects.run import Run
from core.runs_client import RunsClient
from core.store import Store

__all__ = ["RERUN_OF", "rerun", "reset_point", "reset_run"]

RERUN_OF = "rerun_of"
CLOSE_WAIT_POLLS = 100
"""Describe calls (0.1 s apart) spent waiting for a failed run's workflow to close."""
"""Metadata key linking a re-run to the run it repeats."""

_ACTIVITY_FAILURES = (
    EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED,
    EventType.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT,
)


def reset_point(history: WorkflowHistory) -> int | None:
    """The id of the WorkflowTaskCompleted event that scheduled the last failed activity."""
    scheduled = EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
    scheduled_by = {
        e.event_id: e.activity_task_scheduled_event_attributes.workflow_task_completed_event_id
        for e in history.events
        if e.event_type == scheduled
    }
    failures = [event for event in history.events if event.event_type in _ACTIVITY_FAILURES]
    if not failures:
        return None
    last = failures[-1]
    attributes = (
        last.activity_task_failed_event_attributes
        if last.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
        else last.activity_task_timed_out_event_attributes
    )
    return scheduled_by.get(attributes.scheduled_event_id)


async def reset_run(store: Store, client: Client, project_id: str, run_id: str) -> Run:
    """Continue a failed run from before the failure (see the module docstring).

    Raises:
        InvalidRequestError: the run is not failed, its history has no failed activity, or
            its thread has another active run now.
    """
    run = await store.runs.get(project_id, run_id)
    if run.status != "failed":
        raise InvalidRequestError(
            f"Only failed runs can be reset; run {run_id} is {run.status}.", param="run_id"
        )
    handle = client.get_workflow_handle(run_id)
    temporal_run_id = await _closed(handle, run_id)
    history = await handle.fetch_history()
    event_id = reset_point(history)
    if event_id is None:
        raise InvalidRequestError(
            f"Run {run_id} has no failed activity to reset to.", param="run_id"
        )
    await _reopen(store, project_id, run)
    try:
        await client.workflow_service.reset_workflow_execution(
            ResetWorkflowExecutionRequest(
                namespace=client.namespace,
                workflow_execution=WorkflowExecution(workflow_id=run_id, run_id=temporal_run_id),
                reason=f"runwright reset of failed run {run_id}",
                workflow_task_finish_event_id=event_id,
                request_id=str(uuid.uuid4()),
            )
        )
    except BaseException:
        await _close_again(store, project_id, run)
        raise
    return await store.runs.get(project_id, run_id)


async def _closed(handle: WorkflowHandle[Any, Any], run_id: str) -> str:
    """Wait (briefly) until the failed run's workflow has closed: the store shows `failed` a
    moment before its last activity releases the thread lock the reset is about to take."""
    for _ in range(CLOSE_WAIT_POLLS):
        description = await handle.describe()
        if description.status != WorkflowExecutionStatus.RUNNING:
            return description.run_id or ""
        await asyncio.sleep(0.1)
    raise InvalidRequestError(f"Run {run_id} is still closing; try again in a moment.")


async def _reopen(store: Store, project_id: str, run: Run) -> None:
    holder = await store.thread_locks.claim(project_id, run.thread_id, run.id)
    if holder != run.id:
        raise InvalidRequestError(
            f"Thread {run.thread_id} already has an active run {holder}.", param="thread_id"
        )
    reopened = {"status": "in_progress", "failed_at": None, "last_error": None}
    await store.runs.modify(project_id, run.id, lambda r: r.model_copy(update=reopened))
    await store.run_events.reopen(run.id)


async def _close_again(store: Store, project_id: str, failed: Run) -> None:
    """Undo `_reopen` after Temporal refused the reset."""
    await store.runs.modify(project_id, failed.id, lambda _: failed)
    await store.run_events.append(failed.id, "thread.run.failed", failed.model_dump(mode="json"))
    await store.thread_locks.release(failed.thread_id, failed.id)


async def rerun(store: Store, runs: RunsClient, project_id: str, run_id: str) -> Run:
    """A new run on the same thread with the old run's inputs, `metadata.rerun_of` = old id.

    Raises:
        InvalidRequestError: the old run's metadata has no room for the link, or the thread
            has an active run.
    """
    old = await store.runs.get(project_id, run_id)
    metadata = {**old.metadata, RERUN_OF: old.id}
    if len(metadata) > 16:
        raise InvalidRequestError(
            f"Run {run_id} already has 16 metadata pairs: no room for '{RERUN_OF}'.",
            param="metadata",
        )
    params = RunCreateParams.model_validate(_inputs_of(old) | {"metadata": metadata})
    return await runs.create(project_id, old.thread_id, params)


def _inputs_of(run: Run) -> dict[str, Any]:
    """The create-run request that reproduces `run`'s options (as resolved when it started)."""
    dumped = run.model_dump(mode="json", exclude_none=True)
    fields = ("assistant_id", "model", "instructions", "tools", "temperature", "top_p",
              "max_prompt_tokens", "max_completion_tokens", "truncation_strategy", "tool_choice",
              "parallel_tool_calls", "response_format")  # fmt: skip
    return {name: dumped[name] for name in fields if name in dumped}
