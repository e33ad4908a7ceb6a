"""`OpenAIChatProvider`: streamed Chat Completions through the official SDK, retries disabled.

`max_retries=0` because Temporal's activity retry policy is the only retry loop: SDK retries
inside it would multiply attempts and hide failures from the workflow's history.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import openai
from openai.types.chat import ChatCompletionChunk
from openai.types.chat.chat_completion_chunk import ChoiceDeltaToolCall

from core.providers.base import (
    ChatRequest,
    ChatResult,
    ChatStreamItem,
    MalformedResponseError,
    TextDelta,
    ToolCallDelta,
    ToolCallResult,
    Usage,
)
from core.tokens import count_prompt_tokens, count_tokens

DEFAULT_TIMEOUT_S = 600.0

# Sent only when set: OpenAI rejects explicit nulls for some of these, and local engines differ.
_OPTIONAL_PARAMS = ("temperature", "top_p", "response_format", "max_completion_tokens")
# OpenAI answers 400 when these are present without tools, so they travel only alongside tools.
_TOOL_PARAMS = ("tool_choice", "parallel_tool_calls")


class OpenAIChatProvider:
    """Any OpenAI-compatible `/v1/chat/completions` endpoint (OpenAI, vLLM, Ollama, ...)."""

    def __init__(self, base_url: str, api_key: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self._client = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout_s
        )

    async def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatStreamItem]:
        """Stream one completion; raises the SDK's exceptions or `MalformedResponseError`."""
        # The parameters travel as a dict (only the ones set), so mypy cannot pick the overload.
        stream: openai.AsyncStream[
            ChatCompletionChunk
        ] = await self._client.chat.completions.create(**create_params(request))
        accumulator = _Accumulator()
        try:
            async for chunk in _chunks(stream):
                for item in accumulator.feed(chunk):
                    yield item
        finally:
            # Also on cancellation (heartbeat timeout, run cancelled): free the connection.
            await stream.close()
        yield accumulator.result(request)

    async def close(self) -> None:
        await self._client.close()


def create_params(request: ChatRequest) -> dict[str, Any]:
    """Keyword arguments for `chat.completions.create`, without the parameters left as None."""
    params: dict[str, Any] = {
        "model": request.model,
        "messages": request.messages,
        "stream": True,
        # Usage arrives in one extra chunk at the end of the stream, only when asked for.
        "stream_options": {"include_usage": True},
    }
    names = _OPTIONAL_PARAMS + (_TOOL_PARAMS if request.tools else ())
    params.update({n: getattr(request, n) for n in names if getattr(request, n) is not None})
    if request.tools:
        params["tools"] = request.tools
    return params


async def _chunks(
    stream: openai.AsyncStream[ChatCompletionChunk],
) -> AsyncIterator[ChatCompletionChunk]:
    """The stream's chunks, with an unparseable SSE payload raised as `MalformedResponseError`."""
    iterator = aiter(stream)
    while True:
        try:
            chunk = await anext(iterator)
        except StopAsyncIteration:
            return
        except json.JSONDecodeError as exc:
            raise MalformedResponseError(f"Model stream carried invalid JSON: {exc}") from exc
        yield chunk


class _Accumulator:
    """Folds chunks into deltas and the final result; tool calls are keyed by their `index`."""

    def __init__(self) -> None:
        self._text: list[str] = []
        self._calls: dict[int, dict[str, str]] = {}
        self._finish_reason: str | None = None
        self._usage: Usage | None = None

    def feed(self, chunk: ChatCompletionChunk) -> list[TextDelta | ToolCallDelta]:
        if chunk.usage is not None:
            self._usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
        items: list[TextDelta | ToolCallDelta] = []
        for choice in chunk.choices[:1]:  # we never ask for n > 1
            if choice.finish_reason is not None:
                self._finish_reason = choice.finish_reason
            # A refusal is the model's answer too; the Assistants API has no separate field.
            text = (choice.delta.content or "") + (choice.delta.refusal or "")
            if text:
                self._text.append(text)
                items.append(TextDelta(text))
            items.extend(self._feed_tool_call(call) for call in choice.delta.tool_calls or [])
        return items

    def _feed_tool_call(self, call: ChoiceDeltaToolCall) -> ToolCallDelta:
        function = call.function
        name = function.name if function is not None else None
        arguments = (function.arguments if function is not None else None) or ""
        state = self._calls.setdefault(call.index, {"id": "", "name": "", "arguments": ""})
        # Some engines repeat id and name on every fragment; the first one wins.
        state["id"] = state["id"] or call.id or ""
        state["name"] = state["name"] or name or ""
        state["arguments"] += arguments
        return ToolCallDelta(call.index, call.id, name, arguments)

    def result(self, request: ChatRequest) -> ChatResult:
        text = "".join(self._text)
        calls = [
            # Engines that omit ids still need distinct ones: outputs are matched by id.
            ToolCallResult(i, c["id"] or f"call_{uuid.uuid4().hex[:24]}", c["name"], c["arguments"])
            for i, c in sorted(self._calls.items())
        ]
        finish_reason = self._finish_reason or ("tool_calls" if calls else "stop")
        usage = self._usage or _estimate_usage(request, text, calls)
        return ChatResult(text, calls, finish_reason, usage, usage_estimated=self._usage is None)


def _estimate_usage(request: ChatRequest, text: str, calls: list[ToolCallResult]) -> Usage:
    """What the provider would have billed, counted offline, for engines that report nothing."""
    prompt = count_prompt_tokens(request.messages, request.tools, request.model)
    output = text + "".join(c.name + c.arguments for c in calls)
    return Usage(prompt, count_tokens(output, request.model))
