"""core/context.py: the Chat Completions request built from a run, its thread and tool steps."""

from __future__ import annotations

from typing import Any

import pytest

from core.context import (
    build_context,
    chat_tool_choice,
    chat_tools,
    thread_message,
    tool_step_messages,
)
from core.objects.assistant_tool import (
    CodeInterpreterTool,
    FileSearchTool,
    FunctionDefinition,
    FunctionTool,
)
from core.objects.message import (
    ImageFile,
    ImageFileContentBlock,
    ImageURL,
    ImageURLContentBlock,
    Message,
    Text,
    TextContentBlock,
)
from core.objects.run import (
    AssistantToolChoice,
    AssistantToolChoiceFunction,
    Run,
    TruncationStrategy,
)
from core.objects.run_step import (
    CodeInterpreter,
    CodeInterpreterOutputLogs,
    CodeInterpreterToolCall,
    FunctionToolCall,
    FunctionToolCallFunction,
    MessageCreation,
    MessageCreationStepDetails,
    RunStep,
    ToolCallsStepDetails,
)
from core.tokens import count_message_tokens, count_prompt_tokens

MODEL = "gpt-4o"
INSTRUCTIONS = "You are a terse assistant."
SYSTEM = {"role": "system", "content": INSTRUCTIONS}


def make_run(**fields: Any) -> Run:
    base: dict[str, Any] = {
        "id": "run_1",
        "created_at": 1,
        "thread_id": "thread_1",
        "assistant_id": "asst_1",
        "status": "in_progress",
        "model": MODEL,
        "instructions": INSTRUCTIONS,
    }
    return Run(**{**base, **fields})


def text_message(index: int, text: str | None = None, role: str = "user") -> Message:
    return Message(
        id=f"msg_{index}",
        created_at=index,
        thread_id="thread_1",
        status="completed",
        role=role,
        content=[TextContentBlock(text=Text(value=text or f"message number {index} " * 5))],
    )


HISTORY = [text_message(i, role="user" if i % 2 else "assistant") for i in range(1, 7)]
IDS = [m.id for m in HISTORY]


def tool_step(*calls: Any) -> RunStep:
    return RunStep(
        id="step_1",
        created_at=1,
        assistant_id="asst_1",
        thread_id="thread_1",
        run_id="run_1",
        type="tool_calls",
        status="completed",
        step_details=ToolCallsStepDetails(tool_calls=list(calls)),
    )


def call(call_id: str, name: str, output: str | None) -> FunctionToolCall:
    return FunctionToolCall(
        id=call_id,
        function=FunctionToolCallFunction(name=name, arguments='{"x":1}', output=output),
    )


# -- thread_message -------------------------------------------------------------------------


def test_a_text_message_becomes_a_plain_string_content() -> None:
    message = text_message(1, "Hello there")
    assert thread_message(message) == {"role": "user", "content": "Hello there"}


def test_several_text_blocks_are_joined_with_newlines() -> None:
    message = text_message(1).model_copy(
        update={
            "content": [
                TextContentBlock(text=Text(value="first")),
                TextContentBlock(text=Text(value="second")),
            ]
        }
    )
    assert thread_message(message)["content"] == "first\nsecond"


def test_image_urls_make_the_content_a_list_of_parts_with_auto_detail() -> None:
    message = text_message(1).model_copy(
        update={
            "content": [
                TextContentBlock(text=Text(value="What is this?")),
                ImageURLContentBlock(image_url=ImageURL(url="https://example.test/cat.png")),
                ImageURLContentBlock(image_url=ImageURL(url="https://x.test/d.png", detail="low")),
            ]
        }
    )
    assert thread_message(message)["content"] == [
        {"type": "text", "text": "What is this?"},
        {
            "type": "image_url",
            "image_url": {"url": "https://example.test/cat.png", "detail": "auto"},
        },
        {"type": "image_url", "image_url": {"url": "https://x.test/d.png", "detail": "low"}},
    ]


