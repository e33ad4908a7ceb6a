"""The server-side function-tool registry: registration rules, calling, errors, loading."""

from __future__ import annotations

import json
import textwrap
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from core.tools import ToolError, ToolRegistry, load_registry

CITY_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}},
    "required": ["city"],
}


@pytest.fixture
def registry() -> ToolRegistry:
    registry = ToolRegistry()

    @registry.tool(name="get_weather", description="Weather for a city.", parameters=CITY_SCHEMA)
    async def get_weather(city: str) -> dict[str, Any]:
        return {"city": city, "temperature_c": 21}

    def shout(text: str) -> str:
        return text.upper()

    registry.register("shout", shout, description="Upper-cases.", parameters={"type": "object"})
    return registry


def test_registration_order_lookup_and_chat_tools(registry: ToolRegistry) -> None:
    assert registry.names() == ["get_weather", "shout"]
    assert "shout" in registry and "nope" not in registry
    assert registry.get("nope") is None
    tool = registry.get("get_weather")
    assert tool is not None and tool.description == "Weather for a city."
    assert registry.chat_tools()[0] == {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Weather for a city.",
            "parameters": CITY_SCHEMA,
        },
    }


def test_decorator_returns_the_function_unchanged() -> None:
    registry = ToolRegistry()

    def ping() -> str:
        return "pong"

    assert registry.tool(name="ping", description="", parameters={})(ping) is ping


@pytest.mark.parametrize("name", ["", "has space", "dotted.name", "x" * 65, "ünïcode"])
def test_invalid_names_are_rejected(name: str) -> None:
    with pytest.raises(ValueError, match="Invalid tool name"):
        ToolRegistry().register(name, lambda: "", description="", parameters={})


@pytest.mark.parametrize("name", ["a", "get-weather_V2", "x" * 64])
def test_valid_names_are_accepted(name: str) -> None:
    registry = ToolRegistry()
    registry.register(name, lambda: "", description="", parameters={})
    assert registry.names() == [name]


def test_duplicate_names_are_rejected(registry: ToolRegistry) -> None:
    with pytest.raises(ValueError, match="already registered"):
        registry.register("shout", str.upper, description="", parameters={})


async def test_async_tool_result_is_json_encoded(registry: ToolRegistry) -> None:
    output = await registry.call("get_weather", '{"city": "Paris"}')
    assert json.loads(output) == {"city": "Paris", "temperature_c": 21}


async def test_sync_tool_returns_its_string_unchanged(registry: ToolRegistry) -> None:
    assert await registry.call("shout", '{"text": "hi"}') == "HI"


async def test_sync_tool_runs_off_the_event_loop_thread() -> None:
    """A blocking tool must not stall the worker's event loop (and its heartbeats)."""
    registry = ToolRegistry()
    registry.register(
        "where", lambda: threading.get_ident(), description="", parameters={"type": "object"}
    )
    assert int(await registry.call("where", "{}")) != threading.get_ident()


async def test_empty_arguments_mean_no_arguments() -> None:
    registry = ToolRegistry()
    registry.register("now", lambda: [1, 2], description="", parameters={"type": "object"})
    assert await registry.call("now", "") == "[1, 2]"


@pytest.mark.parametrize(
    ("name", "arguments", "message"),
    [
        ("missing", "{}", "Unknown tool 'missing'"),
        ("shout", '{"text": ', "not valid JSON"),
        ("shout", '["hi"]', "must be a JSON object, got list"),
        ("shout", '{"txt": "hi"}', "Tool 'shout' failed: TypeError"),
    ],
)
async def test_bad_calls_raise_tool_error(
    registry: ToolRegistry, name: str, arguments: str, message: str
) -> None:
    with pytest.raises(ToolError, match=message):
        await registry.call(name, arguments)


async def test_exception_inside_the_tool_becomes_tool_error() -> None:
    registry = ToolRegistry()

    async def broken() -> str:
        raise RuntimeError("database is down")

    registry.register("broken", broken, description="", parameters={})
    with pytest.raises(ToolError, match="RuntimeError: database is down") as info:
        await registry.call("broken", "{}")
    assert isinstance(info.value.__cause__, RuntimeError)


async def test_unserialisable_result_becomes_tool_error() -> None:
    registry = ToolRegistry()
    registry.register("obj", object, description="", parameters={})
    with pytest.raises(ToolError, match="not JSON"):
        await registry.call("obj", "{}")


def test_load_registry_without_module_is_empty() -> None:
    assert load_registry(None).names() == []


def _write_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> str:
    name = f"tools_{uuid.uuid4().hex}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


async def test_load_registry_calls_register_tools(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _write_module(
        tmp_path,
        monkeypatch,
        """
        def register_tools(registry):
            registry.register("echo", lambda text: text, description="Echo.", parameters={})
        """,
    )
    registry = load_registry(module)
    assert registry.names() == ["echo"]
    assert await registry.call("echo", '{"text": "hi"}') == "hi"


def test_load_registry_needs_register_tools(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = _write_module(tmp_path, monkeypatch, "TOOLS = []\n")
    with pytest.raises(ValueError, match="defines no register_tools"):
        load_registry(module)


def test_load_registry_propagates_import_errors() -> None:
    with pytest.raises(ModuleNotFoundError):
        load_registry("no_such_module_for_runwright_tools")
