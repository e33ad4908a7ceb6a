"""Offline o200k token counting for the scripted model server's usage and token caps."""

from __future__ import annotations

import functools
import json
import warnings
from collections.abc import Iterator
from typing import Any

# bpe-openai 0.1.4 reads tables with the deprecated importlib.resources.open_binary at import
# time, and the suite turns warnings into errors.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import bpe_openai


@functools.cache
def encoding() -> bpe_openai.Encoding:
    return bpe_openai.get_encoding("o200k_base")


def encode(text: str) -> list[int]:
    # encode_ordinary: prompt text containing "<|endoftext|>" is counted, not rejected.
    tokens: list[int] = encoding().encode_ordinary(text)
    return tokens


def decode(tokens: list[int]) -> str:
    text: str = encoding().decode(tokens)
    return text


def count_tokens(text: str) -> int:
    return len(encode(text))


def prompt_tokens(body: dict[str, Any]) -> int:
    """Tokens of every message's text (and assistant tool-call arguments) plus the tools' JSON."""
    total = sum(count_tokens(text) for text in _prompt_texts(body))
    if body.get("tools"):
        total += count_tokens(json.dumps(body["tools"]))
    return total


def _prompt_texts(body: dict[str, Any]) -> Iterator[str]:
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            yield content
        elif isinstance(content, list):
            yield from (part["text"] for part in content if isinstance(part.get("text"), str))
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            yield function.get("name", "") + function.get("arguments", "")


def completion_cap(body: dict[str, Any]) -> int | None:
    for key in ("max_completion_tokens", "max_tokens"):
        if isinstance(body.get(key), int):
            return int(body[key])
    return None
