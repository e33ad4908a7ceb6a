"""OpenAIChatProvider through the real SDK against the scripted model server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import openai
import pytest
from openai.types.chat import ChatCompletionChunk

from activities._errors import INVALID_PROMPT, RATE_LIMITED, SERVER_ERROR, to_application_error
from core.providers.base import (
    ChatRequest,
    ChatResult,
    ChatStreamItem,
    MalformedResponseError,
    ModelProvider,
    TextDelta,
    ToolCallDelta,
)
from core.providers.openai_chat import OpenAIChatProvider, _Accumulator
from core.tokens import count_prompt_tokens, count_tokens
from tests.fakes.model_server import (
    Fail,
    Hang,
    Malformed,
    MidStreamReset,
    Reply,
    Reset,
    ScriptedModelServer,
    ToolCall,
    ToolCalls,
    Usage,
)

MESSAGES = [{"role": "user", "content": "What is the weather in Paris?"}]
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


@pytest.fixture
async def provider(model_server: ScriptedModelServer) -> AsyncIterator[OpenAIChatProvider]:
    provider = OpenAIChatProvider(model_server.base_url, "sk-test", timeout_s=10)
    yield provider
    await provider.close()


async def collect(
    provider: ModelProvider, request: ChatRequest
) -> tuple[list[ChatStreamItem], ChatResult]:
    items = [item async for item in provider.stream_chat(request)]
    assert isinstance(items[-1], ChatResult)
    assert not any(isinstance(item, ChatResult) for item in items[:-1])
    return items[:-1], items[-1]


async def test_streams_text_deltas_then_the_result(
    model_server: ScriptedModelServer, provider: OpenAIChatProvider
) -> None:
    model_server.script(Reply("It is sunny in Paris today.", usage=Usage(11, 7), chunk_size=4))
    deltas, result = await collect(provider, ChatRequest("gpt-4o-mini", MESSAGES))
    assert len(deltas) > 1 and all(isinstance(d, TextDelta) for d in deltas)
    assert "".join(d.text for d in deltas if isinstance(d, TextDelta)) == result.text
    assert result.text == "It is sunny in Paris today."
    assert (result.finish_reason, result.tool_calls) == ("stop", [])
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (11, 7)
    assert not result.usage_estimated


async def test_reassembles_parallel_tool_calls(
    model_server: ScriptedModelServer, provider: OpenAIChatProvider
) -> None:
    model_server.script(
        ToolCalls(
            [
                ToolCall("get_weather", '{"city": "Paris", "unit": "celsius"}', id="call_a"),
                ToolCall("get_weather", '{"city": "Tokyo", "unit": "celsius"}', id="call_b"),
            ],
            chunk_size=5,
        )
    )
    request = ChatRequest("gpt-4o-mini", MESSAGES, tools=[WEATHER_TOOL])
    deltas, result = await collect(provider, request)
    assert result.finish_reason == "tool_calls"
    assert [(c.index, c.id, c.name, c.arguments) for c in result.tool_calls] == [
        (0, "call_a", "get_weather", '{"city": "Paris", "unit": "celsius"}'),
        (1, "call_b", "get_weather", '{"city": "Tokyo", "unit": "celsius"}'),
    ]
    call_deltas = [d for d in deltas if isinstance(d, ToolCallDelta)]
    assert len(call_deltas) > 4  # arguments really arrived in fragments
    firsts = {d.index: d for d in reversed(call_deltas)}
    assert {i: (d.id, d.name) for i, d in firsts.items()} == {
        0: ("call_a", "get_weather"),
        1: ("call_b", "get_weather"),
    }


async def test_forwards_set_params_and_omits_unset_ones(
    model_server: ScriptedModelServer, provider: OpenAIChatProvider
) -> None:
    request = ChatRequest(
        "gpt-4o",
        MESSAGES,
        tools=[WEATHER_TOOL],
        tool_choice="required",
        parallel_tool_calls=False,
        temperature=0.2,
        max_completion_tokens=50,
    )
    await collect(provider, request)
    body = model_server.chat_requests[-1]
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert (body["model"], body["messages"], body["tools"]) == ("gpt-4o", MESSAGES, [WEATHER_TOOL])
    assert (body["tool_choice"], body["parallel_tool_calls"]) == ("required", False)
    assert (body["temperature"], body["max_completion_tokens"]) == (0.2, 50)
    assert not {"top_p", "response_format", "max_tokens"} & body.keys()


async def test_tool_params_travel_only_with_tools(
    model_server: ScriptedModelServer, provider: OpenAIChatProvider
) -> None:
    """OpenAI rejects tool_choice / parallel_tool_calls without tools, so they are dropped."""
    request = ChatRequest("gpt-4o", MESSAGES, tool_choice="auto", parallel_tool_calls=True)
    await collect(provider, request)
    assert (
        not {"tools", "tool_choice", "parallel_tool_calls"} & model_server.chat_requests[-1].keys()
    )


async def test_length_finish_reason_is_reported(
    model_server: ScriptedModelServer, provider: OpenAIChatProvider
) -> None:
    model_server.script(Reply("one two three four five six seven eight"))
    request = ChatRequest("gpt-4o", MESSAGES, max_completion_tokens=3)
    _, result = await collect(provider, request)
    assert result.finish_reason == "length"
    assert result.usage.completion_tokens == 3


def _chunk(delta: dict[str, object], finish_reason: str | None = None) -> ChatCompletionChunk:
    choice = {"index": 0, "delta": delta, "finish_reason": finish_reason}
    return ChatCompletionChunk.model_validate(
        {
            "id": "c",
            "object": "chat.completion.chunk",
            "created": 0,
            "model": "m",
            "choices": [choice],
        }
    )


def test_usage_is_estimated_when_the_provider_reports_none() -> None:
    """Engines that ignore stream_options still get usage, counted offline and flagged."""
    accumulator = _Accumulator()
    accumulator.feed(_chunk({"role": "assistant", "content": "Hello "}))
    accumulator.feed(_chunk({"content": "world"}, finish_reason="stop"))
    request = ChatRequest("gpt-4o", MESSAGES, tools=[WEATHER_TOOL])
    result = accumulator.result(request)
    assert result.usage_estimated
    assert result.usage.prompt_tokens == count_prompt_tokens(MESSAGES, [WEATHER_TOOL], "gpt-4o")
    assert result.usage.completion_tokens == count_tokens("Hello world", "gpt-4o")


def test_missing_tool_call_ids_are_minted() -> None:
    accumulator = _Accumulator()
    call = {"index": 0, "function": {"name": "f", "arguments": "{}"}}
    accumulator.feed(_chunk({"tool_calls": [call]}))
    [result] = accumulator.result(ChatRequest("gpt-4o", MESSAGES)).tool_calls
    assert result.id.startswith("call_") and result.name == "f"


@pytest.mark.parametrize(
    ("entry", "exception", "error_type", "non_retryable", "delay"),
    [
        (
            Fail(429, headers={"retry-after": "2"}),
            openai.RateLimitError,
            RATE_LIMITED,
            False,
            timedelta(seconds=2),
        ),
        (Fail(500), openai.InternalServerError, SERVER_ERROR, False, None),
        (
            Fail(400, message="Invalid 'messages'."),
            openai.BadRequestError,
            INVALID_PROMPT,
            True,
            None,
        ),
        (Malformed(), MalformedResponseError, SERVER_ERROR, False, None),
        (Reset(), openai.APIConnectionError, SERVER_ERROR, False, None),
    ],
)
async def test_failures_raise_sdk_errors_that_map_to_retry_posture(
    model_server: ScriptedModelServer,
    provider: OpenAIChatProvider,
    entry: Fail | Malformed | Reset,
    exception: type[Exception],
    error_type: str,
    non_retryable: bool,
    delay: timedelta | None,
) -> None:
    model_server.script(entry)
    with pytest.raises(exception) as info:
        await collect(provider, ChatRequest("gpt-4o", MESSAGES))
    error = to_application_error(info.value)
    assert (error.type, error.non_retryable, error.next_retry_delay) == (
        error_type,
        non_retryable,
        delay,
    )
    assert len(model_server.chat_requests) == 1  # no SDK retries: Temporal owns them


async def test_hang_times_out(model_server: ScriptedModelServer) -> None:
    model_server.script(Hang(5))
    provider = OpenAIChatProvider(model_server.base_url, "sk-test", timeout_s=0.3)
    try:
        with pytest.raises(openai.APITimeoutError) as info:
            await collect(provider, ChatRequest("gpt-4o", MESSAGES))
    finally:
        await provider.close()
    error = to_application_error(info.value)
    assert (error.type, error.non_retryable) == (SERVER_ERROR, False)


async def test_reset_mid_stream_raises_after_the_first_deltas(
    model_server: ScriptedModelServer, provider: OpenAIChatProvider
) -> None:
    model_server.script(MidStreamReset(3, text="partial answer that never ends", chunk_size=4))
    seen: list[ChatStreamItem] = []
    with pytest.raises(openai.APIConnectionError):
        async for item in provider.stream_chat(ChatRequest("gpt-4o", MESSAGES)):
            seen.append(item)
    assert seen and all(isinstance(item, TextDelta) for item in seen)


async def test_authentication_failure_hides_the_key(
    model_server: ScriptedModelServer, provider: OpenAIChatProvider
) -> None:
    model_server.script(Fail(401, message="Incorrect API key provided: sk-test. Find yours."))
    with pytest.raises(openai.AuthenticationError) as info:
        await collect(provider, ChatRequest("gpt-4o", MESSAGES))
    error = to_application_error(info.value)
    assert error.non_retryable and "sk-test" not in error.message
