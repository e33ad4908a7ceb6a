"""Request-scoped context: a request id on every response, one canonical log line and the HTTP
metrics per request."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable

import structlog
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from core.observability.api_metrics import HTTP_REQUEST_DURATION, HTTP_REQUESTS
from core.observability.metrics import HTTP_METHODS, OTHER_METHOD, UNMATCHED_ROUTE

log = structlog.get_logger()

_ID_PARAMS = ("thread_id", "run_id")
"""Path parameters bound to the request's log line (ids only, never bodies)."""


class RouteTemplates:
    """The full path template of every route, for the `route` label.

    Routing leaves the matched route in `scope["route"]`, but FastAPI keeps an included router's
    routes as they were declared, without the `/v1` prefix; so the app registers each router's
    routes here with the prefix it mounted them under. Routes are keyed by identity (Starlette
    routes define `__eq__`, so they are not hashable).
    """

    def __init__(self) -> None:
        self._paths: dict[int, str] = {}

    def add(self, routes: Iterable[BaseRoute], *, prefix: str) -> None:
        for route in routes:
            # path_format is the path with convertors dropped: `{thread_id:thread_path}` is
            # `{thread_id}`.
            path = getattr(route, "path_format", None) or getattr(route, "path", None)
            if path is not None:
                self._paths[id(route)] = prefix + path

    def of(self, request: Request) -> str:
        """The matched route's template; `unmatched` when no route matched (closed labels)."""
        route = request.scope.get("route")
        if route is None:
            return UNMATCHED_ROUTE
        path = self._paths.get(id(route)) or getattr(route, "path_format", None)
        return path or UNMATCHED_ROUTE


class RequestContextMiddleware(BaseHTTPMiddleware):
    """Echo or mint `x-request-id` (the SDK shows it as `request_id`); log `request_finished`
    and count the request.

    The duration runs to the start of the response: for an SSE stream, until it opens.
    """

    def __init__(self, app: ASGIApp, templates: RouteTemplates | None = None) -> None:
        super().__init__(app)
        self._templates = templates or RouteTemplates()

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        request_id = request.headers.get("x-request-id") or f"req_{uuid.uuid4().hex}"
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(
            request_id=request_id, method=request.method, path=request.url.path
        )
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises past every handler
        try:
            response = await call_next(request)
            status = response.status_code
            response.headers["x-request-id"] = request_id
            return response
        finally:
            self._finished(request, status, time.perf_counter() - started)

    def _finished(self, request: Request, status: int, seconds: float) -> None:
        route = self._templates.of(request)
        method = request.method if request.method in HTTP_METHODS else OTHER_METHOD
        HTTP_REQUESTS.labels(route=route, method=method, status=str(status)).inc()
        HTTP_REQUEST_DURATION.labels(route=route, method=method).observe(seconds)
        params = request.scope.get("path_params") or {}
        ids = {name: params[name] for name in _ID_PARAMS if name in params}
        log.info(
            "request_finished",
            route=route,
            status=status,
            duration_ms=round(seconds * 1000, 2),
            **ids,
        )
