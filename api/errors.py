"""Every error leaves the API in the OpenAI envelope `{"error": {message, type, param, code}}`."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.errors import AssistantsError, ConflictError, InvalidRequestError, ServerError

log = structlog.get_logger()


def error_response(error: AssistantsError) -> JSONResponse:
    """Render a domain error; deterministic 409s tell the SDK not to retry."""
    headers = {"x-should-retry": "false"} if isinstance(error, ConflictError) else None
    return JSONResponse(error.to_envelope(), status_code=error.status_code, headers=headers)


def _param_from_location(loc: tuple[Any, ...]) -> str | None:
    # ("body", "metadata", "key") -> "metadata.key"; the source ("body"/"query") is not a param.
    parts = [str(part) for part in loc[1:]] if loc and loc[0] in {"body", "query", "path"} else []
    return ".".join(parts) or None


async def _on_assistants_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AssistantsError)
    return error_response(exc)


async def _on_validation_error(_: Request, exc: Exception) -> JSONResponse:
    # FastAPI's default is 422 {"detail": [...]}; OpenAI answers 400 in its envelope.
    assert isinstance(exc, RequestValidationError)
    first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "Invalid request."}
    param = _param_from_location(tuple(first.get("loc", ())))
    message = f"Invalid '{param}': {first['msg']}." if param else f"{first['msg']}."
    return error_response(InvalidRequestError(message, param=param, code="invalid_type"))


async def _on_http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        error: AssistantsError = InvalidRequestError("Invalid URL: not found.")
        return JSONResponse(error.to_envelope(), status_code=404)
    if exc.status_code == 405:
        return JSONResponse(InvalidRequestError("Method not allowed.").to_envelope(), 405)
    return JSONResponse(InvalidRequestError(str(exc.detail)).to_envelope(), exc.status_code)


async def _on_unexpected_error(_: Request, exc: Exception) -> JSONResponse:
    log.exception("request_failed", error_type=type(exc).__name__)
    return error_response(ServerError("The server had an error while processing your request."))


def install_error_handlers(app: FastAPI) -> None:
    """Map each exception class to the envelope, once, for the whole app."""
    app.add_exception_handler(AssistantsError, _on_assistants_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected_error)
