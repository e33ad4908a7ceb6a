"""RunActivities: the run's row and event log, kept in step with the workflow's decisions."""

from __future__ import annotations

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities._run_patch import apply_status, end_message, end_step, required_action_for
from activities.types import RecordRunStatusInput
from core.objects.run import RequiredAction
from core.store import Store
from workflows.types import TERMINAL_STATUSES


class RunActivities:
    """Writes of the run aggregate. Every method is an idempotent upsert (safe to retry)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @activity.defn(name="record_run_status")
    async def record_run_status(self, change: RecordRunStatusInput) -> None:
        """Apply a transition to the run row and append `thread.run.<status>` to its events.

        Terminal transitions first close the open message and step (their events come before
        the run's, as the SDK's stream accumulator expects), then release the thread lock.
        """
        ref = change.run
        run = await self._store.runs.find(ref.project_id, ref.run_id)
        if run is None:
            # The thread (and with it the run) was deleted: nothing left to record.
            raise ApplicationError(f"run {ref.run_id} is gone", type="NotFound", non_retryable=True)
        if change.status in TERMINAL_STATUSES:
            await self._close_open_objects(change)
        action = await self._required_action(change)
        # modify, not upsert: the client may change the run's metadata meanwhile.
        updated = await self._store.runs.modify(
            ref.project_id, ref.run_id, lambda latest: apply_status(latest, change, action)
        )
        await self._store.run_events.append(
            ref.run_id,
            f"thread.run.{change.status}",
            updated.model_dump(mode="json"),
            dedupe_key=f"run.{change.transition}",
        )
        if change.status in TERMINAL_STATUSES:
            await self._store.thread_locks.release(ref.thread_id, ref.run_id)

    async def _required_action(self, change: RecordRunStatusInput) -> RequiredAction | None:
        if change.status != "requires_action" or change.required_action_step_id is None:
            return None
        step = await self._store.run_steps.get(
            change.run.project_id, change.required_action_step_id
        )
        return required_action_for(step, change.pending_call_ids)

    async def _close_open_objects(self, change: RecordRunStatusInput) -> None:
        ref = change.run
        for message in await self._store.messages.open_for_run(ref.project_id, ref.run_id):
            closed = end_message(
                message, change.status, change.at, change.message_incomplete_reason
            )
            if closed is not None:
                await self._store.messages.upsert(ref.project_id, closed)
                await self._store.run_events.append(
                    ref.run_id,
                    f"thread.message.{closed.status}",
                    closed.model_dump(mode="json"),
                    dedupe_key=f"message.{closed.id}.{closed.status}",
                )
        for step in await self._store.run_steps.open_for_run(ref.project_id, ref.run_id):
            code = change.last_error.code if change.last_error else None
            ended = end_step(step, change.status, change.at, code)
            if ended is not None:
                await self._store.run_steps.upsert(ref.project_id, ended)
                await self._store.run_events.append(
                    ref.run_id,
                    f"thread.run.step.{ended.status}",
                    ended.model_dump(mode="json"),
                    dedupe_key=f"step.{ended.id}.{ended.status}",
                )
