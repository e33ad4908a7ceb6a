"""Build a Chat Completions request from a run, its thread and its tool steps. Pure code.

Built-in and server tools are presented to the model as functions (DESIGN "Model providers").
Truncation keeps the instructions and the newest messages that fit the remaining prompt budget
(`last_messages` first cuts to the N newest).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.objects.assistant_tool import FunctionTool
from core.objects.message import Message
from core.objects.message_content import ImageURLContentBlock, TextContentBlock
from core.objects.run import Run
from core.objects.run_step import FunctionToolCall, RunStep, ToolCallsStepDetails
from core.tokens import count_prompt_tokens

ChatMessage = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """What goes to the model, and which thread messages were kept or dropped (for debugging)."""

    messages: list[ChatMessage]
    kept_message_ids: list[str]
    dropped_message_ids: list[str]
    prompt_tokens_estimate: int
    fits: bool


def _content(message: Message) -> str | list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for block in message.content:
        if isinstance(block, TextContentBlock):
            parts.append({"type": "text", "text": block.text.value})
        elif isinstance(block, ImageURLContentBlock):
            image = {"url": block.image_url.url, "detail": block.image_url.detail or "auto"}
            parts.append({"type": "image_url", "image_url": image})
    if all(part["type"] == "text" for part in parts):
        return "\n".join(part["text"] for part in parts)
    return parts


def thread_message(message: Message) -> ChatMessage:
    return {"role": message.role, "content": _content(message)}


def tool_step_messages(step: RunStep) -> list[ChatMessage]:
    """An assistant turn with the step's function calls, then one `tool` message per output."""
    details = step.step_details
    if not isinstance(details, ToolCallsStepDetails):
        return []
    calls = [c for c in details.tool_calls if isinstance(c, FunctionToolCall)]
    if not calls:
        return []
    assistant: ChatMessage = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call.id,
                "type": "function",
                "function": {"name": call.function.name, "arguments": call.function.arguments},
            }
            for call in calls
        ],
    }
    outputs = [
        {"role": "tool", "tool_call_id": call.id, "content": call.function.output or ""}
        for call in calls
    ]
    return [assistant, *outputs]


def chat_tools(run: Run) -> list[dict[str, Any]]:
    """The run's function tools in Chat Completions form."""
    tools: list[dict[str, Any]] = []
    for tool in run.tools:
        if isinstance(tool, FunctionTool):
            function = tool.function.model_dump(exclude_none=True)
            function.setdefault("parameters", {"type": "object", "properties": {}})
            tools.append({"type": "function", "function": function})
    return tools


def chat_tool_choice(run: Run) -> str | dict[str, Any] | None:
    choice = run.tool_choice
    if choice is None or isinstance(choice, str):
        return choice
    dumped: dict[str, Any] = json.loads(choice.model_dump_json(exclude_none=True))
    return dumped


def build_context(
    run: Run,
    history: Sequence[Message],
    tool_steps: Sequence[RunStep],
    *,
    max_prompt_tokens: int | None,
) -> Context:
    """Instructions + the newest thread messages that fit + this run's tool turns."""
    system = [{"role": "system", "content": run.instructions}] if run.instructions else []
    tail = [m for step in tool_steps for m in tool_step_messages(step)]
    candidates = list(history)
    strategy = run.truncation_strategy
    if strategy is not None and strategy.type == "last_messages" and strategy.last_messages:
        candidates = candidates[-strategy.last_messages :]
    dropped = [m.id for m in history if m not in candidates]
    kept = list(candidates)
    tools = chat_tools(run)
    while True:
        messages = [*system, *(thread_message(m) for m in kept), *tail]
        tokens = count_prompt_tokens(messages, tools, run.model)
        if max_prompt_tokens is None or tokens <= max_prompt_tokens or len(kept) <= 1:
            break
        dropped.append(kept.pop(0).id)
    fits = max_prompt_tokens is None or tokens <= max_prompt_tokens
    return Context(messages, [m.id for m in kept], dropped, tokens, fits)
