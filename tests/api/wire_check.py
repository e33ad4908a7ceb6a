"""Every JSON response the SDK receives in API tests is checked against the SDK's own types.

The SDK's models accept unknown keys silently (even with strict validation), so a misspelled or
invented field would reach clients unnoticed; this hook catches it on every response. It also
checks that nothing the SDK type declares is missing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx2
import pydantic
from openai.types import FileDeleted, FileObject
from openai.types.beta import Assistant, AssistantDeleted, Thread, ThreadDeleted
from openai.types.beta.threads import Message, MessageDeleted, Run
from openai.types.beta.threads.runs import RunStep

SDK_TYPES: dict[str, type[pydantic.BaseModel]] = {
    "assistant": Assistant,
    "assistant.deleted": AssistantDeleted,
    "thread": Thread,
    "thread.deleted": ThreadDeleted,
    "thread.message": Message,
    "thread.message.deleted": MessageDeleted,
    "thread.run": Run,
    "thread.run.step": RunStep,
}
ERROR_KEYS = {"message", "type", "param", "code"}


def _nodes(node: Any, path: str) -> Iterator[tuple[str, pydantic.BaseModel]]:
    if isinstance(node, pydantic.BaseModel):
        yield path, node
        for name in type(node).model_fields:
            yield from _nodes(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _nodes(item, f"{path}[{i}]")


def _sdk_type(item: dict[str, Any]) -> type[pydantic.BaseModel] | None:
    if item.get("object") == "file":
        return FileDeleted if "deleted" in item else FileObject
    return SDK_TYPES.get(str(item.get("object")))


def problems_in(body: Any, where: str) -> list[str]:
    """Unknown or missing fields in one response body (empty when it is clean)."""
    if isinstance(body, dict) and "error" in body:
        extra = set(body["error"]) ^ ERROR_KEYS
        return [f"{where}: error envelope keys differ: {extra}"] if extra else []
    items = (
        body.get("data", []) if isinstance(body, dict) and body.get("object") == "list" else [body]
    )
    found: list[str] = []
    for item in items:
        sdk_type = _sdk_type(item) if isinstance(item, dict) else None
        if sdk_type is None:
            continue
        for path, node in _nodes(sdk_type.model_validate(item), sdk_type.__name__):
            if node.model_extra:
                found.append(f"{where} {path}: unknown to the SDK: {sorted(node.model_extra)}")
            missing = set(type(node).model_fields) - node.model_fields_set
            if missing and path == sdk_type.__name__:
                found.append(f"{where} {path}: SDK fields not sent: {sorted(missing)}")
    return found


class WireChecker:
    """An httpx response hook collecting problems; the fixture fails the test on any."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.checked = 0

    async def __call__(self, response: httpx2.Response) -> None:
        if "application/json" not in response.headers.get("content-type", ""):
            return
        await response.aread()
        self.checked += 1
        where = f"{response.request.method} {response.request.url.path}"
        self.problems += problems_in(json.loads(response.content), where)