def test_image_file_blocks_are_not_sent_to_the_model() -> None:
    message = text_message(1, "look").model_copy(
        update={
            "content": [
                TextContentBlock(text=Text(value="look")),
                ImageFileContentBlock(image_file=ImageFile(file_id="file_1")),
            ]
        }
    )
    assert thread_message(message) == {"role": "user", "content": "look"}


# -- build_context: instructions, ordering ----------------------------------------------------


def test_instructions_become_the_leading_system_message() -> None:
    context = build_context(make_run(), HISTORY[:2], [], max_prompt_tokens=None)
    assert context.messages[0] == SYSTEM
    assert context.messages[1:] == [thread_message(m) for m in HISTORY[:2]]


def test_empty_instructions_add_no_system_message() -> None:
    context = build_context(make_run(instructions=""), HISTORY[:2], [], max_prompt_tokens=None)
    assert [m["role"] for m in context.messages] == ["user", "assistant"]
    assert all(m["role"] != "system" for m in context.messages)


def test_without_caps_or_truncation_everything_is_kept_and_fits() -> None:
    context = build_context(make_run(), HISTORY, [], max_prompt_tokens=None)
    assert context.kept_message_ids == IDS
    assert context.dropped_message_ids == []
    assert context.fits is True
    assert context.prompt_tokens_estimate == count_message_tokens(context.messages, MODEL)


def test_tool_steps_follow_the_thread_messages() -> None:
    step = tool_step(call("call_a", "lookup", "42"))
    context = build_context(make_run(), HISTORY[:2], [step], max_prompt_tokens=None)
    assert context.messages[-2:] == tool_step_messages(step)
    assert context.messages[-2]["role"] == "assistant"
    assert context.messages[-1] == {"role": "tool", "tool_call_id": "call_a", "content": "42"}


# -- build_context: truncation ----------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 2, 5])
def test_last_messages_keeps_exactly_the_n_newest(n: int) -> None:
    run = make_run(truncation_strategy=TruncationStrategy(type="last_messages", last_messages=n))
    context = build_context(run, HISTORY, [], max_prompt_tokens=None)
    assert context.kept_message_ids == IDS[-n:]
    assert context.dropped_message_ids == IDS[:-n]
    assert context.messages == [SYSTEM, *(thread_message(m) for m in HISTORY[-n:])]


def test_last_messages_larger_than_the_thread_keeps_everything() -> None:
    run = make_run(truncation_strategy=TruncationStrategy(type="last_messages", last_messages=50))
    context = build_context(run, HISTORY, [], max_prompt_tokens=None)
    assert context.kept_message_ids == IDS
    assert context.dropped_message_ids == []


def test_auto_truncation_keeps_everything_when_it_fits() -> None:
    total = count_message_tokens([SYSTEM, *(thread_message(m) for m in HISTORY)], MODEL)
    context = build_context(make_run(), HISTORY, [], max_prompt_tokens=total)
    assert context.kept_message_ids == IDS
    assert context.prompt_tokens_estimate == total
    assert context.fits is True


@pytest.mark.parametrize("keep", [1, 2, 4])
def test_prompt_budget_drops_the_oldest_messages_until_the_estimate_fits(keep: int) -> None:
    newest = [thread_message(m) for m in HISTORY[-keep:]]
    budget = count_message_tokens([SYSTEM, *newest], MODEL)
    one_more = count_message_tokens([SYSTEM, thread_message(HISTORY[-keep - 1]), *newest], MODEL)
    assert one_more > budget

    context = build_context(make_run(), HISTORY, [], max_prompt_tokens=budget)

    assert context.kept_message_ids == IDS[-keep:]
    assert context.dropped_message_ids == IDS[:-keep]
    assert context.messages == [SYSTEM, *newest]
    assert context.prompt_tokens_estimate == budget
    assert context.fits is True


