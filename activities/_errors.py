"""The only map from provider errors to Temporal retry posture.

It follows the `openai` SDK's own `_should_retry` (retry 408, 409, 429 and 5xx; obey
`x-should-retry`; honour `retry-after-ms` / `retry-after`), because the SDK runs with
`max_retries=0` and Temporal's activity retry policy takes its place. Activities do:

    except Exception as exc:
        raise to_application_error(exc) from exc
"""

from __future__ import annotations

import email.utils
import math
import re
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Final, Literal

import openai
from temporalio.exceptions import ApplicationError, ApplicationErrorCategory

from core.observability.metrics import ErrorClass
from core.providers.base import MalformedResponseError

RATE_LIMITED: Final = "RateLimited"
SERVER_ERROR: Final = "ServerError"
INVALID_PROMPT: Final = "InvalidPrompt"
AUTHENTICATION_FAILED: Final = "AuthenticationFailed"
NOT_FOUND: Final = "NotFound"

MAX_RETRY_DELAY: Final = timedelta(seconds=120)
"""Longest server-directed wait we honour (the SDK's own ceiling); longer hints are capped."""

LastErrorCode = Literal["server_error", "rate_limit_exceeded", "invalid_prompt"]

# (type, retryable) per status; other statuses fall back to _status_posture's rules.
_STATUS_POSTURE: Final[dict[int, tuple[str, bool]]] = {
    400: (INVALID_PROMPT, False),
    401: (AUTHENTICATION_FAILED, False),
    403: (AUTHENTICATION_FAILED, False),
    404: (NOT_FOUND, False),
    408: (SERVER_ERROR, True),
    409: (SERVER_ERROR, True),  # OpenAI uses 409 for lock timeouts, which clear on retry
    422: (INVALID_PROMPT, False),
    429: (RATE_LIMITED, True),
}

# OpenAI's 401 message quotes a masked key ("sk-proj-****abcd"); run errors show no part of it.
_SECRET = re.compile(r"\bsk-[A-Za-z0-9_*\-]+|(?i:bearer\s+)\S+")


def to_application_error(exc: BaseException) -> ApplicationError:
    """`exc` as an `ApplicationError` whose type and retry posture the workflow can act on."""
    if isinstance(exc, ApplicationError):
        return exc
    if isinstance(exc, openai.APIStatusError):
        return _from_status(exc)
    if isinstance(exc, openai.APIConnectionError):  # timeouts included (a subclass)
        return _transient(SERVER_ERROR, _connection_message(exc))
    if isinstance(exc, MalformedResponseError):
        # Retryable, but not benign: a provider emitting garbage deserves attention.
        return ApplicationError(_redact(str(exc)), type=SERVER_ERROR)
    if isinstance(exc, openai.APIError):
        # An error event inside a 200 stream: the provider failed after it started answering.
        return _transient(SERVER_ERROR, _redact(exc.message))
    return ApplicationError(_redact(f"{type(exc).__name__}: {exc}"), type=SERVER_ERROR)


_ERROR_CLASSES: Final[dict[str, ErrorClass]] = {
    RATE_LIMITED: "rate_limited",
    SERVER_ERROR: "server_error",
    INVALID_PROMPT: "invalid_prompt",
}


def error_class(exc: BaseException) -> ErrorClass:
    """The `error_class` metric label of a failed provider call: the retry-posture type this
    map gives it, refined where the transport says more (timeout, connection, malformed)."""
    if isinstance(exc, openai.APITimeoutError) or (
        isinstance(exc, openai.APIStatusError) and exc.status_code == 408
    ):
        return "timeout"
    if isinstance(exc, openai.APIConnectionError):
        return "connection"
    if isinstance(exc, MalformedResponseError):
        return "malformed"
    if isinstance(exc, ApplicationError | openai.APIError):
        return _ERROR_CLASSES.get(to_application_error(exc).type or "", "other")
    return "other"


def last_error_code(error_type: str) -> LastErrorCode:
    """The Assistants `last_error.code` for an `ApplicationError.type` from this module."""
    if error_type == RATE_LIMITED:
        return "rate_limit_exceeded"
    if error_type == INVALID_PROMPT:
        return "invalid_prompt"
    return "server_error"


def retry_delay(headers: Mapping[str, str], *, now: float | None = None) -> timedelta | None:
    """The server's `retry-after-ms` / `retry-after` hint (seconds or HTTP date), capped."""
    seconds = _retry_after_seconds(headers, time.time() if now is None else now)
    if seconds is None or math.isnan(seconds) or seconds <= 0:
        return None
    return min(timedelta(seconds=min(seconds, 1e9)), MAX_RETRY_DELAY)


def _from_status(exc: openai.APIStatusError) -> ApplicationError:
    error_type, retryable = _status_posture(exc.status_code)
    headers = exc.response.headers
    # The server knows best whether repeating the request can help (as in the SDK).
    override = headers.get("x-should-retry")
    if override in ("true", "false"):
        retryable = override == "true"
    if not retryable:
        return ApplicationError(_redact(exc.message), type=error_type, non_retryable=True)
    return _transient(error_type, _redact(exc.message), retry_delay(headers))


def _status_posture(status: int) -> tuple[str, bool]:
    if status in _STATUS_POSTURE:
        return _STATUS_POSTURE[status]
    # Other 4xx are final, as in the SDK; 5xx are the provider's trouble, so retry.
    return SERVER_ERROR, status >= 500


def _transient(error_type: str, message: str, delay: timedelta | None = None) -> ApplicationError:
    """Retryable and BENIGN: expected upstream weather, not worth an error log per attempt."""
    return ApplicationError(
        message,
        type=error_type,
        next_retry_delay=delay,
        category=ApplicationErrorCategory.BENIGN,
    )


def _retry_after_seconds(headers: Mapping[str, str], now: float) -> float | None:
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) / divisor
        except ValueError:
            continue
    return _http_date_seconds(headers.get("retry-after"), now)


def _http_date_seconds(value: str | None, now: float) -> float | None:
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() - now
    except (TypeError, ValueError, OverflowError):
        return None


def _connection_message(exc: openai.APIConnectionError) -> str:
    # Only the cause's class: its text can quote the endpoint URL, credentials included.
    cause = exc.__cause__
    return f"{exc.message} ({type(cause).__name__})" if cause is not None else exc.message


def _redact(message: str) -> str:
    return _SECRET.sub("[redacted]", message)
