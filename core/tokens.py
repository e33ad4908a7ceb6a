"""Offline token counting with OpenAI's BPE tables (`bpe_openai` ships them; tiktoken downloads).

Counts are estimates for budgets and for providers that report no usage: they follow OpenAI's
documented Chat overhead (about 3 tokens per message plus 3 to prime the reply) and ignore
images, whose cost depends on size and detail.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import bpe_openai

O200K = "o200k_base"
CL100K = "cl100k_base"

# Checked in order: "gpt-4o" and "gpt-4.1" must win over the older "gpt-4" family.
_MODEL_PREFIXES: tuple[tuple[str, str], ...] = (
    ("gpt-4o", O200K),
    ("gpt-4.", O200K),
    ("chatgpt-", O200K),
    ("gpt-5", O200K),
    ("o1", O200K),
    ("o3", O200K),
    ("o4", O200K),
    ("gpt-4", CL100K),
    ("gpt-3.5", CL100K),
    ("gpt-35", CL100K),
)

TOKENS_PER_MESSAGE = 3
"""Chat framing per message (`<|start|>{role}<|message|>...<|end|>`), as OpenAI documents it."""

TOKENS_PER_NAME = 1
REPLY_PRIMER_TOKENS = 3
"""Every reply is primed with `<|start|>assistant<|message|>`."""


def encoding_name_for_model(model: str) -> str:
    """The BPE table for `model`; unknown models (local engines included) get o200k_base."""
    name = model.lower().rsplit("/", 1)[-1]  # "openai/gpt-4o" style routing prefixes
    for prefix, encoding in _MODEL_PREFIXES:
        if name.startswith(prefix):
            return encoding
    return O200K


@functools.cache
def _encoding(name: str) -> Any:
    # Loading a table takes ~70 ms; every later call is a dict lookup.
    return bpe_openai.get_encoding(name)


def encoding_for_model(model: str) -> Any:
    """The (cached) `bpe_openai` encoding `model` uses, for callers that need more than counts."""
    return _encoding(encoding_name_for_model(model))


def encode(text: str, model: str) -> list[int]:
    """Token ids of `text`; special-token look-alikes in user text count as plain text."""
    tokens: list[int] = _encoding(encoding_name_for_model(model)).encode_ordinary(text)
    return tokens


def count_tokens(text: str, model: str) -> int:
    """Number of tokens `model` sees for `text`."""
    return len(encode(text, model))


def truncate_to_tokens(text: str, model: str, max_tokens: int) -> str:
    """`text` cut to at most `max_tokens` tokens (unchanged when it already fits)."""
    tokens = encode(text, model)
    if len(tokens) <= max_tokens:
        return text
    decoded: str = _encoding(encoding_name_for_model(model)).decode(tokens[: max(max_tokens, 0)])
    return decoded


def count_one_message_tokens(message: Mapping[str, Any], model: str) -> int:
    """Tokens one Chat message adds to a prompt (its framing included, the reply primer not).

    Prompt counts are sums of these, which is what lets truncation price each message once.
    """
    total = TOKENS_PER_MESSAGE + sum(count_tokens(text, model) for text in _message_texts(message))
    return total + (TOKENS_PER_NAME if message.get("name") else 0)


def count_message_tokens(messages: Iterable[Mapping[str, Any]], model: str) -> int:
    """Prompt tokens of Chat Completions `messages`, framing and reply primer included."""
    return REPLY_PRIMER_TOKENS + sum(count_one_message_tokens(m, model) for m in messages)


def count_tool_tokens(tools: Sequence[Mapping[str, Any]], model: str) -> int:
    """Prompt tokens the tool definitions add (0 without tools)."""
    # OpenAI renders tools into a hidden system prompt; their JSON is a close upper bound.
    return count_tokens(json.dumps(list(tools)), model) if tools else 0


def count_prompt_tokens(
    messages: Iterable[Mapping[str, Any]], tools: Sequence[Mapping[str, Any]], model: str
) -> int:
    """Prompt tokens of a chat call: the messages plus the tool definitions' JSON."""
    return count_message_tokens(messages, model) + count_tool_tokens(tools, model)


def _message_texts(message: Mapping[str, Any]) -> Iterator[str]:
    """Every string the model reads from one message: role, name, content parts, tool calls."""
    for key in ("role", "name", "tool_call_id"):
        if isinstance(message.get(key), str):
            yield message[key]
    content = message.get("content")
    if isinstance(content, str):
        yield content
    elif isinstance(content, list):
        yield from (p["text"] for p in content if isinstance(p, dict) and "text" in p)
    for call in message.get("tool_calls") or []:
        function = call.get("function") or {}
        yield str(function.get("name", "")) + str(function.get("arguments", ""))
