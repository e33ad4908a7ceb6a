"""core/objects/params.py: request bodies refuse unknown fields and out-of-range values."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from core.objects.params import MessageCreateParams, RunCreateParams, TextPart

RUN: dict[str, Any] = {"assistant_id": "asst_1"}
FUNCTION_TOOL = {"type": "function", "function": {"name": "f"}}


def run_params(**fields: Any) -> RunCreateParams:
    return RunCreateParams.model_validate({**RUN, **fields})


def message_params(**fields: Any) -> MessageCreateParams:
    return MessageCreateParams.model_validate({"role": "user", "content": "hi", **fields})


def test_a_minimal_run_request_is_accepted_with_everything_unset() -> None:
    params = run_params()
    assert params.assistant_id == "asst_1"
    assert params.effective_options() == {"assistant_id": "asst_1"}


def test_a_full_run_request_is_accepted() -> None:
    params = run_params(
        model="gpt-4o",
        instructions="x",
        additional_instructions="y",
        additional_messages=[{"role": "user", "content": "hello"}],
        tools=[FUNCTION_TOOL, {"type": "code_interpreter"}, {"type": "file_search"}],
        metadata={"k": "v"},
        temperature=2,
        top_p=1,
        stream=True,
        max_prompt_tokens=256,
        max_completion_tokens=256,
        truncation_strategy={"type": "last_messages", "last_messages": 3},
        tool_choice={"type": "function", "function": {"name": "f"}},
        parallel_tool_calls=False,
        response_format={"type": "json_object"},
    )
    assert params.additional_messages is not None
    assert params.additional_messages[0].content == "hello"
    options = params.effective_options()
    assert "stream" not in options
    assert "additional_messages" not in options
    assert options["max_prompt_tokens"] == 256


@pytest.mark.parametrize(
    "field",
    [
        {"tool_resources": {"code_interpreter": {"file_ids": []}}},
        {"tool_resources": {}},
        {"assistant": "asst_1"},
        {"max_tokens": 300},
        {"thread": {"messages": []}},
    ],
    ids=["tool_resources", "tool_resources-empty", "typo", "max_tokens", "thread"],
)
def test_unknown_run_fields_are_rejected(field: dict[str, Any]) -> None:
    """`tool_resources` included: a run cannot override them (SPEC §2.4)."""
    with pytest.raises(ValidationError) as caught:
        run_params(**field)
    assert caught.value.errors()[0]["type"] == "extra_forbidden"


def test_assistant_id_is_required() -> None:
    with pytest.raises(ValidationError):
        RunCreateParams.model_validate({"model": "gpt-4o"})


def test_twenty_tools_are_accepted_and_twenty_one_rejected() -> None:
    assert len(run_params(tools=[FUNCTION_TOOL] * 20).tools or []) == 20
    with pytest.raises(ValidationError):
        run_params(tools=[FUNCTION_TOOL] * 21)


@pytest.mark.parametrize("field", ["max_prompt_tokens", "max_completion_tokens"])
def test_token_caps_start_at_256(field: str) -> None:
    assert getattr(run_params(**{field: 256}), field) == 256
    for bad in (255, 1, 0, -1):
        with pytest.raises(ValidationError):
            run_params(**{field: bad})


@pytest.mark.parametrize(
    ("field", "good", "bad"),
    [
        ("temperature", [0, 1, 2], [2.01, -0.1]),
        ("top_p", [0, 0.5, 1], [1.01, -0.1]),
    ],
)
def test_sampling_ranges(field: str, good: list[float], bad: list[float]) -> None:
    for value in good:
        assert getattr(run_params(**{field: value}), field) == value
    for value in bad:
        with pytest.raises(ValidationError):
            run_params(**{field: value})


@pytest.mark.parametrize(
    "strategy",
    [
        {"type": "last_messages", "last_messages": 0},
        {"type": "last_messages", "last_messages": -2},
    ],
    ids=["zero", "negative"],
)
def test_last_messages_must_be_at_least_one(strategy: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        run_params(truncation_strategy=strategy)


# -- metadata -------------------------------------------------------------------------------


def metadata_cases() -> list[Any]:
    return [
        pytest.param({f"k{i}": "v" for i in range(16)}, True, id="16-pairs"),
        pytest.param({f"k{i}": "v" for i in range(17)}, False, id="17-pairs"),
        pytest.param({"k" * 64: "v"}, True, id="64-char-key"),
        pytest.param({"k" * 65: "v"}, False, id="65-char-key"),
        pytest.param({"k": "v" * 512}, True, id="512-char-value"),
        pytest.param({"k": "v" * 513}, False, id="513-char-value"),
        pytest.param({}, True, id="empty"),
    ]


@pytest.mark.parametrize(("metadata", "ok"), metadata_cases())
def test_run_metadata_limits(metadata: dict[str, str], ok: bool) -> None:
    if ok:
        assert run_params(metadata=metadata).metadata == metadata
    else:
        with pytest.raises(ValidationError):
            run_params(metadata=metadata)


@pytest.mark.parametrize(("metadata", "ok"), metadata_cases())
def test_message_metadata_limits(metadata: dict[str, str], ok: bool) -> None:
    if ok:
        assert message_params(metadata=metadata).metadata == metadata
    else:
        with pytest.raises(ValidationError):
            message_params(metadata=metadata)


def test_metadata_values_must_be_strings() -> None:
    with pytest.raises(ValidationError):
        run_params(metadata={"n": 1})


# -- messages -------------------------------------------------------------------------------


def test_message_content_may_be_a_string_or_parts() -> None:
    assert message_params(content="hello").content == "hello"
    params = message_params(content=[{"type": "text", "text": "hello"}])
    assert params.content == [TextPart(type="text", text="hello")]


def test_an_empty_content_list_is_rejected() -> None:
    with pytest.raises(ValidationError):
        message_params(content=[])


@pytest.mark.parametrize(
    "fields",
    [
        {"role": "system"},
        {"content": [{"type": "video", "video": {}}]},
        {"content": [{"type": "text", "text": "x", "extra": 1}]},
        {"content": [{"type": "image_url", "image_url": {"url": "u", "detail": "max"}}]},
        {"run_id": "run_1"},
    ],
    ids=["system-role", "unknown-part", "extra-part-field", "bad-detail", "unknown-field"],
)
def test_bad_messages_are_rejected(fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        message_params(**fields)


def test_bad_additional_messages_reject_the_run() -> None:
    with pytest.raises(ValidationError):
        run_params(additional_messages=[{"role": "user", "content": []}])
