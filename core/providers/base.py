"""Provider-neutral value types for one streamed chat call, and the `ModelProvider` protocol.

Requests and messages use the Chat Completions shapes because every OpenAI-compatible engine
speaks them. Errors are not wrapped: providers raise the `openai` SDK's own exceptions (or
`MalformedResponseError`), and `activities/_errors.py` maps them to retry posture exactly once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeAlias


class MalformedResponseError(Exception):
    """The provider answered 200 with a body (or stream chunk) that cannot be parsed."""


@dataclass(frozen=True)
class ChatRequest:
    """One chat call. Optional parameters left as None are not sent at all."""

    model: str
    messages: list[dict[str, Any]]
    """Chat Completions message dicts (`{"role": ..., "content": ...}`)."""
    tools: list[dict[str, Any]] = field(default_factory=list)
    """Chat Completions tool dicts (`{"type": "function", "function": {...}}`)."""
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    temperature: float | None = None
    top_p: float | None = None
    response_format: dict[str, Any] | None = None
    max_completion_tokens: int | None = None


@dataclass(frozen=True)
class TextDelta:
    """A fragment of the assistant's text, in arrival order."""

    text: str


@dataclass(frozen=True)
class ToolCallDelta:
    """A fragment of tool call `index`; `id` and `name` are set on the call's first fragment."""

    index: int
    id: str | None
    name: str | None
    arguments: str


@dataclass(frozen=True)
class ToolCallResult:
    """One complete tool call; `arguments` is the JSON text exactly as the model produced it."""

    index: int
    id: str
    name: str
    arguments: str


@dataclass(frozen=True)
class Usage:
    """Tokens billed for one call."""

    prompt_tokens: int
    completion_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


@dataclass(frozen=True)
class ChatResult:
    """The whole answer; always the last item of a stream, exactly once."""

    text: str
    tool_calls: list[ToolCallResult]
    finish_reason: str
    """`stop`, `length`, `tool_calls` or `content_filter`, as the provider reported it."""
    usage: Usage
    usage_estimated: bool = False
    """True when the provider reported no usage and `core.tokens` counted it instead."""


ChatStreamItem: TypeAlias = TextDelta | ToolCallDelta | ChatResult


class ModelProvider(Protocol):
    """An upstream model. Implementations never retry: Temporal owns the one retry loop."""

    def stream_chat(self, request: ChatRequest) -> AsyncIterator[ChatStreamItem]:
        """Deltas as they arrive, then exactly one `ChatResult`."""
        ...

    async def close(self) -> None:
        """Release connections; the provider is unusable afterwards."""
        ...
