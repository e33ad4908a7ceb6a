"""Pure rules for what a status transition changes on the run, its open step and its message.

Kept apart from the activity so the rules are unit-tested without a store (SPEC §3.1-§3.2).
"""

from __future__ import annotations

from activities.types import MessageIncompleteReason, RecordRunStatusInput
from core.objects.message import Message, MessageIncompleteDetails
from core.objects.run import (
    IncompleteDetails,
    LastError,
    RequiredAction,
    RequiredActionFunction,
    RequiredActionFunctionToolCall,
    RequiredActionSubmitToolOutputs,
    Run,
)
from core.objects.run_step import FunctionToolCall, RunStep, RunStepStatus
from core.objects.shared import Usage
from workflows.types import RunStatus, TokenUsage

# What an open (in_progress) step becomes when its run reaches a terminal status.
_STEP_ENDINGS: dict[str, RunStepStatus] = {
    "completed": "completed",
    "incomplete": "completed",
    "failed": "failed",
    "cancelled": "cancelled",
    "expired": "expired",
}
_DEFAULT_MESSAGE_REASON: dict[str, MessageIncompleteReason] = {
    "failed": "run_failed",
    "cancelled": "run_cancelled",
    "expired": "run_expired",
    "incomplete": "max_tokens",
}


def wire_usage(usage: TokenUsage) -> Usage:
    return Usage(
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        total_tokens=usage.total_tokens,
    )


def required_action_for(step: RunStep, call_ids: list[str]) -> RequiredAction:
    """The `required_action` listing the step's function calls that await client outputs."""
    calls = [
        RequiredActionFunctionToolCall(
            id=call.id,
            function=RequiredActionFunction(
                name=call.function.name, arguments=call.function.arguments
            ),
        )
        for call in getattr(step.step_details, "tool_calls", [])
        if isinstance(call, FunctionToolCall) and call.id in call_ids
    ]
    return RequiredAction(submit_tool_outputs=RequiredActionSubmitToolOutputs(tool_calls=calls))


def apply_status(run: Run, change: RecordRunStatusInput, action: RequiredAction | None) -> Run:
    """The run after `change`; timestamps per SPEC §3.1 (expires_at null once completed)."""
    update: dict[str, object] = {"status": change.status, "required_action": action}
    if change.usage is not None:
        update["usage"] = wire_usage(change.usage)
    stamp_field = {
        "in_progress": "started_at",
        "completed": "completed_at",
        "failed": "failed_at",
        "cancelled": "cancelled_at",
    }.get(change.status)
    if stamp_field:
        update[stamp_field] = change.at
    if change.status == "completed":
        update["expires_at"] = None
    if change.last_error is not None:
        update["last_error"] = LastError(
            code=change.last_error.code, message=change.last_error.message
        )
    if change.incomplete_reason is not None:
        update["incomplete_details"] = IncompleteDetails(reason=change.incomplete_reason)
    return run.model_copy(update=update)


def end_step(
    step: RunStep, run_status: RunStatus, at: int, error_code: str | None = None
) -> RunStep | None:
    """An open step closed with its run, or None if it stays as it is. A failed step carries
    the run's error code where the step's schema allows it (no `invalid_prompt` there)."""
    ending = _STEP_ENDINGS.get(run_status)
    if step.status != "in_progress" or ending is None:
        return None
    stamp = {"completed": "completed_at", "failed": "failed_at", "cancelled": "cancelled_at",
             "expired": "expired_at"}[ending]  # fmt: skip
    update: dict[str, object] = {"status": ending, stamp: at}
    if ending == "failed":
        code = error_code if error_code == "rate_limit_exceeded" else "server_error"
        update["last_error"] = {"code": code, "message": "The run failed."}
        return RunStep.model_validate({**step.model_dump(), **update})
    return step.model_copy(update=update)


def end_message(
    message: Message, run_status: RunStatus, at: int, reason: MessageIncompleteReason | None
) -> Message | None:
    """An open assistant message closed with its run, or None if it stays as it is."""
    if message.status != "in_progress" or run_status not in _STEP_ENDINGS:
        return None
    if run_status == "completed":
        return message.model_copy(update={"status": "completed", "completed_at": at})
    why = reason or _DEFAULT_MESSAGE_REASON[run_status]
    return message.model_copy(
        update={
            "status": "incomplete",
            "incomplete_at": at,
            "incomplete_details": MessageIncompleteDetails(reason=why),
        }
    )
