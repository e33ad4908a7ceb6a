"""Server-side function tools: calls the model makes that this server answers itself.

A function tool whose name is registered here is dispatched by the worker instead of pausing the
run in `requires_action`. Operators add tools with a module of their own, named by
`RUNWRIGHT_TOOLS_MODULE`, that defines `register_tools`:

    # mycompany/tools.py
    def register_tools(registry: ToolRegistry) -> None:
        @registry.tool(
            name="get_weather",
            description="Current weather for a city.",
            parameters={
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        )
        async def get_weather(city: str) -> dict[str, object]:
            return {"city": city, "temperature_c": 21}

A tool receives the model's JSON arguments as keyword arguments and returns a string, or any
JSON-serialisable value (sent to the model as its JSON text).
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

ToolFunction = Callable[..., Any]
"""A sync or async callable taking the tool's arguments as keyword arguments."""

F = TypeVar("F", bound=ToolFunction)

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")
"""The function-name rule of the Chat Completions and Assistants APIs."""

REGISTER_HOOK = "register_tools"


class ToolError(Exception):
    """A tool could not be called or failed; the message is safe to show to the model."""


@dataclass(frozen=True)
class RegisteredTool:
    """One server-side tool and the definition the model sees."""

    name: str
    fn: ToolFunction
    description: str
    parameters: dict[str, Any]

    def chat_tool(self) -> dict[str, Any]:
        """The Chat Completions tool dict that presents this tool to the model."""
        function = {"name": self.name, "description": self.description}
        return {"type": "function", "function": {**function, "parameters": self.parameters}}


class ToolRegistry:
    """Named server-side tools, in registration order."""

    def __init__(self) -> None:
        self._tools: dict[str, RegisteredTool] = {}

    def register(
        self, name: str, fn: ToolFunction, *, description: str, parameters: dict[str, Any]
    ) -> None:
        """Add a tool; raises ValueError for an invalid or duplicate name."""
        if not NAME_PATTERN.fullmatch(name):
            raise ValueError(f"Invalid tool name {name!r}: must match {NAME_PATTERN.pattern}")
        if name in self._tools:
            raise ValueError(f"Tool {name!r} is already registered")
        if not callable(fn):
            raise TypeError(f"Tool {name!r} must be callable, got {type(fn).__name__}")
        self._tools[name] = RegisteredTool(name, fn, description, parameters)

    def tool(self, *, name: str, description: str, parameters: dict[str, Any]) -> Callable[[F], F]:
        """Decorator form of `register`; returns the function unchanged."""

        def decorate(fn: F) -> F:
            self.register(name, fn, description=description, parameters=parameters)
            return fn

        return decorate

    def get(self, name: str) -> RegisteredTool | None:
        """The tool called `name`, or None when it is not a server-side tool."""
        return self._tools.get(name)

    def names(self) -> list[str]:
        """Registered tool names, in registration order."""
        return list(self._tools)

    def chat_tools(self) -> list[dict[str, Any]]:
        """Every tool as a Chat Completions tool dict."""
        return [tool.chat_tool() for tool in self._tools.values()]

    def __contains__(self, name: object) -> bool:
        return name in self._tools

    def __len__(self) -> int:
        return len(self._tools)

    async def call(self, name: str, arguments_json: str) -> str:
        """Run tool `name` with the model's JSON arguments; the result as text for the model.

        Raises:
            ToolError: unknown tool, arguments that are not a JSON object, an exception inside
                the tool, or a result that cannot be serialised.
        """
        tool = self._tools.get(name)
        if tool is None:
            raise ToolError(f"Unknown tool {name!r}")
        arguments = _parse_arguments(name, arguments_json)
        try:
            result = await _invoke(tool.fn, arguments)
        except Exception as exc:
            raise ToolError(f"Tool {name!r} failed: {type(exc).__name__}: {exc}") from exc
        return _serialise(name, result)


async def _invoke(fn: ToolFunction, arguments: dict[str, Any]) -> Any:
    if inspect.iscoroutinefunction(fn):
        return await fn(**arguments)
    # Sync tools may block (HTTP, disk): a thread keeps the worker's event loop and heartbeats
    # alive meanwhile.
    result = await asyncio.to_thread(fn, **arguments)
    return await result if inspect.isawaitable(result) else result


def _parse_arguments(name: str, arguments_json: str) -> dict[str, Any]:
    if not arguments_json.strip():
        return {}  # some models send "" for a tool without parameters
    try:
        arguments = json.loads(arguments_json)
    except json.JSONDecodeError as exc:
        raise ToolError(f"Arguments for tool {name!r} are not valid JSON: {exc}") from exc
    if not isinstance(arguments, dict):
        kind = type(arguments).__name__
        raise ToolError(f"Arguments for tool {name!r} must be a JSON object, got {kind}")
    return arguments


def _serialise(name: str, result: Any) -> str:
    if isinstance(result, str):
        return result
    try:
        return json.dumps(result)
    except (TypeError, ValueError) as exc:
        raise ToolError(f"Tool {name!r} returned a value that is not JSON: {exc}") from exc


def load_registry(module_path: str | None) -> ToolRegistry:
    """A registry filled by `module_path`'s `register_tools(registry)`; empty for None.

    Import errors propagate on purpose: a worker with a broken tools module should not start.
    """
    registry = ToolRegistry()
    if not module_path:
        return registry
    module = importlib.import_module(module_path)
    hook = getattr(module, REGISTER_HOOK, None)
    if not callable(hook):
        raise ValueError(f"Tools module {module_path!r} defines no {REGISTER_HOOK}(registry)")
    hook(registry)
    return registry
