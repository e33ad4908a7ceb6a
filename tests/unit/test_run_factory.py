"""core/run_factory.py: a new run is the assistant's settings overridden by the request."""

from __future__ import annotations

from typing import Any

import pytest
from openai.types.beta.threads import Run as SDKRun

from core.objects.assistant import Assistant
from core.objects.assistant_tool import CodeInterpreterTool, FunctionDefinition, FunctionTool
from core.objects.message import (
    Attachment,
    ImageFile,
    ImageFileContentBlock,
    ImageURL,
    ImageURLContentBlock,
    Text,
    TextContentBlock,
)
from core.objects.params import MessageCreateParams, RunCreateParams
from core.objects.response_format import ResponseFormatJSONObject, ResponseFormatText
from core.objects.run import AssistantToolChoice, TruncationStrategy
from core.run_factory import effective_instructions, new_message, new_run

NOW = 1_700_000_000
ASSISTANT_TOOL = FunctionTool(function=FunctionDefinition(name="assistant_fn"))


def make_assistant(**fields: Any) -> Assistant:
    base: dict[str, Any] = {
        "id": "asst_1",
        "created_at": NOW - 100,
        "model": "gpt-4o",
        "instructions": "Be helpful.",
        "tools": [ASSISTANT_TOOL],
        "temperature": 0.3,
        "top_p": 0.8,
        "response_format": ResponseFormatJSONObject(),
    }
    return Assistant(**{**base, **fields})


def run_with(assistant: Assistant | None = None, **params: Any) -> Any:
    return new_run(
        "run_1",
        "thread_1",
        assistant or make_assistant(),
        RunCreateParams(assistant_id="asst_1", **params),
        now=NOW,
        expires_after_s=600,
    )


# -- new_run --------------------------------------------------------------------------------


def test_a_run_without_overrides_echoes_the_assistant_and_the_defaults() -> None:
    run = run_with()
    assert (run.id, run.thread_id, run.assistant_id) == ("run_1", "thread_1", "asst_1")
    assert run.status == "queued"
    assert run.created_at == NOW
    assert run.model == "gpt-4o"
    assert run.instructions == "Be helpful."
    assert run.tools == [ASSISTANT_TOOL]
    assert (run.temperature, run.top_p) == (0.3, 0.8)
    assert run.response_format == ResponseFormatJSONObject()
    assert run.tool_choice == "auto"
    assert run.parallel_tool_calls is True
    assert run.truncation_strategy == TruncationStrategy(type="auto", last_messages=None)
    assert run.metadata == {}
    assert (run.max_prompt_tokens, run.max_completion_tokens) == (None, None)
    assert run.started_at is run.completed_at is run.required_action is run.usage is None


def test_expires_at_is_now_plus_the_expiry_window() -> None:
    run = new_run(
        "run_1",
        "thread_1",
        make_assistant(),
        RunCreateParams(assistant_id="asst_1"),
        now=NOW,
        expires_after_s=90,
    )
    assert run.expires_at == NOW + 90


def test_request_overrides_win_over_the_assistant() -> None:
    tools = [CodeInterpreterTool()]
    choice = AssistantToolChoice(type="code_interpreter")
    strategy = TruncationStrategy(type="last_messages", last_messages=3)
    run = run_with(
        model="gpt-4.1-mini",
        tools=tools,
        temperature=1.7,
        top_p=0.1,
        response_format=ResponseFormatText(),
        tool_choice=choice,
        parallel_tool_calls=False,
        truncation_strategy={"type": "last_messages", "last_messages": 3},
        metadata={"k": "v"},
        max_prompt_tokens=500,
        max_completion_tokens=1000,
    )
    assert run.model == "gpt-4.1-mini"
    assert run.tools == tools
    assert (run.temperature, run.top_p) == (1.7, 0.1)
    assert run.response_format == ResponseFormatText()
    assert run.tool_choice == choice
    assert run.parallel_tool_calls is False
    assert run.truncation_strategy == strategy
    assert run.metadata == {"k": "v"}
    assert (run.max_prompt_tokens, run.max_completion_tokens) == (500, 1000)


