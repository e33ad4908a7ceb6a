"""Build a Chat Completions request from a run, its thread and its tool steps.

Built-in and server tools are presented to the model as functions (DESIGN "Model providers").
Which thread messages go in is `core.truncation`'s rule; this module prices them (per model
family, `core.tokens`) and reads the thread newest first, page by page, only until the prompt
limit is reached, so the cost of a call grows with its window, not with the thread.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from core import code_interpreter, file_search
from core.code_interpreter import files_key
from core.objects.assistant_tool import FunctionTool
from core.objects.code_interpreter_tool_call import CodeInterpreterToolCall
from core.objects.file_search_tool_call import FileSearchToolCall
from core.objects.message import Message
from core.objects.message_content import ImageURLContentBlock, TextContentBlock
from core.objects.run import Run
from core.objects.run_step import FunctionToolCall, RunStep, ToolCallsStepDetails
from core.tokens import count_one_message_tokens, count_prompt_tokens
from core.truncation import LimitName, Packer, prompt_limit

ChatMessage = dict[str, Any]


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


def _call_turn(call_id: str, name: str, arguments: str, output: str) -> tuple[Any, ChatMessage]:
    request = {"id": call_id, "type": "function",
               "function": {"name": name, "arguments": arguments}}  # fmt: skip
    return request, {"role": "tool", "tool_call_id": call_id, "content": output}


class _ToolTurns:
    """Renders a run's tool steps in order; file_search calls are numbered as they come, which
    is the number their citation markers carry."""

    def __init__(self, arguments: Mapping[str, str]) -> None:
        self._arguments = arguments
        self._searches = 0

    def _files_of(self, call_id: str) -> dict[str, str]:
        """`/mnt/data path -> file_id` of the files a code_interpreter call wrote."""
        files: dict[str, str] = json.loads(self._arguments.get(files_key(call_id), "{}"))
        return files

    def of(self, step: RunStep) -> list[ChatMessage]:
        """An assistant turn with the step's calls, then one `tool` message per output."""
        details = step.step_details
        if not isinstance(details, ToolCallsStepDetails):
            return []
        turns = []
        for call in details.tool_calls:
            if isinstance(call, FunctionToolCall):
                turns.append(_call_turn(call.id, call.function.name, call.function.arguments,
                                        call.function.output or ""))  # fmt: skip
            elif isinstance(call, CodeInterpreterToolCall):
                code = json.dumps({"code": call.code_interpreter.input})
                output = code_interpreter.render_output(call, self._files_of(call.id))
                turns.append(_call_turn(call.id, code_interpreter.TOOL_NAME, code, output))
            elif isinstance(call, FileSearchToolCall):
                arguments = self._arguments.get(call.id, '{"queries": []}')
                output = file_search.render_output(self._searches, call)
                self._searches += 1
                turns.append(_call_turn(call.id, file_search.TOOL_NAME, arguments, output))
        if not turns:
            return []
        assistant: ChatMessage = {
            "role": "assistant",
            "content": None,
            "tool_calls": [request for request, _ in turns],
        }
        return [assistant, *(output for _, output in turns)]


def tool_step_messages(step: RunStep) -> list[ChatMessage]:
    """One step's tool turn on its own (file_search calls numbered from 0)."""
    return _ToolTurns({}).of(step)


def tool_turn_messages(
    steps: Sequence[RunStep], arguments: Mapping[str, str] | None = None
) -> list[ChatMessage]:
    """Every tool turn of the run so far, oldest first; `arguments` of built-in tool calls by
    call id (their wire objects have no field for them)."""
    turns = _ToolTurns(arguments or {})
    return [message for step in steps for message in turns.of(step)]


def chat_tools(run: Run) -> list[dict[str, Any]]:
    """The run's function tools in Chat Completions form."""
    tools: list[dict[str, Any]] = []
    for tool in run.tools:
        if isinstance(tool, FunctionTool):
            function = tool.function.model_dump(exclude_none=True)
            function.setdefault("parameters", {"type": "object", "properties": {}})
            tools.append({"type": "function", "function": function})
    if file_search.options_of(run.tools) is not None:
        tools.append(file_search.chat_tool())
    if code_interpreter.enabled(run.tools):
        tools.append(code_interpreter.chat_tool())
    return tools


def chat_tool_choice(run: Run) -> str | dict[str, Any] | None:
    choice = run.tool_choice
    if choice is None or isinstance(choice, str):
        return choice
    if choice.type in (file_search.TOOL_NAME, code_interpreter.TOOL_NAME):
        return {"type": "function", "function": {"name": choice.type}}
    dumped: dict[str, Any] = json.loads(choice.model_dump_json(exclude_none=True))
    return dumped


# -- choosing the thread messages -----------------------------------------------------------

PAGE_SIZE: Final = 100
"""Thread messages read per query while filling a window."""

OPENING_SCAN: Final = 16
"""The opening user message is looked for among the thread's first this-many messages only,
which bounds the read for threads that open with a long run of assistant messages."""

Cursor = Any
"""Where the next older page of a thread starts; opaque outside the store."""


class ThreadHistory(Protocol):
    """A thread's messages as `load_context` reads them (the store implements it)."""

    async def older_page(
        self, cursor: Cursor | None, size: int
    ) -> tuple[list[Message], Cursor | None]:
        """Up to `size` messages older than `cursor` (None: the newest), newest first, and
        the cursor of the next older page (None: nothing older)."""
        ...

    async def opening_user_message(self, within: int) -> Message | None:
        """The oldest user message among the thread's first `within` messages."""
        ...


