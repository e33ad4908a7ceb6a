"""The error envelope (SPEC §1.1; openai `types/shared/error_object.py`)."""

from __future__ import annotations

from core.objects.shared import WireModel

__all__ = ["ErrorObject", "ErrorResponse"]


class ErrorObject(WireModel):
    """An error, as the SDK exposes it on `APIStatusError` and SSE `error` events."""

    message: str
    """A human-readable description; keep OpenAI's wording, clients grep for it."""

    type: str
    """The error type, e.g. `invalid_request_error`."""

    param: str | None = None
    """The request parameter at fault, if any."""

    code: str | None = None
    """A machine-readable code, if any."""


class ErrorResponse(WireModel):
    """The body of every non-2xx response: `{"error": {...}}`."""

    error: ErrorObject
    """The error."""
