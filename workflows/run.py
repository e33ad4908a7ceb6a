"""RunWorkflow: one Assistants run, from queued to a terminal status (SPEC §3).

The workflow decides; activities do every byte of I/O. The API (or the typed runs client) has
already written the `queued` row, its events and the thread lock before starting us; from then
on this workflow is the only writer of the run, its steps and its messages.

Each loop iteration: check cancel/expiry/budget -> call the model (streams into the event log,
persists the step it produced) -> charge usage -> finish with the message, or run server-side
tools, or wait durably in requires_action for submit_tool_outputs. Model and tool failures end
the run as data (`failed` + `last_error`); the workflow itself always completes.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Literal, TypeVar

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    # Not `from workflows import ...`: that form reaches the sandbox's importer without the
    # passthrough, so both modules would be executed again for every run.
    import workflows._webhooks as _webhooks
    import workflows.search_attributes as search_attributes
    from activities.code_interpreter import CodeInterpreterActivities
    from activities.file_search import FileSearchActivities
    from activities.model import ModelActivities
    from activities.runs import RunActivities
    from activities.tools import ToolActivities
    from activities.types import (
        CompleteToolStepInput,
        DispatchToolInput,
        GeneratedToolCall,
        GenerateInput,
        GenerateResult,
        LastErrorInput,
        MessageIncompleteReason,
        RecordRunStatusInput,
        RunRef,
    )
    from core import ids
    from core.observability.metrics import model_label
    from workflows._budget import Budget
    from workflows._failures import last_error_from
    from workflows._metrics import RunMetrics
    from workflows._retry import retry_policy
    from workflows.types import (
        CANCEL,
        CANCELLABLE_STATUSES,
        GET_RUN,
        RUN_WORKFLOW,
        SUBMIT_TOOL_OUTPUTS,
        TERMINAL_STATUSES,
        CancelRunInput,
        IncompleteReason,
        RunCarry,
        RunInput,
        RunSnapshot,
        RunStatus,
        SubmitToolOutputsInput,
        TokenUsage,
        ToolOutput,
    )

T = TypeVar("T")
_TOOL_ACTIVITIES: dict[str, Callable[..., Awaitable[None]]] = {
    "file_search": FileSearchActivities.run_file_search,
    "code_interpreter": CodeInterpreterActivities.run_code,
}
"""Server-side calls of the built-in tools; any other is a registered function."""
CUT_SHORT_TOOL_CALLS_PATCH = "cut-short-tool-calls-end-incomplete"
Interrupt = Literal["cancelled", "expired"]


@workflow.defn(name=RUN_WORKFLOW)
class RunWorkflow:
    @workflow.init
    def __init__(self, input: RunInput) -> None:
        carry = input.carry or RunCarry()
        self._input = input
        self._ref = RunRef(
            run_id=input.run_id, thread_id=input.thread_id, project_id=input.project_id
        )
        self._status: RunStatus = "in_progress" if input.carry else "queued"
        self._budget = Budget(input.max_prompt_tokens, input.max_completion_tokens, carry.usage)
        self._iteration = carry.iteration
        self._transition = carry.transition
        self._pending_calls: list[str] = []
        self._submitted: list[ToolOutput] | None = None
        self._resumptions = 0
        """How many times submitted outputs were taken and the run went back to queued."""
        self._cancel_requested = False
        # Runs started before the API sent a label get one from the built-in table.
        label = input.model_label or model_label(input.model)
        self._metrics = RunMetrics(label, self._began_at(input, carry))

    @staticmethod
    def _began_at(input: RunInput, carry: RunCarry) -> float:
        """When the run began, to the millisecond: its first execution's start. The API starts
        it right after writing the queued row, whose `created_at` has whole seconds only."""
        if input.carry is None:
            return workflow.info().workflow_start_time.timestamp()
        return carry.began_at or float(input.created_at)

    # -- lifecycle -------------------------------------------------------------------------

    @workflow.run
    async def run(self, input: RunInput) -> RunSnapshot:
        if not input.indexed_at_start:
            self._index(input)
        if input.carry is None:
            self._metrics.started()
            interrupted = await self._interruption()
            if interrupted is None:
                self._metrics.first_in_progress()
                await self._record("in_progress")
            else:
                await self._end_interrupted(interrupted)
        if self._status not in TERMINAL_STATUSES:
            await self._loop()
        # Let submit/cancel handlers return their snapshot before the workflow closes.
        await workflow.wait_condition(workflow.all_handlers_finished)
        self._log_finished(self._metrics.finished(self._status))
        return self._snapshot()

    def _index(self, input: RunInput) -> None:
        pairs = search_attributes.of_run(
            self._status, input.thread_id, input.assistant_id, input.model
        )
        workflow.upsert_search_attributes([pair.key.value_set(pair.value) for pair in pairs])

    def _log_finished(self, duration_s: float) -> None:
        # The run's one canonical line; workflow.logger stays silent while replaying.
        workflow.logger.info(
            "run_finished",
            extra={
                "run_id": self._input.run_id,
                "thread_id": self._input.thread_id,
                "status": self._status,
                "model": self._input.model,
                "prompt_tokens": self._budget.used.prompt_tokens,
                "completion_tokens": self._budget.used.completion_tokens,
                "steps": self._iteration,
                "duration_s": round(duration_s, 3),
            },
        )

    async def _loop(self) -> None:
        start_iteration = self._iteration
        while self._status not in TERMINAL_STATUSES:
            interrupted = await self._interruption()
            if interrupted is not None:
                return await self._end_interrupted(interrupted)
            if (reason := self._budget.exhausted()) is not None:
                return await self._end_incomplete(reason)
            if self._iteration - start_iteration >= self._input.limits.iterations_per_history:
                await self._continue_as_new()
            await self._iterate()

    async def _iterate(self) -> None:
        self._iteration += 1
        step_id = ids.new_id("step", uuid=workflow.uuid4())
        message_id = ids.new_id("message", uuid=workflow.uuid4())
        outcome = await self._generate(step_id, message_id)
        if isinstance(outcome, str):
            return await self._end_interrupted(outcome)
        if isinstance(outcome, ActivityError):
            return await self._end_failed(outcome)
        self._budget = self._budget.charge(outcome.usage)
        if outcome.kind == "prompt_too_large":
            return await self._end_incomplete("max_prompt_tokens")
        if outcome.kind == "message":
            cut_short = self._budget.cut_short_reason(outcome.finish_reason)
            if cut_short is not None:
                return await self._end_incomplete(cut_short, message_reason="max_tokens")
            return await self._record("completed", usage=self._budget.used)
        if (cut_short := self._tool_calls_cut_short(outcome)) is not None:
            # Arguments cut off by the completion cap are not valid calls: no tool may run
            # them and no client may be asked for outputs. The step completes with its usage.
            await self._complete_tool_step(step_id, outcome.usage, [])
            return await self._end_incomplete(cut_short)
        await self._run_tool_calls(step_id, outcome)

    def _tool_calls_cut_short(self, outcome: GenerateResult) -> IncompleteReason | None:
        reason = self._budget.cut_short_reason(outcome.finish_reason)
        # Asked only when it matters, so other histories carry no marker; runs recorded before
        # this check (which went on to run the truncated calls) replay unchanged.
        if reason is not None and workflow.patched(CUT_SHORT_TOOL_CALLS_PATCH):
            return reason
        return None

    async def _continue_as_new(self) -> None:
        await workflow.wait_condition(workflow.all_handlers_finished)
        carry = RunCarry(
            iteration=self._iteration,
            usage=self._budget.used,
            transition=self._transition,
            began_at=self._metrics.began_at,
        )
        workflow.continue_as_new(self._input.model_copy(update={"carry": carry}))

    # -- model and tools -------------------------------------------------------------------

    async def _generate(
        self, step_id: str, message_id: str
    ) -> GenerateResult | ActivityError | Interrupt:
        limits = self._input.limits
        request = GenerateInput(
            run=self._ref,
            step_id=step_id,
            message_id=message_id,
            at=self._now(),
            max_prompt_tokens=self._budget.prompt_left(),
            max_completion_tokens=self._budget.completion_left(),
        )
        return await self._interruptible(
            lambda: workflow.start_activity_method(
                ModelActivities.generate,
                request,
                start_to_close_timeout=timedelta(seconds=limits.model_call_timeout_s),
                heartbeat_timeout=timedelta(seconds=limits.model_heartbeat_timeout_s),
                retry_policy=retry_policy(limits.model_retry, ["InvalidPrompt", "NotFound"]),
                # The in-flight call is cancelled, not awaited (issue: cancel/expiry).
                cancellation_type=workflow.ActivityCancellationType.TRY_CANCEL,
            )
        )

    async def _run_tool_calls(self, step_id: str, outcome: GenerateResult) -> None:
        for call in (c for c in outcome.tool_calls if c.server_side):
            result = await self._dispatch(step_id, call)
            if isinstance(result, str):
                return await self._end_interrupted(result)
            if isinstance(result, ActivityError):
                return await self._end_failed(result)
        client_calls = [c.id for c in outcome.tool_calls if not c.server_side]
        if client_calls:
            submitted = await self._await_tool_outputs(step_id, client_calls, outcome.usage)
            if isinstance(submitted, str):
                return await self._end_interrupted(submitted)
        await self._complete_tool_step(step_id, outcome.usage, self._submitted or [])
        self._submitted = None
        if client_calls:
            # SPEC §6.3 second leg: step.completed, run.queued, run.in_progress.
            await self._record("queued")
            self._resumptions += 1
            await self._record("in_progress")

    async def _dispatch(
        self, step_id: str, call: GeneratedToolCall
    ) -> ActivityError | Interrupt | None:
        limits = self._input.limits
        request = DispatchToolInput(run=self._ref, step_id=step_id, call_id=call.id)
        # Built-in calls exist only in runs started with this code (no running execution has
        # one), so the branch needs no patch marker.
        activity_method = _TOOL_ACTIVITIES.get(call.kind, ToolActivities.dispatch_function_tool)
        return await self._interruptible(
            lambda: workflow.start_activity_method(
                activity_method,
                request,
                start_to_close_timeout=timedelta(seconds=limits.tool_call_timeout_s),
                # Code runs heartbeat, so a worker that dies mid-call is noticed in seconds.
                heartbeat_timeout=(
                    timedelta(seconds=limits.model_heartbeat_timeout_s)
                    if call.kind == "code_interpreter"
                    else None
                ),
                retry_policy=retry_policy(limits.tool_retry),
                cancellation_type=workflow.ActivityCancellationType.TRY_CANCEL,
            )
        )

    async def _await_tool_outputs(
        self, step_id: str, call_ids: list[str], usage: TokenUsage
    ) -> Interrupt | None:
        # Pending before the status is recorded: the store shows requires_action (written inside
        # the activity) a moment before this workflow learns the activity finished, and a
        # client that reacts at once must not be refused.
        self._pending_calls = call_ids
        await self._record(
            "requires_action",
            usage=self._budget.used,
            required_action_step_id=step_id,
            pending_call_ids=call_ids,
        )
        since = workflow.now()
        try:
            await workflow.wait_condition(
                lambda: self._submitted is not None or self._cancel_requested,
                timeout=self._time_left(),
            )
        except TimeoutError:
            self._metrics.waited_for_outputs(since, "expired")
            return "expired"
        finally:
            self._pending_calls = []
        outcome: Interrupt | None = "cancelled" if self._submitted is None else None
        self._metrics.waited_for_outputs(since, outcome or "submitted")
        return outcome

    async def _complete_tool_step(
        self, step_id: str, usage: TokenUsage, outputs: list[ToolOutput]
    ) -> None:
        request = CompleteToolStepInput(
            run=self._ref, step_id=step_id, at=self._now(), usage=usage, outputs=outputs
        )
        await self._store_activity(ToolActivities.complete_tool_step, request)

    # -- interruption (cancel, expiry) -----------------------------------------------------

    def _time_left(self) -> timedelta:
        left = self._input.expires_at - workflow.now().timestamp()
        return timedelta(seconds=max(left, 0.0))

    async def _interruption(self) -> Interrupt | None:
        if self._cancel_requested:
            return "cancelled"
        if self._time_left() <= timedelta(0):
            return "expired"
        return None

    async def _interruptible(
        self, start: Callable[[], asyncio.Task[T]]
    ) -> T | ActivityError | Interrupt:
        """Run an activity, but give up on it the moment the run is cancelled or expires."""
        handle = start()
        try:
            await workflow.wait_condition(
                lambda: handle.done() or self._cancel_requested, timeout=self._time_left()
            )
        except TimeoutError:
            return await self._abandon(handle, "expired")
        if not handle.done():
            return await self._abandon(handle, "cancelled")
        try:
            return await handle
        except ActivityError as err:
            return err

    @staticmethod
    async def _abandon(handle: asyncio.Task[Any], why: Interrupt) -> Interrupt:
        handle.cancel()
        # TRY_CANCEL resolves at once; the activity's own fate no longer matters.
        with contextlib.suppress(ActivityError, asyncio.CancelledError):
            await handle
        return why

    # -- endings ---------------------------------------------------------------------------

    async def _end_interrupted(self, why: Interrupt) -> None:
        if why == "expired":
            return await self._record(
                "expired", usage=self._budget.used, message_incomplete_reason="run_expired"
            )
        await self._record("cancelling")
        await self._record(
            "cancelled", usage=self._budget.used, message_incomplete_reason="run_cancelled"
        )

    async def _end_failed(self, err: ActivityError) -> None:
        code, message = last_error_from(err)
        await self._record(
            "failed",
            usage=self._budget.used,
            last_error=LastErrorInput(code=code, message=message),
            message_incomplete_reason="run_failed",
        )

    async def _end_incomplete(
        self, reason: IncompleteReason, message_reason: MessageIncompleteReason | None = None
    ) -> None:
        self._metrics.budget_exhausted(reason)
        await self._record(
            "incomplete",
            usage=self._budget.used,
            incomplete_reason=reason,
            message_incomplete_reason=message_reason,
        )

    async def _record(self, status: RunStatus, **fields: Any) -> None:
        """Persist a transition (row + event) and only then expose it to handlers."""
        self._transition += 1
        request = RecordRunStatusInput(
            run=self._ref, status=status, transition=self._transition, at=self._now(), **fields
        )
        await self._store_activity(RunActivities.record_run_status, request)
        self._status = status
        workflow.upsert_search_attributes([search_attributes.RUN_STATUS.value_set(status)])
        if _webhooks.wanted(self._input, status):
            await _webhooks.notify(self._input, self._transition, status, request.at)

    async def _store_activity(self, method: Callable[..., Awaitable[Any]], arg: Any) -> Any:
        limits = self._input.limits
        return await workflow.execute_activity_method(
            method,
            arg,
            start_to_close_timeout=timedelta(seconds=limits.store_timeout_s),
            retry_policy=retry_policy(limits.store_retry, ["NotFound"]),
        )

    def _now(self) -> int:
        return int(workflow.now().timestamp())

    def _snapshot(self) -> RunSnapshot:
        return RunSnapshot(
            run_id=self._input.run_id,
            status=self._status,
            pending_tool_call_ids=list(self._pending_calls),
            usage=self._budget.used,
        )

    # -- handlers --------------------------------------------------------------------------

    @workflow.query(name=GET_RUN)
    def get_run(self) -> RunSnapshot:
        return self._snapshot()

    @workflow.update(name=SUBMIT_TOOL_OUTPUTS)
    async def submit_tool_outputs(self, input: SubmitToolOutputsInput) -> RunSnapshot:
        self._submitted = list(input.tool_outputs)
        resumptions = self._resumptions
        # Return once the run is back in queued (or beyond), as the Assistants API does.
        await workflow.wait_condition(
            lambda: self._resumptions > resumptions or self._status in TERMINAL_STATUSES
        )
        return self._snapshot()

    @submit_tool_outputs.validator
    def _validate_submit_tool_outputs(self, input: SubmitToolOutputsInput) -> None:
        # Validators write nothing to history: a rejected submit leaves no trace.
        status = "expired" if self._is_past_expiry() else self._status
        awaiting = bool(self._pending_calls) and status in {"in_progress", "requires_action"}
        if not awaiting or self._submitted is not None or self._cancel_requested:
            raise ApplicationError(
                f'Runs in status "{status}" do not accept tool outputs.', type="InvalidRequest"
            )
        got = [output.tool_call_id for output in input.tool_outputs]
        if sorted(got) != sorted(self._pending_calls):
            raise ApplicationError(
                f"Expected tool outputs for call_ids {self._pending_calls}, got {got}",
                type="InvalidRequest",
            )

    def _is_past_expiry(self) -> bool:
        return self._time_left() <= timedelta(0) and self._status not in TERMINAL_STATUSES

    @workflow.update(name=CANCEL)
    async def cancel(self, input: CancelRunInput) -> RunSnapshot:
        self._cancel_requested = True
        await workflow.wait_condition(
            lambda: self._status == "cancelling" or self._status in TERMINAL_STATUSES
        )
        return self._snapshot()

    @cancel.validator
    def _validate_cancel(self, input: CancelRunInput) -> None:
        if self._status not in CANCELLABLE_STATUSES and self._status != "cancelling":
            raise ApplicationError(
                f"Cannot cancel run with status '{self._status}'.", type="InvalidRequest"
            )
