"""The typed client of runs, for backend services that do not speak HTTP. The API uses it too.

create -> the store gets the `queued` row, its first events and the thread lock in one go, then
RunWorkflow starts; submit_tool_outputs and cancel are Workflow Updates whose validators reject
bad requests before anything is written.
"""

from __future__ import annotations

import asyncio
import time

from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode

from core import ids
from core.context_windows import ContextWindows
from core.errors import InvalidRequestError, NotFoundError, ServerError
from core.objects.params import RunCreateParams
from core.objects.params_runs import ThreadAndRunCreateParams
from core.objects.run import LastError, Run
from core.objects.thread import Thread
from core.observability.metrics import model_label
from core.run_factory import new_message, new_run
from core.settings import Settings
from core.store import Store
from workflows import search_attributes
from workflows.types import (
    CANCEL,
    RUN_WORKFLOW,
    SUBMIT_TOOL_OUTPUTS,
    TERMINAL_STATUSES,
    CancelRunInput,
    RunInput,
    RunLimits,
    RunSnapshot,
    SubmitToolOutputsInput,
    ToolOutput,
)

WAIT_UNTIL_DEFAULT = frozenset({*TERMINAL_STATUSES, "requires_action"})
ORPHAN_AFTER_S = 60
"""A lock held this long by a run with no row was left by a creator that crashed."""


