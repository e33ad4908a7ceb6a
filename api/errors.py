"""Every error leaves the API in the OpenAI envelope `{"error": {message, type, param, code}}`."""

from __future__ import annotations

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.validation_errors import to_invalid_request
from core.errors import AssistantsError, ConflictError, InvalidRequestError, ServerError

log = structlog.get_logger()


def error_response(error: AssistantsError) -> JSONResponse:
    """Render a domain error; deterministic 409s tell the SDK not to retry."""
    headers = {"x-should-retry": "false"} if isinstance(error, ConflictError) else None
    return JSONResponse(error.to_envelope(), status_code=error.status_code, headers=headers)


async def _on_assistants_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AssistantsError)
    return error_response(exc)


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    # FastAPI's default is 422 {"detail": [...]}; OpenAI answers 400 in its envelope.
    assert isinstance(exc, RequestValidationError)
    return error_response(to_invalid_request(exc.errors(), exc.body))


async def _on_http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code in {404, 405}:
        # OpenAI's wording for a route that does not exist (or not with this method).
        message = f"Invalid URL ({request.method} {request.url.path})."
        return JSONResponse(InvalidRequestError(message).to_envelope(), exc.status_code)
    return JSONResponse(InvalidRequestError(str(exc.detail)).to_envelope(), exc.status_code)


async def _on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("request_failed", error_type=type(exc).__name__)
    response = error_response(ServerError("The server had an error while processing your request."))
    # Starlette runs this handler outside every middleware, so the request-context middleware
    # cannot add `x-request-id`; it bound the id to the log context, which is still visible here.
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    request_id = request_id or request.headers.get("x-request-id")
    if request_id:
        response.headers["x-request-id"] = str(request_id)
    return response


def install_error_handlers(app: FastAPI) -> None:
    """Map each exception class to the envelope, once, for the whole app."""
    app.add_exception_handler(AssistantsError, _on_assistants_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected_error)
