"""activities/_errors.py: provider errors -> ApplicationError type, retry posture and delay."""

from __future__ import annotations

import email.utils
from datetime import timedelta

import httpx2
import openai
import pytest
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from activities._errors import (
    AUTHENTICATION_FAILED,
    INVALID_PROMPT,
    NOT_FOUND,
    RATE_LIMITED,
    SERVER_ERROR,
    last_error_code,
    retry_delay,
    to_application_error,
)
from core.providers.base import MalformedResponseError

REQUEST = httpx2.Request("POST", "https://api.example.test/v1/chat/completions")

# The classes the SDK's _make_status_error picks per status.
_STATUS_CLASSES: dict[int, type[openai.APIStatusError]] = {
    400: openai.BadRequestError,
    401: openai.AuthenticationError,
    403: openai.PermissionDeniedError,
    404: openai.NotFoundError,
    409: openai.ConflictError,
    422: openai.UnprocessableEntityError,
    429: openai.RateLimitError,
}

FAR_FUTURE = "Fri, 01 Jan 2100 00:00:00 GMT"
PAST = "Wed, 21 Oct 2015 07:28:00 GMT"


def status_error(
    status: int, headers: dict[str, str] | None = None, message: str = "Something went wrong."
) -> openai.APIStatusError:
    """An SDK status error built the way `_make_status_error_from_response` builds it."""
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    response = httpx2.Response(
        status, headers=headers or {}, json={"error": error}, request=REQUEST
    )
    fallback = openai.InternalServerError if status >= 500 else openai.APIStatusError
    cls = _STATUS_CLASSES.get(status, fallback)
    return cls(f"Error code: {status} - {message}", response=response, body=error)


S = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("status", "headers", "error_type", "non_retryable", "delay"),
    [
        (400, {}, INVALID_PROMPT, True, None),
        (401, {}, AUTHENTICATION_FAILED, True, None),
        (403, {}, AUTHENTICATION_FAILED, True, None),
        (404, {}, NOT_FOUND, True, None),
        (408, {}, SERVER_ERROR, False, None),
        (409, {}, SERVER_ERROR, False, None),
        (418, {}, SERVER_ERROR, True, None),
        (422, {}, INVALID_PROMPT, True, None),
        (429, {}, RATE_LIMITED, False, None),
        (429, {"retry-after": "7"}, RATE_LIMITED, False, 7 * S),
        (429, {"retry-after": "0.5"}, RATE_LIMITED, False, S / 2),
        (429, {"retry-after-ms": "1500", "retry-after": "30"}, RATE_LIMITED, False, 1.5 * S),
        (429, {"retry-after": "3600"}, RATE_LIMITED, False, 120 * S),
        (429, {"retry-after": FAR_FUTURE}, RATE_LIMITED, False, 120 * S),
        (429, {"retry-after": PAST}, RATE_LIMITED, False, None),
        (429, {"retry-after": "soon"}, RATE_LIMITED, False, None),
        (429, {"retry-after": "0"}, RATE_LIMITED, False, None),
        (500, {}, SERVER_ERROR, False, None),
        (502, {}, SERVER_ERROR, False, None),
        (503, {"retry-after": "2"}, SERVER_ERROR, False, 2 * S),
        (500, {"x-should-retry": "false"}, SERVER_ERROR, True, None),
        (429, {"x-should-retry": "false", "retry-after": "3"}, RATE_LIMITED, True, None),
        (400, {"x-should-retry": "true"}, INVALID_PROMPT, False, None),
        (400, {"retry-after": "5"}, INVALID_PROMPT, True, None),
    ],
)
def test_status_errors(
    status: int,
    headers: dict[str, str],
    error_type: str,
    non_retryable: bool,
    delay: timedelta | None,
) -> None:
    error = to_application_error(status_error(status, headers))
    assert (error.type, error.non_retryable, error.next_retry_delay) == (
        error_type,
        non_retryable,
        delay,
    )
    # Retryable provider failures are expected weather; final ones deserve a normal error log.
    benign = ApplicationErrorCategory.BENIGN
    assert (error.category == benign) is not non_retryable


def test_message_is_the_providers_message() -> None:
    error = to_application_error(status_error(429, message="Rate limit reached for gpt-4o."))
    assert error.message == "Error code: 429 - Rate limit reached for gpt-4o."


def test_api_keys_never_reach_the_message() -> None:
    message = "Incorrect API key provided: sk-proj-abc1***********************wxyz."
    error = to_application_error(status_error(401, message=message))
    assert "sk-" not in error.message and "wxyz" not in error.message
    assert "Incorrect API key provided" in error.message


def test_http_date_retry_after_counts_from_now() -> None:
    now = email.utils.parsedate_to_datetime(PAST).timestamp() - 42
    assert retry_delay({"retry-after": PAST}, now=now) == 42 * S


@pytest.mark.parametrize(
    ("exc", "error_type", "non_retryable", "benign"),
    [
        (openai.APIConnectionError(request=REQUEST), SERVER_ERROR, False, True),
        (openai.APITimeoutError(request=REQUEST), SERVER_ERROR, False, True),
        (openai.APIError("stream error event", REQUEST, body=None), SERVER_ERROR, False, True),
        (MalformedResponseError("not JSON"), SERVER_ERROR, False, False),
        (RuntimeError("unexpected"), SERVER_ERROR, False, False),
    ],
)
def test_other_errors(
    exc: BaseException, error_type: str, non_retryable: bool, benign: bool
) -> None:
    error = to_application_error(exc)
    assert (error.type, error.non_retryable, error.next_retry_delay) == (
        error_type,
        non_retryable,
        None,
    )
    assert (error.category == ApplicationErrorCategory.BENIGN) is benign


def test_connection_error_names_its_cause_only() -> None:
    try:
        raise openai.APIConnectionError(request=REQUEST) from OSError("user:pw@host refused")
    except openai.APIConnectionError as exc:
        error = to_application_error(exc)
    assert error.message == "Connection error. (OSError)"


def test_application_errors_pass_through() -> None:
    original = ApplicationError("already mapped", type="Custom", non_retryable=True)
    assert to_application_error(original) is original


@pytest.mark.parametrize(
    ("error_type", "code"),
    [
        (RATE_LIMITED, "rate_limit_exceeded"),
        (INVALID_PROMPT, "invalid_prompt"),
        (SERVER_ERROR, "server_error"),
        (AUTHENTICATION_FAILED, "server_error"),
        (NOT_FOUND, "server_error"),
        ("SomethingElse", "server_error"),
    ],
)
def test_last_error_code(error_type: str, code: str) -> None:
    assert last_error_code(error_type) == code
