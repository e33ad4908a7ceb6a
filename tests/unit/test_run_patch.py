"""activities/_run_patch.py: what a status transition changes on the run, its step and message."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from activities._run_patch import (
    apply_status,
    end_message,
    end_step,
    required_action_for,
    wire_usage,
)
from activities.types import LastErrorInput, RecordRunStatusInput, RunRef
from core.objects.message import Message, MessageIncompleteDetails, Text, TextContentBlock
from core.objects.run import (
    IncompleteDetails,
    LastError,
    RequiredAction,
    RequiredActionFunction,
    RequiredActionFunctionToolCall,
    RequiredActionSubmitToolOutputs,
    Run,
)
from core.objects.run_step import (
    CodeInterpreter,
    CodeInterpreterToolCall,
    FunctionToolCall,
    FunctionToolCallFunction,
    MessageCreation,
    MessageCreationStepDetails,
    RunStep,
    RunStepLastError,
    ToolCallsStepDetails,
)
from core.objects.shared import Usage
from workflows.types import RunStatus, TokenUsage

CREATED = 1_700_000_000
EXPIRES = CREATED + 600
AT = CREATED + 42
ALL_STATUSES: tuple[str, ...] = get_args(RunStatus)
TERMINAL = ("completed", "incomplete", "failed", "cancelled", "expired")
NON_TERMINAL = ("queued", "in_progress", "requires_action", "cancelling")
STAMPS = ("started_at", "completed_at", "failed_at", "cancelled_at")
REF = RunRef(run_id="run_1", thread_id="thread_1", project_id="proj")


def make_run(**fields: Any) -> Run:
    base: dict[str, Any] = {
        "id": "run_1",
        "created_at": CREATED,
        "thread_id": "thread_1",
        "assistant_id": "asst_1",
        "status": "queued",
        "expires_at": EXPIRES,
        "model": "gpt-4o",
        "instructions": "",
    }
    return Run(**{**base, **fields})


def change(status: str, **fields: Any) -> RecordRunStatusInput:
    return RecordRunStatusInput(run=REF, status=status, transition=1, at=AT, **fields)


def function_call(call_id: str, name: str = "get_weather", output: str | None = None) -> Any:
    return FunctionToolCall(
        id=call_id,
        function=FunctionToolCallFunction(name=name, arguments='{"city":"Oslo"}', output=output),
    )


def tool_step(status: str = "in_progress", calls: list[Any] | None = None) -> RunStep:
    return RunStep(
        id="step_1",
        created_at=CREATED,
        assistant_id="asst_1",
        thread_id="thread_1",
        run_id="run_1",
        type="tool_calls",
        status=status,
        step_details=ToolCallsStepDetails(tool_calls=calls or [function_call("call_a")]),
    )


def message_step(status: str = "in_progress") -> RunStep:
    return RunStep(
        id="step_2",
        created_at=CREATED,
        assistant_id="asst_1",
        thread_id="thread_1",
        run_id="run_1",
        type="message_creation",
        status=status,
        step_details=MessageCreationStepDetails(message_creation=MessageCreation(message_id="m")),
    )


def assistant_message(status: str = "in_progress") -> Message:
    return Message(
        id="msg_1",
        created_at=CREATED,
        thread_id="thread_1",
        status=status,
        role="assistant",
        content=[TextContentBlock(text=Text(value="Partial answ"))],
        assistant_id="asst_1",
        run_id="run_1",
    )


A_REQUIRED_ACTION = RequiredAction(
    submit_tool_outputs=RequiredActionSubmitToolOutputs(
        tool_calls=[
            RequiredActionFunctionToolCall(
                id="call_a", function=RequiredActionFunction(name="f", arguments="{}")
            )
        ]
    )
)


# -- wire_usage -----------------------------------------------------------------------------


def test_wire_usage_fills_the_total() -> None:
    usage = wire_usage(TokenUsage(prompt_tokens=200, completion_tokens=300))
    assert usage == Usage(prompt_tokens=200, completion_tokens=300, total_tokens=500)


# -- apply_status ---------------------------------------------------------------------------

_STAMP_FOR = {
    "in_progress": "started_at",
    "completed": "completed_at",
    "failed": "failed_at",
    "cancelled": "cancelled_at",
}


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_apply_status_sets_only_the_timestamp_of_the_new_status(status: str) -> None:
    after = apply_status(make_run(), change(status), None)
    assert after.status == status
    for field in STAMPS:
        expected = AT if _STAMP_FOR.get(status) == field else None
        assert getattr(after, field) == expected, field


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_expires_at_becomes_null_only_once_completed(status: str) -> None:
    """SPEC §3.1: expires_at is unchanged by every transition except completion."""
    after = apply_status(make_run(), change(status), None)
    assert after.expires_at == (None if status == "completed" else EXPIRES)


def test_started_at_is_restamped_when_the_run_resumes_after_tool_outputs() -> None:
    running = apply_status(make_run(), change("in_progress"), None)
    resumed = running.model_copy(update={"status": "queued"})
    later = RecordRunStatusInput(run=REF, status="in_progress", transition=5, at=AT + 100)
    assert apply_status(resumed, later, None).started_at == AT + 100


def test_earlier_timestamps_survive_a_later_transition() -> None:
    running = apply_status(make_run(), change("in_progress"), None)
    done = RecordRunStatusInput(run=REF, status="completed", transition=2, at=AT + 7)
    after = apply_status(running, done, None)
    assert (after.started_at, after.completed_at) == (AT, AT + 7)
    assert after.created_at == CREATED


def test_requires_action_carries_the_given_action() -> None:
    after = apply_status(
        make_run(status="in_progress"), change("requires_action"), A_REQUIRED_ACTION
    )
    assert after.required_action == A_REQUIRED_ACTION
    assert after.expires_at == EXPIRES


@pytest.mark.parametrize("status", ["queued", "in_progress", "cancelling", *TERMINAL])
def test_required_action_is_cleared_when_leaving_requires_action(status: str) -> None:
    waiting = make_run(status="requires_action", required_action=A_REQUIRED_ACTION)
    assert apply_status(waiting, change(status), None).required_action is None


def test_failed_sets_last_error() -> None:
    error = LastErrorInput(code="rate_limit_exceeded", message="Rate limit exceeded.")
    after = apply_status(make_run(status="in_progress"), change("failed", last_error=error), None)
    assert after.last_error == LastError(code="rate_limit_exceeded", message="Rate limit exceeded.")
    assert after.incomplete_details is None


@pytest.mark.parametrize("reason", ["max_prompt_tokens", "max_completion_tokens"])
def test_incomplete_sets_incomplete_details(reason: str) -> None:
    after = apply_status(
        make_run(status="in_progress"), change("incomplete", incomplete_reason=reason), None
    )
    assert after.incomplete_details == IncompleteDetails(reason=reason)
    assert after.last_error is None


def test_usage_is_written_in_wire_form_when_given_and_kept_otherwise() -> None:
    usage = TokenUsage(prompt_tokens=12, completion_tokens=3)
    with_usage = apply_status(make_run(), change("completed", usage=usage), None)
    assert with_usage.usage == Usage(prompt_tokens=12, completion_tokens=3, total_tokens=15)
    assert apply_status(with_usage, change("completed"), None).usage == with_usage.usage


def test_apply_status_does_not_mutate_the_given_run() -> None:
    before = make_run()
    apply_status(before, change("completed"), None)
    assert before.status == "queued"
    assert before.expires_at == EXPIRES


def test_a_patched_run_still_validates_as_a_run() -> None:
    error = LastErrorInput(code="server_error", message="boom")
    after = apply_status(make_run(), change("failed", last_error=error), None)
    assert Run.model_validate(after.model_dump()) == after


# -- end_step -------------------------------------------------------------------------------

_STEP_ENDING = {
    "completed": ("completed", "completed_at"),
    "incomplete": ("completed", "completed_at"),
    "failed": ("failed", "failed_at"),
    "cancelled": ("cancelled", "cancelled_at"),
    "expired": ("expired", "expired_at"),
}
_STEP_STAMPS = ("completed_at", "failed_at", "cancelled_at", "expired_at")


@pytest.mark.parametrize("run_status", TERMINAL)
@pytest.mark.parametrize("make_step", [tool_step, message_step], ids=["tool_calls", "message"])
def test_end_step_closes_an_open_step_with_the_matching_status_and_stamp(
    run_status: RunStatus, make_step: Any
) -> None:
    ended = end_step(make_step(), run_status, AT)
    assert ended is not None
    status, stamp = _STEP_ENDING[run_status]
    assert ended.status == status
    for field in _STEP_STAMPS:
        assert getattr(ended, field) == (AT if field == stamp else None), field


def test_a_failed_step_gets_its_own_last_error_and_keeps_its_details() -> None:
    step = tool_step(calls=[function_call("call_a"), function_call("call_b", name="other")])
    ended = end_step(step, "failed", AT)
    assert ended is not None
    assert ended.last_error == RunStepLastError(code="server_error", message="The run failed.")
    assert ended.step_details == step.step_details
    assert (ended.id, ended.run_id, ended.type) == (step.id, step.run_id, step.type)


@pytest.mark.parametrize("run_status", ["completed", "incomplete", "cancelled", "expired"])
def test_steps_ended_without_failure_have_no_last_error(run_status: RunStatus) -> None:
    ended = end_step(tool_step(), run_status, AT)
    assert ended is not None
    assert ended.last_error is None


@pytest.mark.parametrize("run_status", NON_TERMINAL)
def test_end_step_leaves_the_step_open_for_non_terminal_runs(run_status: RunStatus) -> None:
    assert end_step(tool_step(), run_status, AT) is None


@pytest.mark.parametrize("step_status", ["completed", "failed", "cancelled", "expired"])
@pytest.mark.parametrize("run_status", TERMINAL)
def test_end_step_leaves_already_closed_steps_alone(
    step_status: str, run_status: RunStatus
) -> None:
    assert end_step(tool_step(status=step_status), run_status, AT) is None


# -- end_message ----------------------------------------------------------------------------


def test_a_completed_run_completes_its_open_message() -> None:
    ended = end_message(assistant_message(), "completed", AT, None)
    assert ended is not None
    assert ended.status == "completed"
    assert ended.completed_at == AT
    assert ended.incomplete_at is None
    assert ended.incomplete_details is None


@pytest.mark.parametrize(
    ("run_status", "reason"),
    [
        ("failed", "run_failed"),
        ("cancelled", "run_cancelled"),
        ("expired", "run_expired"),
        ("incomplete", "max_tokens"),
    ],
)
def test_other_endings_leave_the_message_incomplete_with_the_default_reason(
    run_status: RunStatus, reason: str
) -> None:
    ended = end_message(assistant_message(), run_status, AT, None)
    assert ended is not None
    assert ended.status == "incomplete"
    assert ended.incomplete_at == AT
    assert ended.completed_at is None
    assert ended.incomplete_details == MessageIncompleteDetails(reason=reason)
    assert ended.content == assistant_message().content


@pytest.mark.parametrize("run_status", ["failed", "cancelled", "expired", "incomplete"])
def test_a_given_reason_overrides_the_default(run_status: RunStatus) -> None:
    ended = end_message(assistant_message(), run_status, AT, "run_cancelled")
    assert ended is not None
    assert ended.incomplete_details == MessageIncompleteDetails(reason="run_cancelled")


@pytest.mark.parametrize("run_status", NON_TERMINAL)
def test_end_message_leaves_the_message_open_for_non_terminal_runs(run_status: RunStatus) -> None:
    assert end_message(assistant_message(), run_status, AT, "run_failed") is None


@pytest.mark.parametrize("message_status", ["completed", "incomplete"])
@pytest.mark.parametrize("run_status", TERMINAL)
def test_end_message_leaves_closed_messages_alone(
    message_status: str, run_status: RunStatus
) -> None:
    assert end_message(assistant_message(status=message_status), run_status, AT, None) is None


# -- required_action_for --------------------------------------------------------------------


def test_required_action_lists_only_the_requested_calls_in_step_order() -> None:
    step = tool_step(
        calls=[
            function_call("call_a", name="alpha"),
            function_call("call_b", name="server_tool"),
            function_call("call_c", name="gamma"),
        ]
    )
    action = required_action_for(step, ["call_c", "call_a"])
    assert action.type == "submit_tool_outputs"
    calls = action.submit_tool_outputs.tool_calls
    assert [(c.id, c.type, c.function.name) for c in calls] == [
        ("call_a", "function", "alpha"),
        ("call_c", "function", "gamma"),
    ]
    assert calls[0].function.arguments == '{"city":"Oslo"}'


def test_required_action_skips_non_function_calls_and_unknown_ids() -> None:
    interpreter = CodeInterpreterToolCall(
        id="call_ci", code_interpreter=CodeInterpreter(input="1+1", outputs=[])
    )
    step = tool_step(calls=[interpreter, function_call("call_a")])
    action = required_action_for(step, ["call_ci", "call_a", "call_missing"])
    assert [c.id for c in action.submit_tool_outputs.tool_calls] == ["call_a"]


def test_required_action_for_a_message_step_is_empty() -> None:
    action = required_action_for(message_step(), ["call_a"])
    assert action.submit_tool_outputs.tool_calls == []
