"""Domain errors. `api/errors.py` renders them as the OpenAI envelope (SPEC §1.1)."""

from __future__ import annotations

from typing import ClassVar


class AssistantsError(Exception):
    """Base of every error a client may see. Carries the envelope's fields."""

    status_code: ClassVar[int] = 500
    type: ClassVar[str] = "server_error"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code

    def to_envelope(self) -> dict[str, dict[str, str | None]]:
        """The `{"error": {...}}` body the official SDK unwraps."""
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


class InvalidRequestError(AssistantsError):
    """400: the request is malformed or not allowed in the current state (incl. thread locks)."""

    status_code = 400
    type = "invalid_request_error"


class AuthenticationError(AssistantsError):
    """401: missing or unknown API key."""

    status_code = 401
    type = "invalid_request_error"


class NotFoundError(AssistantsError):
    """404: no object with that id (in the caller's project)."""

    status_code = 404
    type = "invalid_request_error"


class ConflictError(AssistantsError):
    """409: a deterministic conflict. Rendered with `x-should-retry: false`."""

    status_code = 409
    type = "invalid_request_error"


class RateLimitError(AssistantsError):
    """429: too many requests."""

    status_code = 429
    type = "requests"
    """OpenAI's type for request-rate limits."""


class ServerError(AssistantsError):
    """500: something on our side failed; never raised for client input."""
