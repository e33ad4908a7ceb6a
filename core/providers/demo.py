"""`DemoProvider`: the built-in offline model `runwright dev` uses when no endpoint is configured.

It is deterministic (the same request always gets the same answer, so activity retries and
tests are stable) and labels everything it says, so nobody mistakes it for a real model.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from core.providers.base import (
    ChatRequest,
    ChatResult,
    ChatStreamItem,
    TextDelta,
    ToolCallDelta,
    ToolCallResult,
    Usage,
)
from core.tokens import count_prompt_tokens, count_tokens, truncate_to_tokens

LABEL = "[offline demo model] "
"""Prefix of every reply, so a demo answer can never pass for a real model's."""

_WORDS = re.compile(r"\s*\S+\s*|\s+")


@dataclass(frozen=True)
class _Call:
    """The one tool call the demo decided to make."""

    id: str
    name: str
    arguments: str


class DemoProvider:
    """Echoes the user, calls the first function tool once, then summarises the tool's output."""

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatStreamItem]:
        """Word-sized text deltas (or one tool call), then the `ChatResult`."""
        call = _planned_call(request)
        output = call.arguments if call else _reply_text(request.messages)
        output, finish_reason = _capped(output, request)
        if call is not None:
            call = _Call(call.id, call.name, output)
            yield ToolCallDelta(0, call.id, call.name, "")
            yield ToolCallDelta(0, None, None, call.arguments)
        else:
            for word in _WORDS.findall(output):
                yield TextDelta(word)
        yield _result(request, output, call, finish_reason)

    async def close(self) -> None:
        """Nothing to release."""


def _planned_call(request: ChatRequest) -> _Call | None:
    """A call to the chosen function tool, unless tools are off or already answered this turn."""
    if request.tool_choice == "none" or _answered_since_user(request.messages):
        return None
    tool = _chosen_tool(request)
    if tool is None:
        return None
    earlier = sum(len(m.get("tool_calls") or []) for m in request.messages)
    prompt = _last_user_text(request.messages)
    arguments = {name: prompt for name in _required_strings(tool.get("parameters") or {})}
    return _Call(f"call_demo_{earlier + 1}", str(tool["name"]), json.dumps(arguments))


def _chosen_tool(request: ChatRequest) -> dict[str, Any] | None:
    """The function named by `tool_choice`, else the first function tool."""
    functions = [t["function"] for t in request.tools if t.get("type") == "function"]
    choice = request.tool_choice
    if isinstance(choice, dict) and choice.get("type") == "function":
        named = choice.get("function", {}).get("name")
        functions = [f for f in functions if f.get("name") == named] or functions
    return functions[0] if functions else None


def _required_strings(schema: dict[str, Any]) -> list[str]:
    properties = schema.get("properties") or {}
    return [
        name
        for name in schema.get("required") or []
        if (properties.get(name) or {}).get("type") == "string"
    ]


def _answered_since_user(messages: list[dict[str, Any]]) -> bool:
    """Whether a tool result follows the last user message (one tool round per user turn)."""
    for message in reversed(messages):
        if message.get("role") == "user":
            return False
        if message.get("role") == "tool":
            return True
    return False


def _reply_text(messages: list[dict[str, Any]]) -> str:
    results = _trailing_tool_results(messages)
    if results:
        return f"{LABEL}The tool returned: {'; '.join(results)}"
    prompt = _last_user_text(messages)
    if not prompt:
        return f"{LABEL}Hello! Configure RUNWRIGHT_MODEL_BASE_URL to talk to a real model."
    return f"{LABEL}You said: {prompt}"


def _trailing_tool_results(messages: list[dict[str, Any]]) -> list[str]:
    results: list[str] = []
    for message in reversed(messages):
        if message.get("role") != "tool":
            break
        results.insert(0, _content_text(message.get("content")))
    return results


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return _content_text(message.get("content"))
    return ""


def _content_text(content: Any) -> str:
    """Plain text of a message's content, whether a string or a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(p["text"] for p in content if isinstance(p, dict) and "text" in p)
    return ""


def _capped(output: str, request: ChatRequest) -> tuple[str, str | None]:
    """`output` within max_completion_tokens, and "length" when it had to be cut."""
    cap = request.max_completion_tokens
    if cap is None or count_tokens(output, request.model) <= cap:
        return output, None
    return truncate_to_tokens(output, request.model, cap), "length"


def _result(
    request: ChatRequest, output: str, call: _Call | None, finish_reason: str | None
) -> ChatResult:
    prompt = count_prompt_tokens(request.messages, request.tools, request.model)
    usage = Usage(prompt, count_tokens(output, request.model))
    if call is None:
        return ChatResult(output, [], finish_reason or "stop", usage)
    calls = [ToolCallResult(0, call.id, call.name, call.arguments)]
    return ChatResult("", calls, finish_reason or "tool_calls", usage)
