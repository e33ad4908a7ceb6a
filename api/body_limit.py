"""A cap on request bodies, checked before anything buffers or parses them.

Without it a client could make the API hold any amount of JSON in memory (or, for multipart, on
disk before the upload route's own 512 MB check runs). A body over the cap gets 413 in the
OpenAI envelope: at once when its Content-Length says so, else as soon as the bytes read pass
the cap (chunked bodies), which aborts the route before it writes anything.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import InvalidRequestError

UPLOAD_PATHS = frozenset({"/v1/files"})
"""Routes whose bodies are file contents: capped at the per-file maximum instead."""
MULTIPART_SLACK = 1024 * 1024
"""Room for the multipart framing and form fields around an upload of the largest file."""


class BodyTooLarge(HTTPException):
    """Raised from `receive`: FastAPI re-raises HTTPExceptions met while reading a body (any
    other error there becomes a 400), and the app's handler renders it in the envelope."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is too large: at most {limit} bytes.")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, max_bytes: int, max_upload_bytes: int) -> None:
        self._app = app
        self._max_bytes = max_bytes
        self._max_upload_bytes = max_upload_bytes + MULTIPART_SLACK

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self._app(scope, receive, send)
        limit = self._max_upload_bytes if scope["path"] in UPLOAD_PATHS else self._max_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            message = str(BodyTooLarge(limit).detail)
            response = JSONResponse(InvalidRequestError(message).to_envelope(), 413)
            return await response(scope, receive, send)
        received = 0

        async def receive_capped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self._app(scope, receive_capped, send)


def _content_length(scope: Scope) -> int | None:
    value = Headers(scope=scope).get("content-length")
    return int(value) if value is not None and value.isdigit() else None