def test_an_empty_tools_override_removes_the_assistants_tools() -> None:
    assert run_with(tools=[]).tools == []


def test_zero_temperature_and_top_p_are_kept_not_replaced_by_defaults() -> None:
    run = run_with(temperature=0.0, top_p=0.0)
    assert (run.temperature, run.top_p) == (0.0, 0.0)


def test_sampling_falls_back_to_one_when_the_assistant_has_none() -> None:
    run = run_with(make_assistant(temperature=None, top_p=None))
    assert (run.temperature, run.top_p) == (1.0, 1.0)


def test_response_format_falls_back_to_auto() -> None:
    assert run_with(make_assistant(response_format=None)).response_format == "auto"
    assert run_with(make_assistant(response_format="auto")).response_format == "auto"


def test_the_run_echo_is_compatible_with_the_sdk_run() -> None:
    """The built run validates as openai's Run with no unknown keys (STYLE §8)."""
    sdk = SDKRun.model_validate(run_with(metadata={"a": "b"}).model_dump(mode="json"))
    assert sdk.model_extra == {}
    assert sdk.status == "queued"


# -- effective_instructions -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("assistant_instructions", "params", "expected"),
    [
        ("Be helpful.", {}, "Be helpful."),
        ("Be helpful.", {"instructions": "Be terse."}, "Be terse."),
        ("Be helpful.", {"additional_instructions": "Use metric."}, "Be helpful.\n\nUse metric."),
        (
            "Be helpful.",
            {"instructions": "Be terse.", "additional_instructions": "Use metric."},
            "Be terse.\n\nUse metric.",
        ),
        (None, {"additional_instructions": "Use metric."}, "Use metric."),
        (None, {}, ""),
        ("Be helpful.", {"instructions": ""}, ""),
    ],
    ids=[
        "assistant",
        "override-replaces",
        "additional-appended",
        "override-plus-additional",
        "additional-only",
        "nothing-is-empty-string",
        "empty-override-clears",
    ],
)
def test_effective_instructions(
    assistant_instructions: str | None, params: dict[str, Any], expected: str
) -> None:
    assistant = make_assistant(instructions=assistant_instructions)
    got = effective_instructions(assistant, RunCreateParams(assistant_id="asst_1", **params))
    assert got == expected
    assert run_with(assistant, **params).instructions == expected


# -- new_message ----------------------------------------------------------------------------


def test_a_string_content_becomes_one_text_block_without_annotations() -> None:
    params = MessageCreateParams(role="user", content="Hello")
    message = new_message("msg_1", "thread_1", params, now=NOW)
    assert message.content == [TextContentBlock(text=Text(value="Hello", annotations=[]))]
    assert (message.id, message.thread_id, message.role) == ("msg_1", "thread_1", "user")
    assert message.status == "completed"
    assert (message.created_at, message.completed_at) == (NOW, NOW)
    assert message.run_id is None
    assert message.assistant_id is None
    assert message.attachments == []
    assert message.metadata == {}


def test_content_parts_become_blocks_in_order() -> None:
    params = MessageCreateParams.model_validate(
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "See:"},
                {"type": "image_file", "image_file": {"file_id": "file_1", "detail": "high"}},
                {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
            ],
            "metadata": {"source": "import"},
            "attachments": [{"file_id": "file_2", "tools": [{"type": "code_interpreter"}]}],
        }
    )
    message = new_message("msg_1", "thread_1", params, now=NOW)
    assert message.role == "assistant"
    assert message.content == [
        TextContentBlock(text=Text(value="See:", annotations=[])),
        ImageFileContentBlock(image_file=ImageFile(file_id="file_1", detail="high")),
        ImageURLContentBlock(image_url=ImageURL(url="https://x.test/a.png", detail=None)),
    ]
    assert message.metadata == {"source": "import"}
    assert message.attachments == [Attachment(file_id="file_2", tools=[CodeInterpreterTool()])]
