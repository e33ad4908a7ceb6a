"""The scripted model server, driven through the real official SDK over a real socket."""

from __future__ import annotations

import base64
import contextlib
import json
import math
import struct
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx2
import openai
import pytest
from openai import AsyncStream
from openai.types.chat import (
    ChatCompletionChunk,
    ChatCompletionMessageParam,
    ChatCompletionToolParam,
)

from tests.fakes.model_embeddings import DEFAULT_EMBEDDING_DIMENSIONS
from tests.fakes.model_server import (
    DEFAULT_REPLY,
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
from tests.fakes.model_tokens import count_tokens

MODEL = "gpt-4o-mini"
PROMPT = "Tell me about the weather in Paris."
USER: list[ChatCompletionMessageParam] = [{"role": "user", "content": PROMPT}]
TOOLS: list[ChatCompletionToolParam] = [
    {
        "type": "function",
        "function": {
            "name": name,
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
        },
    }
    for name in ("get_weather", "get_time")
]
PARALLEL = ToolCalls(
    [
        ToolCall("get_weather", '{"city": "Paris", "unit": "celsius"}', id="call_weather"),
        ToolCall("get_time", '{"city": "Paris"}', id="call_time"),
    ],
    chunk_size=5,
)


@pytest.fixture
async def client(model_server: ScriptedModelServer) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        base_url=model_server.base_url, api_key="test", max_retries=0
    ) as client:
        yield client


@pytest.fixture
def sync_client(model_server: ScriptedModelServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=model_server.base_url, api_key="test", max_retries=0) as client:
        yield client


async def _stream(client: openai.AsyncOpenAI, **kwargs: Any) -> list[ChatCompletionChunk]:
    stream: AsyncStream[ChatCompletionChunk] = await client.chat.completions.create(
        model=MODEL, messages=USER, stream=True, **kwargs
    )
    return [chunk async for chunk in stream]


# --- replies ------------------------------------------------------------------------------------


async def test_non_streamed_reply_reports_counted_usage(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Reply("It is sunny in Paris today."))

    completion = await client.chat.completions.create(model=MODEL, messages=USER)

    assert completion.object == "chat.completion"
    assert completion.id.startswith("chatcmpl-")
    assert completion.model == MODEL
    choice = completion.choices[0]
    assert choice.message.role == "assistant"
    assert choice.message.content == "It is sunny in Paris today."
    assert choice.finish_reason == "stop"
    assert completion.usage is not None
    assert completion.usage.prompt_tokens == count_tokens(PROMPT)
    assert completion.usage.completion_tokens == count_tokens("It is sunny in Paris today.")
    assert completion.usage.total_tokens == (
        completion.usage.prompt_tokens + completion.usage.completion_tokens
    )


