"""Map a spent activity's failure to the run's `last_error` (SPEC §3.2 `failed`). Pure code.

activities/_errors.py tags provider failures with an ApplicationError `type`; this is the
workflow-side half of that one map.
"""

from __future__ import annotations

from temporalio.exceptions import ActivityError, ApplicationError, TimeoutError

from workflows.types import LastErrorCode

_CODES: dict[str, LastErrorCode] = {
    "RateLimited": "rate_limit_exceeded",
    "InvalidPrompt": "invalid_prompt",
}
_MESSAGES: dict[LastErrorCode, str] = {
    "rate_limit_exceeded": "Rate limit exceeded while calling the model. Try again later.",
    "invalid_prompt": "The model provider rejected the prompt.",
    "server_error": "Sorry, something went wrong.",
}


def last_error_from(err: ActivityError) -> tuple[LastErrorCode, str]:
    """`(code, message)` for the run's last_error; the provider's own words where we have them."""
    cause = err.cause
    if isinstance(cause, ApplicationError):
        code = _CODES.get(cause.type or "", "server_error")
        detail = cause.message
    elif isinstance(cause, TimeoutError):
        kind = cause.type.name.lower() if cause.type else "timeout"
        code, detail = "server_error", f"The call timed out ({kind})."
    else:
        code, detail = "server_error", ""
    message = _MESSAGES[code] if not detail else f"{_MESSAGES[code]} {detail}"
    return code, message