@dataclass(frozen=True)
class ContextLimits:
    """What bounds one call's prompt."""

    max_prompt_tokens: int | None = None
    """The run's remaining prompt budget (None: uncapped)."""
    max_completion_tokens: int | None = None
    """The run's remaining completion budget (None: uncapped); the window keeps room for it."""
    context_window: int | None = None
    """The model's window (None: unknown and ignored)."""


@dataclass(frozen=True)
class Context:
    """What goes to the model, and which thread messages were kept or dropped (for debugging)."""

    messages: list[ChatMessage]
    kept_message_ids: list[str]
    dropped_message_ids: list[str]
    """Messages read but not sent, oldest first."""
    prompt_tokens_estimate: int
    fits: bool
    """Whether the instructions, tool turns and newest message fit the prompt limit."""
    prompt_limit: int | None = None
    """The most prompt tokens the call may send (None: unlimited)."""
    bound_by: LimitName | None = None
    """Which limit `prompt_limit` is: the run's prompt budget or the model's window."""
    unread_dropped: bool = False
    """Older messages were dropped without being read (they are not in `dropped_message_ids`)."""


class _Assembler:
    """One call's context being filled: messages are fed newest first."""

    def __init__(
        self,
        run: Run,
        tool_steps: Sequence[RunStep],
        limits: ContextLimits,
        tool_arguments: Mapping[str, str] | None = None,
    ) -> None:
        self._run = run
        self._system = [{"role": "system", "content": run.instructions}] if run.instructions else []
        self._tail = tool_turn_messages(tool_steps, tool_arguments)
        fixed = count_prompt_tokens([*self._system, *self._tail], chat_tools(run), run.model)
        self.limit = prompt_limit(
            limits.max_prompt_tokens, limits.max_completion_tokens, limits.context_window
        )
        strategy = run.truncation_strategy
        self.last_messages = (
            strategy.last_messages if strategy and strategy.type == "last_messages" else None
        )
        self.packer = Packer(fixed, self.limit.tokens, self.last_messages)
        self._read: list[Message] = []
        self._rendered: dict[str, ChatMessage] = {}

    def feed(self, newest_first: Iterable[Message]) -> bool:
        """Offer the next older messages; whether it is worth reading further."""
        for message in newest_first:
            self._read.append(message)
            if self.packer.wants_more:
                self._offer(message, opening=False)
        return self.packer.wants_more

    def _offer(self, message: Message, *, opening: bool) -> None:
        rendered = thread_message(message)
        tokens = count_one_message_tokens(rendered, self._run.model)
        offer = self.packer.offer_opening if opening else self.packer.offer
        if offer(message.id, tokens):
            self._rendered[message.id] = rendered

    def wants_opening(self) -> bool:
        """`auto` truncated the thread: its opening user message may fill the gap."""
        return self.last_messages is None and self.packer.fits and not self.packer.wants_more

    def offer_opening(self, message: Message) -> None:
        if message.role == "user":
            self._offer(message, opening=True)

    def context(self, *, unread: bool) -> Context:
        """The result; `unread`: the thread has older messages that were never read."""
        kept = self.packer.kept()
        thread = [self._rendered[message_id] for message_id in kept]
        taken = set(kept)
        dropped = [m.id for m in reversed(self._read) if m.id not in taken]
        return Context(
            messages=[*self._system, *thread, *self._tail],
            kept_message_ids=kept,
            dropped_message_ids=dropped,
            prompt_tokens_estimate=self.packer.tokens,
            fits=self.packer.fits,
            prompt_limit=self.limit.tokens,
            bound_by=self.limit.bound_by,
            unread_dropped=unread,
        )


def build_context(
    run: Run,
    history: Sequence[Message],
    tool_steps: Sequence[RunStep],
    *,
    max_prompt_tokens: int | None,
    max_completion_tokens: int | None = None,
    context_window: int | None = None,
) -> Context:
    """The context from a thread already in memory (oldest first); see `load_context`."""
    limits = ContextLimits(max_prompt_tokens, max_completion_tokens, context_window)
    assembler = _Assembler(run, tool_steps, limits)
    assembler.feed(reversed(history))
    if assembler.wants_opening():
        opening = next((m for m in history[:OPENING_SCAN] if m.role == "user"), None)
        if opening is not None:
            assembler.offer_opening(opening)
    return assembler.context(unread=False)


async def load_context(
    run: Run,
    history: ThreadHistory,
    tool_steps: Sequence[RunStep],
    limits: ContextLimits,
    tool_arguments: Mapping[str, str] | None = None,
) -> Context:
    """Instructions + the thread messages that fit + this run's tool turns, reading the thread
    newest first and only as far as the prompt limit reaches."""
    assembler = _Assembler(run, tool_steps, limits, tool_arguments)
    size = min(PAGE_SIZE, assembler.last_messages or PAGE_SIZE)
    page, cursor = await history.older_page(None, size)
    while assembler.feed(page) and cursor is not None:
        page, cursor = await history.older_page(cursor, size)
    if assembler.wants_opening():
        opening = await history.opening_user_message(OPENING_SCAN)
        if opening is not None:
            assembler.offer_opening(opening)
    return assembler.context(unread=cursor is not None)
