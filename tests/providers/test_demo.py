"""DemoProvider: the labelled, deterministic offline model used when no endpoint is set."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.providers.base import ChatRequest, ChatResult, ChatStreamItem, TextDelta, ToolCallDelta
from core.providers.demo import LABEL, DemoProvider
from core.tokens import count_prompt_tokens, count_tokens

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"],
        },
    },
}
CLOCK_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {}}}


async def collect(request: ChatRequest) -> tuple[list[ChatStreamItem], ChatResult]:
    items = [item async for item in DemoProvider().stream_chat(request)]
    assert isinstance(items[-1], ChatResult)
    assert not any(isinstance(item, ChatResult) for item in items[:-1])
    return items[:-1], items[-1]


def user(text: str) -> dict[str, Any]:
    return {"role": "user", "content": text}


def called(call_id: str, name: str) -> list[dict[str, Any]]:
    """An assistant tool call and its tool result, as a thread replays them."""
    call = {"id": call_id, "type": "function", "function": {"name": name, "arguments": "{}"}}
    return [
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call_id, "content": "21°C and sunny"},
    ]


async def test_echoes_the_last_user_message_in_word_deltas() -> None:
    request = ChatRequest(
        "gpt-4o", [user("first"), {"role": "assistant", "content": "x"}, user("Hi there, demo!")]
    )
    deltas, result = await collect(request)
    assert result.text == f"{LABEL}You said: Hi there, demo!"
    assert len(deltas) == len(result.text.split())
    assert "".join(d.text for d in deltas if isinstance(d, TextDelta)) == result.text
    assert (result.finish_reason, result.tool_calls, result.usage_estimated) == ("stop", [], False)
    assert result.usage.prompt_tokens == count_prompt_tokens(request.messages, [], "gpt-4o")
    assert result.usage.completion_tokens == count_tokens(result.text, "gpt-4o")


async def test_reads_text_parts() -> None:
    content = [{"type": "text", "text": "look"}, {"type": "image_file", "image_file": {}}]
    _, result = await collect(ChatRequest("gpt-4o", [{"role": "user", "content": content}]))
    assert result.text == f"{LABEL}You said: look"


async def test_calls_the_first_function_tool_with_required_strings_filled() -> None:
    request = ChatRequest("gpt-4o", [user("Paris")], tools=[WEATHER_TOOL, CLOCK_TOOL])
    deltas, result = await collect(request)
    assert [(c.index, c.id, c.name, c.arguments) for c in result.tool_calls] == [
        (0, "call_demo_1", "get_weather", json.dumps({"city": "Paris"}))
    ]
    assert (result.text, result.finish_reason) == ("", "tool_calls")
    assert all(isinstance(d, ToolCallDelta) for d in deltas)
    assert (
        "".join(d.arguments for d in deltas if isinstance(d, ToolCallDelta)) == '{"city": "Paris"}'
    )
    assert result.usage.prompt_tokens == count_prompt_tokens(
        request.messages, request.tools, "gpt-4o"
    )


async def test_tool_without_required_strings_gets_empty_arguments() -> None:
    _, result = await collect(ChatRequest("gpt-4o", [user("time?")], tools=[CLOCK_TOOL]))
    assert result.tool_calls[0].arguments == "{}"


async def test_named_tool_choice_picks_that_tool() -> None:
    choice = {"type": "function", "function": {"name": "get_time"}}
    request = ChatRequest(
        "gpt-4o", [user("x")], tools=[WEATHER_TOOL, CLOCK_TOOL], tool_choice=choice
    )
    _, result = await collect(request)
    assert result.tool_calls[0].name == "get_time"


async def test_tool_choice_none_echoes_instead() -> None:
    request = ChatRequest("gpt-4o", [user("Paris")], tools=[WEATHER_TOOL], tool_choice="none")
    _, result = await collect(request)
    assert (result.text, result.tool_calls) == (f"{LABEL}You said: Paris", [])


async def test_summarises_tool_results() -> None:
    messages = [user("Paris"), *called("call_demo_1", "get_weather")]
    _, result = await collect(ChatRequest("gpt-4o", messages, tools=[WEATHER_TOOL]))
    assert result.text == f"{LABEL}The tool returned: 21°C and sunny"
    assert result.finish_reason == "stop"


async def test_next_user_turn_calls_again_with_a_new_id() -> None:
    messages = [user("Paris"), *called("call_demo_1", "get_weather"), user("Rome")]
    _, result = await collect(ChatRequest("gpt-4o", messages, tools=[WEATHER_TOOL]))
    assert (result.tool_calls[0].id, result.tool_calls[0].arguments) == (
        "call_demo_2",
        '{"city": "Rome"}',
    )


async def test_is_deterministic() -> None:
    request = ChatRequest("gpt-4o", [user("same input")], tools=[WEATHER_TOOL])
    assert await collect(request) == await collect(request)


@pytest.mark.parametrize("tools", [[], [WEATHER_TOOL]])
async def test_max_completion_tokens_truncates(tools: list[dict[str, Any]]) -> None:
    request = ChatRequest(
        "gpt-4o", [user("a long question " * 20)], tools=tools, max_completion_tokens=5
    )
    _, result = await collect(request)
    assert result.finish_reason == "length"
    assert result.usage.completion_tokens == 5
    if not tools:
        assert result.text.startswith("[offline demo")


async def test_without_user_message_it_introduces_itself() -> None:
    _, result = await collect(ChatRequest("gpt-4o", [{"role": "system", "content": "Be brief."}]))
    assert result.text.startswith(LABEL) and "RUNWRIGHT_MODEL_BASE_URL" in result.text
