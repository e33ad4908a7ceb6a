"""Offline token counting: model-to-table routing, Chat framing overhead, truncation."""

from __future__ import annotations

import bpe_openai
import pytest

from core.tokens import (
    count_message_tokens,
    count_prompt_tokens,
    count_tokens,
    encoding_name_for_model,
    truncate_to_tokens,
)

# OpenAI cookbook, "How to count tokens with tiktoken": the API reported 129 prompt tokens for
# these messages on gpt-4 / gpt-3.5-turbo and 124 on gpt-4o / gpt-4o-mini.
COOKBOOK_MESSAGES = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate "
        "jargon into plain English.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "New synergies will help drive top-line growth.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Things working well together will increase revenue.",
    },
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more time to touch base on opportunities for "
        "increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client "
        "deliverable.",
    },
]


@pytest.mark.parametrize(
    ("model", "encoding"),
    [
        ("gpt-4o", "o200k_base"),
        ("gpt-4o-mini-2024-07-18", "o200k_base"),
        ("gpt-4.1-mini", "o200k_base"),
        ("gpt-5", "o200k_base"),
        ("o1-preview", "o200k_base"),
        ("o3-mini", "o200k_base"),
        ("o4-mini", "o200k_base"),
        ("gpt-4", "cl100k_base"),
        ("gpt-4-turbo", "cl100k_base"),
        ("gpt-3.5-turbo", "cl100k_base"),
        ("openai/gpt-4-0613", "cl100k_base"),
        ("llama3.1:8b", "o200k_base"),
    ],
)
def test_encoding_name_for_model(model: str, encoding: str) -> None:
    assert encoding_name_for_model(model) == encoding


@pytest.mark.parametrize("model", ["gpt-4o", "gpt-4"])
def test_count_tokens_matches_the_bpe_table(model: str) -> None:
    text = "Grüße aus Köln! 東京 and <|endoftext|> are counted as plain text."
    table = bpe_openai.get_encoding(encoding_name_for_model(model))
    assert count_tokens(text, model) == len(table.encode_ordinary(text))


@pytest.mark.parametrize(("model", "expected"), [("gpt-4", 129), ("gpt-4o", 124)])
def test_count_message_tokens_matches_openai_cookbook(model: str, expected: int) -> None:
    assert count_message_tokens(COOKBOOK_MESSAGES, model) == expected


def test_count_message_tokens_of_nothing_is_the_reply_primer() -> None:
    assert count_message_tokens([], "gpt-4o") == 3


def test_count_message_tokens_reads_content_parts_and_tool_calls() -> None:
    """Text parts, tool-call names/arguments and tool_call_id all reach the model."""
    parts = [{"role": "user", "content": [{"type": "text", "text": "hello world"}]}]
    plain = [{"role": "user", "content": "hello world"}]
    assert count_message_tokens(parts, "gpt-4o") == count_message_tokens(plain, "gpt-4o")
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
    with_call = [{"role": "assistant", "content": None, "tool_calls": [call]}]
    bare = [{"role": "assistant", "content": None}]
    assert count_message_tokens(with_call, "gpt-4o") > count_message_tokens(bare, "gpt-4o")


def test_count_prompt_tokens_adds_the_tools() -> None:
    tools = [{"type": "function", "function": {"name": "lookup", "parameters": {}}}]
    without = count_prompt_tokens(COOKBOOK_MESSAGES, [], "gpt-4o")
    assert without == 124
    assert count_prompt_tokens(COOKBOOK_MESSAGES, tools, "gpt-4o") > without


def test_truncate_to_tokens() -> None:
    text = "one two three four five six"
    assert truncate_to_tokens(text, "gpt-4o", 100) == text
    cut = truncate_to_tokens(text, "gpt-4o", 3)
    assert text.startswith(cut)
    assert count_tokens(cut, "gpt-4o") == 3
    assert truncate_to_tokens(text, "gpt-4o", 0) == ""
