"""workflows/_failures.py: a spent activity's ActivityError -> the run's last_error."""

from __future__ import annotations

import pytest
from temporalio.api.failure.v1 import Failure
from temporalio.converter import DataConverter
from temporalio.exceptions import (
    ActivityError,
    ApplicationError,
    CancelledError,
    RetryState,
    TimeoutError,
    TimeoutType,
)

from workflows._failures import last_error_from


def activity_error(cause: BaseException | None) -> ActivityError:
    """An ActivityError as the SDK's failure converter builds it: the cause is `__cause__`."""
    err = ActivityError(
        "Activity task failed",
        scheduled_event_id=5,
        started_event_id=6,
        identity="worker@test",
        activity_type="generate",
        activity_id="1",
        retry_state=RetryState.MAXIMUM_ATTEMPTS_REACHED,
    )
    err.__cause__ = cause
    return err


def test_the_helper_builds_an_error_whose_cause_is_the_sdk_cause() -> None:
    cause = ApplicationError("boom", type="X")
    assert activity_error(cause).cause is cause


@pytest.mark.parametrize(
    ("error_type", "code"),
    [
        ("RateLimited", "rate_limit_exceeded"),
        ("InvalidPrompt", "invalid_prompt"),
        ("ServerError", "server_error"),
        ("AuthenticationFailed", "server_error"),
        (None, "server_error"),
    ],
)
def test_application_error_type_maps_to_the_last_error_code(
    error_type: str | None, code: str
) -> None:
    cause = ApplicationError("upstream said: slow down, tokens per minute", type=error_type)
    got_code, message = last_error_from(activity_error(cause))
    assert got_code == code
    assert "upstream said: slow down, tokens per minute" in message


def test_rate_limit_message_explains_and_quotes_the_provider() -> None:
    cause = ApplicationError("Rate limit reached for gpt-4o", type="RateLimited")
    code, message = last_error_from(activity_error(cause))
    assert code == "rate_limit_exceeded"
    assert message.startswith("Rate limit exceeded")
    assert message.endswith("Rate limit reached for gpt-4o")


def test_invalid_prompt_keeps_the_providers_words() -> None:
    cause = ApplicationError("context_length_exceeded: 130000 > 128000", type="InvalidPrompt")
    code, message = last_error_from(activity_error(cause))
    assert code == "invalid_prompt"
    assert "rejected the prompt" in message
    assert "context_length_exceeded: 130000 > 128000" in message


def test_application_error_without_a_message_gets_the_generic_text_only() -> None:
    code, message = last_error_from(activity_error(ApplicationError("", type="RateLimited")))
    assert code == "rate_limit_exceeded"
    assert message == "Rate limit exceeded while calling the model. Try again later."


@pytest.mark.parametrize(
    ("timeout_type", "word"),
    [
        (TimeoutType.HEARTBEAT, "heartbeat"),
        (TimeoutType.START_TO_CLOSE, "start_to_close"),
        (TimeoutType.SCHEDULE_TO_CLOSE, "schedule_to_close"),
        (None, "timeout"),
    ],
)
def test_timeouts_are_server_errors_naming_the_timeout(
    timeout_type: TimeoutType | None, word: str
) -> None:
    cause = TimeoutError("activity timeout", type=timeout_type, last_heartbeat_details=[])
    code, message = last_error_from(activity_error(cause))
    assert code == "server_error"
    assert "timed out" in message
    assert f"({word})" in message


@pytest.mark.parametrize(
    "cause",
    [None, CancelledError("cancelled"), RuntimeError("not a temporal failure")],
    ids=["no-cause", "cancelled", "plain-exception"],
)
def test_other_causes_are_generic_server_errors(cause: BaseException | None) -> None:
    assert last_error_from(activity_error(cause)) == (
        "server_error",
        "Sorry, something went wrong.",
    )


async def test_an_error_decoded_from_a_failure_proto_maps_the_same() -> None:
    """The real decode path (Failure proto -> ActivityError with a typed cause) is understood."""
    converter = DataConverter.default
    failure = Failure()
    await converter.encode_failure(
        activity_error(ApplicationError("Rate limit reached", type="RateLimited")), failure
    )
    decoded = await converter.decode_failure(failure)

    assert isinstance(decoded, ActivityError)
    assert isinstance(decoded.cause, ApplicationError)
    assert last_error_from(decoded) == (
        "rate_limit_exceeded",
        "Rate limit exceeded while calling the model. Try again later. Rate limit reached",
    )