def test_a_budget_one_token_short_drops_one_more_message() -> None:
    newest = [thread_message(m) for m in HISTORY[-3:]]
    budget = count_message_tokens([SYSTEM, *newest], MODEL)
    context = build_context(make_run(), HISTORY, [], max_prompt_tokens=budget - 1)
    assert context.kept_message_ids == IDS[-2:]
    assert context.prompt_tokens_estimate <= budget - 1


def test_budget_truncation_applies_after_last_messages_and_reports_both_drops() -> None:
    run = make_run(truncation_strategy=TruncationStrategy(type="last_messages", last_messages=4))
    budget = count_message_tokens([SYSTEM, *(thread_message(m) for m in HISTORY[-2:])], MODEL)
    context = build_context(run, HISTORY, [], max_prompt_tokens=budget)
    assert context.kept_message_ids == IDS[-2:]
    assert context.dropped_message_ids == IDS[:-2]
    assert context.fits is True


def test_tool_turns_are_never_dropped_and_count_against_the_budget() -> None:
    step = tool_step(call("call_a", "lookup", "result " * 20))
    tail = tool_step_messages(step)
    budget = count_message_tokens([SYSTEM, thread_message(HISTORY[-1]), *tail], MODEL)
    context = build_context(make_run(), HISTORY, [step], max_prompt_tokens=budget)
    assert context.kept_message_ids == [IDS[-1]]
    assert context.messages[-2:] == tail
    assert context.fits is True


def test_a_single_message_too_big_for_the_budget_does_not_fit() -> None:
    """The newest message is always kept; if even it is too big, `fits` is false."""
    huge = text_message(9, "lorem ipsum dolor sit amet " * 200)
    context = build_context(make_run(), [*HISTORY, huge], [], max_prompt_tokens=256)
    assert context.kept_message_ids == ["msg_9"]
    assert context.dropped_message_ids == IDS
    assert context.fits is False
    assert context.prompt_tokens_estimate > 256


def test_kept_and_dropped_partition_the_history_in_order() -> None:
    for budget in range(30, 200, 7):
        context = build_context(make_run(), HISTORY, [], max_prompt_tokens=budget)
        assert context.dropped_message_ids + context.kept_message_ids == IDS


def test_an_empty_thread_with_instructions_only() -> None:
    context = build_context(make_run(), [], [], max_prompt_tokens=256)
    assert context.messages == [SYSTEM]
    assert context.kept_message_ids == context.dropped_message_ids == []
    assert context.fits is True


def test_the_prompt_estimate_includes_the_tool_definitions() -> None:
    schema = {
        "type": "object",
        "properties": {
            f"field_{i}": {"type": "string", "description": "x " * 20} for i in range(20)
        },
    }
    tool = FunctionTool(function=FunctionDefinition(name="big", parameters=schema))
    run = make_run(tools=[tool])
    history = [text_message(1, "hi")]
    messages_only = count_message_tokens([SYSTEM, thread_message(history[0])], MODEL)
    with_tools = count_prompt_tokens([SYSTEM, thread_message(history[0])], chat_tools(run), MODEL)
    budget = 256
    assert messages_only <= budget < with_tools

    context = build_context(run, history, [], max_prompt_tokens=budget)

    assert context.prompt_tokens_estimate >= with_tools
    assert context.fits is False


# -- tool_step_messages -----------------------------------------------------------------------


def test_a_tool_step_becomes_an_assistant_tool_calls_turn_then_tool_outputs() -> None:
    step = tool_step(call("call_a", "get_weather", "sunny"), call("call_b", "get_time", "noon"))
    assert tool_step_messages(step) == [
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_a",
                    "type": "function",
                    "function": {"name": "get_weather", "arguments": '{"x":1}'},
                },
                {
                    "id": "call_b",
                    "type": "function",
                    "function": {"name": "get_time", "arguments": '{"x":1}'},
                },
            ],
        },
        {"role": "tool", "tool_call_id": "call_a", "content": "sunny"},
        {"role": "tool", "tool_call_id": "call_b", "content": "noon"},
    ]