class RunsClient:
    """Create, read, drive and await runs. Errors are `core.errors` (the API renders them)."""

    def __init__(
        self, store: Store, temporal: Client, settings: Settings, limits: RunLimits | None = None
    ) -> None:
        self._store = store
        self._temporal = temporal
        self._settings = settings
        self._limits = limits or RunLimits()
        self._windows = ContextWindows(settings.context_window_overrides())

    async def create(self, project_id: str, thread_id: str, params: RunCreateParams) -> Run:
        """Create a run on a thread and start its workflow; 400 if the thread is locked."""
        assistant = await self._store.assistants.get(project_id, params.assistant_id)
        await self._store.threads.get(project_id, thread_id)
        now = int(time.time())
        run = new_run(ids.new_id("run"), thread_id, assistant, params, now=now,
                      expires_after_s=self._settings.run_expires_after_seconds)  # fmt: skip
        await self._claim_thread(project_id, thread_id, run.id)
        for message_params in params.additional_messages or []:
            message = new_message(ids.new_id("message"), thread_id, message_params, now=now)
            await self._store.messages.upsert(project_id, message)
        await self._store.runs.upsert(project_id, run)
        snapshot = run.model_dump(mode="json")
        opening = [
            ("thread.run.created", snapshot, "run.created"),
            ("thread.run.queued", snapshot, "run.0"),
        ]
        await self._store.run_events.append_many(run.id, opening)
        await self._start_workflow(project_id, run)
        return run

    async def create_thread_and_run(
        self, project_id: str, params: ThreadAndRunCreateParams
    ) -> tuple[Thread, Run]:
        """Create a thread (with its messages), then a run on it (POST /threads/runs).

        The assistant is checked first, so an unknown id leaves no thread behind.
        """
        await self._store.assistants.get(project_id, params.assistant_id)
        now = int(time.time())
        thread = params.new_thread(ids.new_id("thread"), now=now)
        # Messages first, as POST /threads does: the thread appears with its messages.
        for message_params in (params.thread.messages if params.thread else None) or []:
            message = new_message(ids.new_id("message"), thread.id, message_params, now=now)
            await self._store.messages.upsert(project_id, message)
        await self._store.threads.upsert(project_id, thread)
        return thread, await self.create(project_id, thread.id, params.run_params())

    async def check_thread_free(self, project_id: str, thread_id: str) -> None:
        """400 if `create` would find the thread busy: for callers that must write something
        (a new run's attachments) only once the run cannot be refused. Orphaned locks count as
        free, as `create` frees them."""
        holder = await self._store.thread_locks.holder(thread_id)
        if holder is not None and not await self._is_orphan(project_id, thread_id, holder):
            raise InvalidRequestError(f"Thread {thread_id} already has an active run {holder}.")

    async def _claim_thread(self, project_id: str, thread_id: str, run_id: str) -> None:
        holder = await self._store.thread_locks.claim(project_id, thread_id, run_id)
        if holder == run_id:
            return
        if await self._is_orphan(project_id, thread_id, holder):
            await self._store.thread_locks.release(thread_id, holder)
            return await self._claim_thread(project_id, thread_id, run_id)
        raise InvalidRequestError(f"Thread {thread_id} already has an active run {holder}.")

    async def _is_orphan(self, project_id: str, thread_id: str, holder: str) -> bool:
        """A lock whose run ended, or whose workflow never started (a creator that crashed
        between claiming the lock and starting the workflow). Orphans are failed and freed."""
        active = await self._store.runs.find(project_id, holder)
        if active is None:
            # Either a creation in flight (lock taken, row not yet written) or one that died
            # there; only the age of the lock tells them apart.
            claimed_at = await self._store.thread_locks.claimed_at(thread_id)
            return claimed_at is not None and time.time() - claimed_at > ORPHAN_AFTER_S
        if active.status in TERMINAL_STATUSES:
            return True
        if time.time() - active.created_at < ORPHAN_AFTER_S:
            return False  # its creator may still be starting the workflow
        try:
            await self._temporal.get_workflow_handle(holder).describe()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            await self._mark_failed(project_id, active, "The run was never started.")
            return True
        return False

    async def _mark_failed(self, project_id: str, run: Run, message: str) -> None:
        failed = run.model_copy(
            update={
                "status": "failed",
                "failed_at": int(time.time()),
                "last_error": LastError(code="server_error", message=message),
            }
        )
        await self._store.runs.upsert(project_id, failed)
        await self._store.run_events.append(
            run.id, "thread.run.failed", failed.model_dump(mode="json"), dedupe_key="run.orphan"
        )

    async def _start_workflow(self, project_id: str, run: Run) -> None:
        payload = RunInput(
            run_id=run.id,
            thread_id=run.thread_id,
            assistant_id=run.assistant_id,
            project_id=project_id,
            model=run.model,
            created_at=run.created_at,
            expires_at=run.expires_at or run.created_at,
            max_prompt_tokens=run.max_prompt_tokens,
            max_completion_tokens=run.max_completion_tokens,
            limits=self._limits,
            model_label=model_label(run.model, self._windows),
            webhooks=self._settings.webhook_url is not None,
            indexed_at_start=True,
        )
        try:
            await self._temporal.start_workflow(
                RUN_WORKFLOW,
                payload,
                id=run.id,
                task_queue=self._settings.task_queue,
                search_attributes=search_attributes.at_start(
                    run.thread_id, run.assistant_id, run.model
                ),
            )
        except Exception as exc:
            await self._mark_failed(project_id, run, "The run could not be started.")
            await self._store.thread_locks.release(run.thread_id, run.id)
            raise ServerError("The run could not be started. Try again.") from exc

    async def retrieve(self, project_id: str, thread_id: str, run_id: str) -> Run:
        """The run as the store has it (404 if unknown, or on another thread or project)."""
        run = await self._store.runs.find(project_id, run_id)
        if run is None or run.thread_id != thread_id:
            raise NotFoundError(f"No run found with id '{run_id}'.")
        return run

    async def update_metadata(
        self, project_id: str, thread_id: str, run_id: str, metadata: dict[str, str] | None
    ) -> Run:
        """Replace the run's metadata, the one field of a run its client owns (None: keep it).

        Every other field is the workflow's (one writer per run), so this does not go through
        Temporal; both writers use the store's atomic read-modify-write (`runs.modify`), so
        neither can undo the other's change.
        """
        run = await self.retrieve(project_id, thread_id, run_id)
        if metadata is None:
            return run
        return await self._store.runs.modify(
            project_id, run_id, lambda latest: latest.model_copy(update={"metadata": metadata})
        )

    async def submit_tool_outputs(
        self, project_id: str, thread_id: str, run_id: str, outputs: list[ToolOutput]
    ) -> Run:
        """Hand every pending call's output to the workflow; returns the run, `queued` or later."""
        run = await self.retrieve(project_id, thread_id, run_id)
        if run.status != "requires_action":
            raise InvalidRequestError(f'Runs in status "{run.status}" do not accept tool outputs.')
        await self._update(
            project_id, run, SUBMIT_TOOL_OUTPUTS, SubmitToolOutputsInput(tool_outputs=outputs)
        )
        return await self.retrieve(project_id, thread_id, run_id)

    async def cancel(self, project_id: str, thread_id: str, run_id: str) -> Run:
        """Ask the run to stop; returns it `cancelling` (or already ended)."""
        run = await self.retrieve(project_id, thread_id, run_id)
        if run.status in TERMINAL_STATUSES:
            raise InvalidRequestError(f"Cannot cancel run with status '{run.status}'.")
        await self._update(project_id, run, CANCEL, CancelRunInput())
        return await self.retrieve(project_id, thread_id, run_id)

    async def _update(self, project_id: str, run: Run, name: str, payload: object) -> RunSnapshot:
        handle = self._temporal.get_workflow_handle(run.id)
        try:
            snapshot: RunSnapshot = await handle.execute_update(
                name, payload, result_type=RunSnapshot
            )
            return snapshot
        except WorkflowUpdateFailedError as err:
            cause = err.cause
            if isinstance(cause, ApplicationError) and cause.type == "InvalidRequest":
                raise InvalidRequestError(cause.message) from err
            raise ServerError("The run could not be updated.") from err
        except RPCError as err:
            # The workflow closed between our read and the update: report the state it ended in.
            # Any other RPC failure (Temporal unreachable, say) is ours, not the client's.
            latest = await self._store.runs.get(project_id, run.id)
            if err.status != RPCStatusCode.NOT_FOUND and latest.status == run.status:
                raise ServerError("The run could not be updated; try again.") from err
            if name == SUBMIT_TOOL_OUTPUTS:
                message = f'Runs in status "{latest.status}" do not accept tool outputs.'
            else:
                message = f"Cannot cancel run with status '{latest.status}'."
            raise InvalidRequestError(message) from err

    async def wait(
        self,
        project_id: str,
        thread_id: str,
        run_id: str,
        *,
        until: frozenset[str] = WAIT_UNTIL_DEFAULT,
        timeout_s: float = 600.0,
        poll_s: float = 0.05,
    ) -> Run:
        """Poll the store until the run reaches one of `until` (default: terminal or
        requires_action, like the SDK's `poll()`)."""
        deadline = time.monotonic() + timeout_s
        while True:
            run = await self.retrieve(project_id, thread_id, run_id)
            if run.status in until:
                return run
            if time.monotonic() > deadline:
                raise TimeoutError(f"run {run_id} still {run.status} after {timeout_s} s")
            await asyncio.sleep(poll_s)
