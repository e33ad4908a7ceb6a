"""What the scripted model does for one chat-completion request, and the FIFO that holds it.

Each chat-completion request consumes one entry, first in, first out. Entries are frozen so one
script can be reused across tests and stored next to the request that consumed it.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, TypeAlias


@dataclass(frozen=True)
class Usage:
    """Token usage to report verbatim instead of counting with the o200k tokenizer."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int | None = None  # None: the sum, as OpenAI reports it

    def as_dict(self) -> dict[str, Any]:
        total = self.total_tokens
        if total is None:
            total = self.prompt_tokens + self.completion_tokens
        return usage_dict(self.prompt_tokens, self.completion_tokens, total)


def usage_dict(prompt: int, completion: int, total: int | None = None) -> dict[str, Any]:
    """OpenAI's full usage object, details included, so SDK models see every field populated."""
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion if total is None else total,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


@dataclass(frozen=True)
class Reply:
    """An assistant text message; streamed as `chunk_size`-character content deltas."""

    text: str
    _: KW_ONLY
    usage: Usage | None = None
    chunk_size: int = 4
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0
    finish_reason: str = "stop"


@dataclass(frozen=True)
class ToolCall:
    """One function tool call; `id` defaults to a fresh `call_...` id."""

    name: str
    arguments: str
    id: str | None = None


@dataclass(frozen=True)
class ToolCalls:
    """One or more (parallel) function tool calls, optionally preceded by assistant text."""

    calls: Sequence[ToolCall]
    _: KW_ONLY
    text: str | None = None
    usage: Usage | None = None
    chunk_size: int = 8
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0
    finish_reason: str = "tool_calls"

    def __post_init__(self) -> None:
        # A tuple keeps the entry immutable even if the caller passed a list.
        object.__setattr__(self, "calls", tuple(self.calls))


@dataclass(frozen=True)
class Fail:
    """An HTTP error with OpenAI's error envelope; unset message/type follow the status code."""

    status: int
    _: KW_ONLY
    message: str | None = None
    type: str | None = None
    code: str | None = None
    param: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Malformed:
    """A 200 whose body is not JSON (for streams: a garbage SSE data line).

    `content_type` matters to the SDK: JSON-typed garbage fails to decode, while a non-JSON type
    (say a proxy's "text/html" page) is handed back as a plain string unless strict validation
    is on.
    """

    content_type: str = "application/json"


@dataclass(frozen=True)
class Hang:
    """Accept the request and say nothing for `seconds`, then close the connection."""

    seconds: float


@dataclass(frozen=True)
class Reset:
    """Reset the TCP connection (RST) without sending anything."""


@dataclass(frozen=True)
class MidStreamReset:
    """Send `after_chunks` chunks of `text` (the role chunk counts), then reset the connection.

    A non-streamed request gets its headers and half its body before the reset.
    """

    after_chunks: int
    _: KW_ONLY
    text: str = "This answer is cut off before it ever finishes streaming."
    chunk_size: int = 4


Entry: TypeAlias = Reply | ToolCalls | Fail | Malformed | Hang | Reset | MidStreamReset
Responder: TypeAlias = Callable[[dict[str, Any]], Entry]


@dataclass(frozen=True)
class RecordedRequest:
    """One request as received; `entry` is the script entry a chat completion consumed."""

    method: str
    path: str
    headers: Mapping[str, str]  # lower-cased names
    body: Any  # parsed JSON, or None when absent or unparseable
    time: float
    entry: Entry | None = None


class Script:
    """A thread-safe FIFO of entries; handler threads pop while tests append."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: deque[Entry] = deque()

    def append(self, *entries: Entry) -> None:
        with self._lock:
            self._entries.extend(entries)

    def push_front(self, count: int, entry: Entry) -> None:
        with self._lock:
            self._entries.extendleft([entry] * count)

    def pop(self) -> Entry | None:
        with self._lock:
            return self._entries.popleft() if self._entries else None

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