def test_a_missing_output_is_sent_as_an_empty_string() -> None:
    messages = tool_step_messages(tool_step(call("call_a", "f", None)))
    assert messages[-1] == {"role": "tool", "tool_call_id": "call_a", "content": ""}


def test_code_interpreter_calls_render_as_turns_and_message_steps_do_not() -> None:
    interpreter = CodeInterpreterToolCall(
        id="call_ci",
        code_interpreter=CodeInterpreter(
            input="1+1", outputs=[CodeInterpreterOutputLogs(logs="2")]
        ),
    )
    message_step = RunStep(
        id="step_2",
        created_at=1,
        assistant_id="asst_1",
        thread_id="thread_1",
        run_id="run_1",
        type="message_creation",
        status="completed",
        step_details=MessageCreationStepDetails(message_creation=MessageCreation(message_id="m")),
    )
    alone = tool_step_messages(tool_step(interpreter))
    assert alone[0]["tool_calls"][0]["function"] == {
        "name": "code_interpreter",
        "arguments": '{"code": "1+1"}',
    }
    assert alone[1] == {"role": "tool", "tool_call_id": "call_ci", "content": "2"}
    assert tool_step_messages(message_step) == []
    mixed = tool_step_messages(tool_step(interpreter, call("call_a", "f", "ok")))
    assert [c["id"] for c in mixed[0]["tool_calls"]] == ["call_ci", "call_a"]
    assert len(mixed) == 3


# -- chat_tools / chat_tool_choice ------------------------------------------------------------


def test_function_tools_render_in_chat_completions_form() -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
    tool = FunctionTool(
        function=FunctionDefinition(
            name="get_weather", description="Weather by city", parameters=schema, strict=True
        )
    )
    assert chat_tools(make_run(tools=[tool])) == [
        {
            "type": "function",
            "function": {
                "name": "get_weather",
                "description": "Weather by city",
                "parameters": schema,
                "strict": True,
            },
        }
    ]


def test_a_function_without_parameters_gets_an_empty_object_schema() -> None:
    tool = FunctionTool(function=FunctionDefinition(name="ping"))
    assert chat_tools(make_run(tools=[tool])) == [
        {
            "type": "function",
            "function": {"name": "ping", "parameters": {"type": "object", "properties": {}}},
        }
    ]


def test_function_and_built_in_tools_are_rendered_as_functions() -> None:
    tools = [
        CodeInterpreterTool(),
        FileSearchTool(),
        FunctionTool(function=FunctionDefinition(name="f")),
    ]
    rendered = chat_tools(make_run(tools=tools))
    assert [t["function"]["name"] for t in rendered] == ["f", "file_search", "code_interpreter"]
    assert rendered[1]["function"]["parameters"]["required"] == ["queries"]
    assert rendered[2]["function"]["parameters"]["required"] == ["code"]
    assert chat_tools(make_run(tools=[])) == []


def test_a_file_search_tool_choice_names_its_function() -> None:
    choice = AssistantToolChoice(type="file_search")
    assert chat_tool_choice(make_run(tool_choice=choice, tools=[FileSearchTool()])) == {
        "type": "function",
        "function": {"name": "file_search"},
    }


@pytest.mark.parametrize("choice", ["auto", "none", "required", None])
def test_string_tool_choices_pass_through(choice: str | None) -> None:
    assert chat_tool_choice(make_run(tool_choice=choice)) == choice


def test_a_named_function_tool_choice_renders_in_chat_completions_form() -> None:
    choice = AssistantToolChoice(
        type="function", function=AssistantToolChoiceFunction(name="get_weather")
    )
    assert chat_tool_choice(make_run(tool_choice=choice)) == {
        "type": "function",
        "function": {"name": "get_weather"},
    }
