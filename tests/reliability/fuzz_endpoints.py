"""What the hand-written bad-input cases need to know of each endpoint.

- `VALID_BODIES`: for every JSON-body operation, a body it accepts (built from seeded ids), so a
  case can break exactly one thing in it. A test checks this table covers every JSON-body
  operation of the served schema, so a new endpoint cannot be missed silently.
- `path_of(template, ids)`: a template filled with seeded ids (`ids` may override any).
- `wrong_values(property_schema, document)`: JSON values of a type the property does not take,
  read from the served OpenAPI document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

__all__ = [
    "NESTED_METADATA",
    "VALID_BODIES",
    "json_body_operations",
    "list_operations",
    "path_of",
    "wrong_values",
]

Ids = dict[str, str]

VALID_BODIES: dict[str, Callable[[Ids], dict[str, Any]]] = {
    "POST /v1/assistants": lambda ids: {"model": "gpt-4o-mini"},
    "POST /v1/assistants/{assistant_id}": lambda ids: {},
    "POST /v1/threads": lambda ids: {},
    "POST /v1/threads/{thread_id}": lambda ids: {},
    "POST /v1/threads/{thread_id}/messages": lambda ids: {"role": "user", "content": "Hi."},
    "POST /v1/threads/{thread_id}/messages/{message_id}": lambda ids: {},
    "POST /v1/threads/runs": lambda ids: {"assistant_id": ids["assistant_id"]},
    "POST /v1/threads/{thread_id}/runs": lambda ids: {"assistant_id": ids["assistant_id"]},
    "POST /v1/threads/{thread_id}/runs/{run_id}": lambda ids: {},
    "POST /v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs": lambda ids: {
        "tool_outputs": []
    },
    "POST /v1/threads/{thread_id}/runs/{run_id}/retry": lambda ids: {},
    "POST /v1/vector_stores": lambda ids: {},
    "POST /v1/vector_stores/{vector_store_id}": lambda ids: {},
    "POST /v1/vector_stores/{vector_store_id}/search": lambda ids: {"query": "seeds"},
    "POST /v1/vector_stores/{vector_store_id}/files": lambda ids: {"file_id": ids["file_id"]},
    "POST /v1/vector_stores/{vector_store_id}/files/{file_id}": lambda ids: {"attributes": {}},
    "POST /v1/vector_stores/{vector_store_id}/file_batches": lambda ids: {
        "file_ids": [ids["file_id"]]
    },
}

NESTED_METADATA: dict[str, tuple[str, Callable[[Ids, Any], dict[str, Any]]]] = {
    "POST /v1/threads": (
        "messages[0].metadata",
        lambda ids, value: {"messages": [{"role": "user", "content": "x", "metadata": value}]},
    ),
    "POST /v1/threads/runs": (
        "thread.metadata",
        lambda ids, value: {"assistant_id": ids["assistant_id"], "thread": {"metadata": value}},
    ),
    "POST /v1/threads/{thread_id}/runs": (
        "additional_messages[0].metadata",
        lambda ids, value: {
            "assistant_id": ids["assistant_id"],
            "additional_messages": [{"role": "user", "content": "x", "metadata": value}],
        },
    ),
}
"""Metadata inside a body: the operation, the param an error must name, and the body carrying a
given metadata value (top-level `metadata` is found in the schema instead)."""


def path_of(template: str, ids: Ids) -> str:
    return re.sub(r"\{(\w+)\}", lambda match: ids[match.group(1)], template)


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            yield f"{method.upper()} {path}", operation


def json_body_operations(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Operation label -> the JSON schema of its body (resolved to an object schema)."""
    found = {}
    for label, operation in _operations(document):
        content = (operation.get("requestBody") or {}).get("content", {})
        if "application/json" in content:
            schema = _object_schema(content["application/json"]["schema"], document)
            found[label] = schema
    return found


def list_operations(document: dict[str, Any]) -> dict[str, set[str]]:
    """Operation label -> its query parameters, for every operation that pages (`limit`)."""
    found = {}
    for label, operation in _operations(document):
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        if "limit" in query:
            found[label] = query
    return found


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document["components"]["schemas"][name]
    return schema


def _object_schema(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    """The object member of `X | null` bodies, resolved."""
    schema = _resolve(schema, document)
    for member in schema.get("anyOf", []):
        resolved = _resolve(member, document)
        if resolved.get("type") == "object":
            return resolved
    return schema


def _accepted_types(schema: dict[str, Any], document: dict[str, Any]) -> set[str] | None:
    """The JSON types a property takes; None when the schema does not say (anything goes)."""
    schema = _resolve(schema, document)
    members = schema.get("anyOf") or schema.get("oneOf")
    if members:
        found: set[str] = set()
        for member in members:
            types = _accepted_types(member, document)
            if types is None:
                return None
            found |= types
        return found
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return set(kinds) | ({"integer"} if "number" in kinds else set())
    if "enum" in schema or "const" in schema:
        values = schema.get("enum") or [schema.get("const")]
        return {_json_type(value) for value in values}
    return None


_WRONG: tuple[tuple[str, Any], ...] = (
    ("object", {"wrong": "type"}),
    ("array", [1, 2]),
    ("string", "wrong-type"),
    ("integer", 12345),
    ("boolean", True),
)


def wrong_values(schema: dict[str, Any], document: dict[str, Any]) -> list[Any]:
    """Values of every type `schema` refuses. Booleans are left out for numbers: pydantic's lax
    mode takes `true` for 1 (noted in the report), so they would not be refused."""
    accepted = _accepted_types(schema, document)
    if accepted is None:
        return []
    numeric = bool(accepted & {"integer", "number"})
    return [
        value
        for kind, value in _WRONG
        if kind not in accepted and not (kind == "boolean" and numeric)
    ]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    kinds = {int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return next(kind for cls, kind in kinds.items() if isinstance(value, cls))
