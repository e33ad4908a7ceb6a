"""The OpenAPI document `/openapi.json` serves, made to say what the API answers.

FastAPI declares a 422 `HTTPValidationError` on every operation; this API answers bad input with
400 in the OpenAI error envelope (STYLE §5), so the document says that instead, declares the 401
and 404 every operation can give, and the bearer key the SDK sends. Schema-driven clients and
fuzzers (tests/reliability/test_fuzz_schema.py) then check responses against the truth.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from core.objects.error import ErrorResponse

_REF = {"$ref": "#/components/schemas/ErrorResponse"}
_ERRORS = {
    "400": "Invalid request (OpenAI error envelope, `invalid_request_error`)",
    "401": "Missing or unknown API key",
    "404": "No such object in this project (also for other projects' ids)",
}


def install_openapi(app: FastAPI) -> None:
    """Serve the corrected document, built once on first request."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _corrected(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]


def _corrected(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    envelope = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in envelope.pop("$defs", {}).items():
        schemas.setdefault(name, definition)
    schemas["ErrorResponse"] = envelope
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    components["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
    schema["security"] = [{"bearer": []}]
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status, description in _ERRORS.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": _REF}}},
                )
    return schema