async def test_prompt_tokens_count_tool_definitions(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    completion = await client.chat.completions.create(model=MODEL, messages=USER, tools=TOOLS)

    assert completion.usage is not None
    expected = count_tokens(PROMPT) + count_tokens(json.dumps(TOOLS))
    assert completion.usage.prompt_tokens == expected


async def test_explicit_usage_is_reported_verbatim(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Reply("ok", usage=Usage(200, 300)))

    completion = await client.chat.completions.create(model=MODEL, messages=USER)

    assert completion.usage is not None
    assert (completion.usage.prompt_tokens, completion.usage.completion_tokens) == (200, 300)
    assert completion.usage.total_tokens == 500


async def test_streamed_reply_reassembles_and_ends_with_usage_chunk(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    text = "Sunny, 24 degrees, light wind."
    model_server.script(Reply(text, chunk_size=4))

    chunks = await _stream(client, stream_options={"include_usage": True})

    *choice_chunks, usage_chunk = chunks
    assert {(c.id, c.created, c.model, c.object) for c in chunks} == {
        (chunks[0].id, chunks[0].created, MODEL, "chat.completion.chunk")
    }
    assert choice_chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in choice_chunks) == text
    assert [c.choices[0].finish_reason for c in choice_chunks][-1] == "stop"
    assert all(c.usage is None for c in choice_chunks)
    assert usage_chunk.choices == []
    assert usage_chunk.usage is not None
    assert usage_chunk.usage.completion_tokens == count_tokens(text)
    assert usage_chunk.usage.prompt_tokens == count_tokens(PROMPT)


async def test_stream_without_include_usage_has_no_usage_chunk(
    client: openai.AsyncOpenAI,
) -> None:
    chunks = await _stream(client)

    assert all(c.choices and c.usage is None for c in chunks)
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == DEFAULT_REPLY.text


def test_sync_client_gets_non_streamed_tool_calls(
    model_server: ScriptedModelServer, sync_client: openai.OpenAI
) -> None:
    """Unset tool-call ids become fresh `call_...` ids; finish_reason is "tool_calls"."""
    model_server.script(ToolCalls([ToolCall("get_weather", '{"city": "Paris"}')]))

    completion = sync_client.chat.completions.create(model=MODEL, messages=USER, tools=TOOLS)

    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.type == "function"
    assert call.id.startswith("call_")
    assert (call.function.name, call.function.arguments) == ("get_weather", '{"city": "Paris"}')


# --- streamed tool calls ------------------------------------------------------------------------


async def test_streamed_parallel_tool_calls_follow_openai_chunk_shape(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    """Only a call's first delta has id/type/name; later ones carry index and arguments."""
    model_server.script(PARALLEL)

    chunks = await _stream(client, tools=TOOLS)

    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for delta in chunk.choices[0].delta.tool_calls or []:
            if delta.index not in calls:
                assert delta.id and delta.type == "function" and delta.function
                assert delta.function.name and delta.function.arguments == ""
                calls[delta.index] = {"id": delta.id, "name": delta.function.name, "args": ""}
            else:
                assert delta.id is None and delta.type is None and delta.function
                assert delta.function.name is None
            calls[delta.index]["args"] += delta.function.arguments or ""
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    assert [calls[i] for i in sorted(calls)] == [
        {"id": c.id, "name": c.name, "args": c.arguments} for c in PARALLEL.calls
    ]


async def test_stream_helper_final_completion_has_parallel_tool_calls(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(PARALLEL)

    async with client.chat.completions.stream(model=MODEL, messages=USER, tools=TOOLS) as stream:
        final = await stream.get_final_completion()

    calls = final.choices[0].message.tool_calls or []
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        (c.id, c.name, c.arguments) for c in PARALLEL.calls
    ]
    assert final.choices[0].finish_reason == "tool_calls"


# --- token caps ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cap_param", ["max_completion_tokens", "max_tokens"])
async def test_completion_cap_truncates_with_finish_reason_length(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI, cap_param: str
) -> None:
    model_server.script(Reply("one two three four five six seven eight nine ten"))

    cap: dict[str, Any] = {cap_param: 3}
    completion = await client.chat.completions.create(model=MODEL, messages=USER, **cap)

    assert completion.choices[0].finish_reason == "length"
    assert completion.choices[0].message.content == "one two three"
    assert completion.usage is not None and completion.usage.completion_tokens == 3


async def test_streamed_completion_cap_truncates_tool_arguments(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    """The cap spans all calls: calls the model never reached are not emitted."""
    model_server.script(PARALLEL)

    chunks = await _stream(
        client, tools=TOOLS, max_completion_tokens=4, stream_options={"include_usage": True}
    )

    deltas = [d for c in chunks if c.choices for d in c.choices[0].delta.tool_calls or []]
    assert {d.index for d in deltas} == {0}
    arguments = "".join(d.function.arguments or "" for d in deltas if d.function)
    assert PARALLEL.calls[0].arguments.startswith(arguments)
    assert count_tokens(arguments) == 4
    assert chunks[-2].choices[0].finish_reason == "length"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 4


# --- failures -----------------------------------------------------------------------------------


async def test_rate_limit_exposes_retry_after(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Fail(429, code="rate_limit_exceeded", headers={"retry-after": "1"}))

    with pytest.raises(openai.RateLimitError) as caught:
        await client.chat.completions.create(model=MODEL, messages=USER)

    assert caught.value.response.headers["retry-after"] == "1"
    assert caught.value.code == "rate_limit_exceeded"
    assert caught.value.type == "requests"
    assert caught.value.request_id and caught.value.request_id.startswith("req_")


async def test_server_error_raises_internal_server_error(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Fail(500))

    with pytest.raises(openai.InternalServerError) as caught:
        await client.chat.completions.create(model=MODEL, messages=USER, stream=True)

    assert caught.value.status_code == 500
    assert caught.value.type == "server_error"


async def test_bad_request_carries_code_and_message(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Fail(400, message="Prompt rejected.", code="invalid_prompt"))

    with pytest.raises(openai.BadRequestError) as caught:
        await client.chat.completions.create(model=MODEL, messages=USER)

    assert caught.value.code == "invalid_prompt"
    assert caught.value.body == {
        "message": "Prompt rejected.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_prompt",
    }


async def test_malformed_json_body_raises_json_decode_error(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    """The SDK does not wrap an undecodable JSON body: callers see a bare ValueError."""
    model_server.script(Malformed())

    with pytest.raises(json.JSONDecodeError):
        await client.chat.completions.create(model=MODEL, messages=USER)


async def test_malformed_non_json_body_comes_back_as_a_string(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    """A non-JSON content type is not an error to the SDK: `create` returns the raw text."""
    model_server.script(Malformed(content_type="text/html"))

    result: object = await client.chat.completions.create(model=MODEL, messages=USER)

    assert isinstance(result, str) and result.startswith('{"id": "chatcmpl-broken"')


async def test_malformed_stream_raises_json_decode_error_while_iterating(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Malformed())

    with pytest.raises(json.JSONDecodeError):
        await _stream(client)


async def test_hang_times_out(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Hang(2.0))
    started = time.monotonic()

    with pytest.raises(openai.APITimeoutError):
        await client.chat.completions.create(model=MODEL, messages=USER, timeout=0.3)

    assert time.monotonic() - started < 1.5


async def test_reset_raises_connection_error(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Reset())

    with pytest.raises(openai.APIConnectionError) as caught:
        await client.chat.completions.create(model=MODEL, messages=USER)

    assert not isinstance(caught.value, openai.APITimeoutError)
    assert isinstance(caught.value.__cause__, httpx2.NetworkError)  # the peer reset, not a parse


async def test_mid_stream_reset_raises_after_some_chunks(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(MidStreamReset(3))
    received: list[Any] = []

    stream = await client.chat.completions.create(model=MODEL, messages=USER, stream=True)
    with pytest.raises(openai.APIConnectionError):
        async for chunk in stream:
            received.append(chunk)

    assert len(received) == 3


async def test_mid_body_reset_of_non_streamed_reply_raises_connection_error(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(MidStreamReset(1))

    with pytest.raises(openai.APIConnectionError):
        await client.chat.completions.create(model=MODEL, messages=USER)


async def test_unknown_path_is_404_in_openai_envelope(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        await client.get("/no/such/thing", cast_to=object)

    assert caught.value.body == {
        "message": "Invalid URL (GET /v1/no/such/thing)",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }


async def test_missing_messages_is_rejected_without_consuming_the_script(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Reply("kept"))

    with pytest.raises(openai.BadRequestError) as caught:
        await client.post("/chat/completions", body={"model": MODEL}, cast_to=object)

    assert caught.value.param == "messages"
    assert model_server.pending == 1


# --- embeddings and models ----------------------------------------------------------------------


async def test_embeddings_float_and_base64_agree(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    """The SDK asks for base64 by default and decodes it; explicit formats pass through."""
    texts = ["the cat sat on the mat", "stock prices fell sharply"]

    as_float = await client.embeddings.create(model="e", input=texts, encoding_format="float")
    as_default = await client.embeddings.create(model="e", input=texts)
    as_base64 = await client.embeddings.create(model="e", input=texts[0], encoding_format="base64")

    vectors = [d.embedding for d in as_float.data]
    assert [len(v) for v in vectors] == [DEFAULT_EMBEDDING_DIMENSIONS] * 2
    assert all(math.isclose(math.hypot(*v), 1.0, rel_tol=1e-5) for v in vectors)
    assert [d.embedding for d in as_default.data] == vectors
    assert model_server.requests[1].body["encoding_format"] == "base64"
    raw = base64.b64decode(as_base64.data[0].embedding)  # type: ignore[arg-type]
    assert list(struct.unpack(f"<{DEFAULT_EMBEDDING_DIMENSIONS}f", raw)) == vectors[0]
    assert as_float.usage.prompt_tokens == sum(count_tokens(t) for t in texts)
    assert as_float.usage.total_tokens == as_float.usage.prompt_tokens


async def test_embeddings_rank_related_texts_higher(client: openai.AsyncOpenAI) -> None:
    texts = [
        "How do I reset my account password?",
        "Steps to reset a forgotten password for your account",
        "Banana bread recipe with walnuts",
    ]

    response = await client.embeddings.create(model="e", input=texts, encoding_format="float")

    query, related, unrelated = (d.embedding for d in response.data)
    assert _cosine(query, related) > 0.3 > abs(_cosine(query, unrelated))


async def test_embeddings_accept_token_arrays_and_dimensions(client: openai.AsyncOpenAI) -> None:
    response = await client.embeddings.create(
        model="e", input=[[9906, 1917]], dimensions=32, encoding_format="float"
    )

    assert len(response.data[0].embedding) == 32
    assert response.usage.prompt_tokens == 2


async def test_models_are_listed(client: openai.AsyncOpenAI) -> None:
    page = await client.models.list()

    assert MODEL in [m.id for m in page.data]


# --- scripting and recording --------------------------------------------------------------------


async def test_requests_are_recorded(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    await client.chat.completions.create(model=MODEL, messages=USER, temperature=0)
    await client.models.list()

    chat, models = model_server.requests
    assert (chat.method, chat.path, models.method, models.path) == (
        "POST",
        "/v1/chat/completions",
        "GET",
        "/v1/models",
    )
    assert chat.headers["authorization"] == "Bearer test"
    assert chat.entry == DEFAULT_REPLY
    assert model_server.chat_requests == [{"model": MODEL, "messages": USER, "temperature": 0}]
    assert chat.time <= models.time


async def test_script_is_consumed_in_fifo_order_then_default(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Reply("first"), Fail(503))
    model_server.script(Reply("third"))
    model_server.default = Reply("fallback")

    first = await client.chat.completions.create(model=MODEL, messages=USER)
    with pytest.raises(openai.InternalServerError):
        await client.chat.completions.create(model=MODEL, messages=USER)
    third = await client.chat.completions.create(model=MODEL, messages=USER)
    fourth = await client.chat.completions.create(model=MODEL, messages=USER)

    contents = [c.choices[0].message.content for c in (first, third, fourth)]
    assert contents == ["first", "third", "fallback"]


async def test_fail_next_jumps_the_queue(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Reply("after the failures"))
    model_server.fail_next(2)

    for _ in range(2):
        with pytest.raises(openai.InternalServerError):
            await client.chat.completions.create(model=MODEL, messages=USER)
    completion = await client.chat.completions.create(model=MODEL, messages=USER)

    assert completion.choices[0].message.content == "after the failures"


async def test_responder_answers_when_script_is_empty(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.responder = lambda body: Reply(f"echo: {body['messages'][-1]['content']}")

    completion = await client.chat.completions.create(model=MODEL, messages=USER)

    assert completion.choices[0].message.content == f"echo: {PROMPT}"


async def test_reply_delays_are_honoured(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Reply("abcdefgh", delay_s=0.1, chunk_size=4, chunk_delay_s=0.05))
    started = time.monotonic()

    await _stream(client)

    # 0.1 s before the response, then 0.05 s before each of the 3 chunks after the first.
    assert time.monotonic() - started >= 0.25


def test_wait_for_requests_sees_requests_from_other_threads(
    model_server: ScriptedModelServer, sync_client: openai.OpenAI
) -> None:
    """Used for worker subprocesses: block until their requests arrive, or time out."""
    thread = threading.Thread(target=sync_client.models.list)
    thread.start()

    (request,) = model_server.wait_for_requests(1, timeout=5)
    thread.join()

    assert request.path == "/v1/models"
    with pytest.raises(TimeoutError):
        model_server.wait_for_requests(2, timeout=0.05)


async def test_reset_clears_script_requests_and_default(
    model_server: ScriptedModelServer, client: openai.AsyncOpenAI
) -> None:
    model_server.script(Reply("stale"))
    model_server.default = Reply("stale default")
    model_server.responder = lambda body: Reply("stale responder")
    await client.models.list()

    model_server.reset()

    assert (model_server.pending, model_server.requests, model_server.errors) == (0, [], [])
    completion = await client.chat.completions.create(model=MODEL, messages=USER)
    assert completion.choices[0].message.content == DEFAULT_REPLY.text


def test_server_stops_promptly_while_a_request_hangs() -> None:
    """A hanging handler must not hold up stop(); a stopped server has no base_url."""
    with ScriptedModelServer() as server:
        server.script(Hang(10))
        client = openai.OpenAI(base_url=server.base_url, api_key="t", max_retries=0, timeout=5)
        thread = threading.Thread(target=_swallow, args=(client,))
        thread.start()
        server.wait_for_requests(1)
        started = time.monotonic()
    assert time.monotonic() - started < 1.0
    thread.join(timeout=5)
    client.close()
    with pytest.raises(RuntimeError):
        _ = server.base_url


def _swallow(client: openai.OpenAI) -> None:
    # The server goes away mid-request: that is the point of the test.
    with contextlib.suppress(openai.APIError):
        client.chat.completions.create(model=MODEL, messages=USER)


def _cosine(a: list[float], b: list[float]) -> float:
    return sum(x * y for x, y in zip(a, b, strict=True))
