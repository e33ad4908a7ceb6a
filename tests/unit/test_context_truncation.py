"""core/context.py truncation: `auto` drops from the middle within the model's window;
`load_context` reads the thread newest first, page by page, only as far as the prompt limit
reaches; and properties of what any context sends."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from core.context import (
    OPENING_SCAN,
    PAGE_SIZE,
    Context,
    ContextLimits,
    build_context,
    chat_tools,
    load_context,
    thread_message,
)
from core.objects.message import Message
from core.objects.run import TruncationStrategy
from core.tokens import count_message_tokens, count_prompt_tokens
from tests.unit.test_context import MODEL, SYSTEM, call, make_run, text_message, tool_step


@dataclass
class PagedThread:
    """A thread in memory behind the `ThreadHistory` protocol, counting what it is asked."""

    messages: list[Message]  # oldest first
    pages_read: list[int] = field(default_factory=list)
    opening_reads: int = 0

    async def older_page(self, cursor: int | None, size: int) -> tuple[list[Message], int | None]:
        end = len(self.messages) if cursor is None else cursor
        start = max(end - size, 0)
        self.pages_read.append(end - start)
        return list(reversed(self.messages[start:end])), (start or None)

    async def opening_user_message(self, within: int) -> Message | None:
        self.opening_reads += 1
        return next((m for m in self.messages[:within] if m.role == "user"), None)


def load(thread: PagedThread, limits: ContextLimits, **run_fields: object) -> Context:
    return asyncio.run(load_context(make_run(**run_fields), thread, [], limits))


def thread_of(count: int, words: int = 3) -> list[Message]:
    return [
        text_message(i, "word " * words, role="user" if i % 2 else "assistant")
        for i in range(1, count + 1)
    ]


# -- auto drops from the middle, within the model's window -----------------------------------


def _long_thread() -> list[Message]:
    """A short opening question, then long turns: the middle is what has to go."""
    opening = text_message(1, "Plan a trip to Japan.")
    rest = [
        text_message(i, f"turn {i} " + "details " * 40, role="user" if i % 2 else "assistant")
        for i in range(2, 9)
    ]
    return [opening, *rest]


def test_auto_keeps_the_opening_user_message_and_the_newest_turns() -> None:
    """SPEC §3.3 `auto`: instructions, the thread's opening question and the newest messages
    are sent; the middle is dropped."""
    history = _long_thread()
    newest = [thread_message(m) for m in history[-2:]]
    opening = thread_message(history[0])
    budget = count_message_tokens([SYSTEM, opening, *newest], MODEL)

    context = build_context(make_run(), history, [], max_prompt_tokens=budget)

    assert context.kept_message_ids == ["msg_1", "msg_7", "msg_8"]
    assert context.dropped_message_ids == [f"msg_{i}" for i in range(2, 7)]
    assert context.messages == [SYSTEM, opening, *newest]
    assert context.prompt_tokens_estimate == budget
    assert (context.prompt_limit, context.bound_by) == (budget, "max_prompt_tokens")


def test_the_opening_is_dropped_when_it_does_not_fit_in_what_is_left() -> None:
    history = _long_thread()
    budget = count_message_tokens([SYSTEM, *(thread_message(m) for m in history[-2:])], MODEL)
    context = build_context(make_run(), history, [], max_prompt_tokens=budget)
    assert context.kept_message_ids == ["msg_7", "msg_8"]


def test_last_messages_never_adds_the_opening() -> None:
    run = make_run(truncation_strategy=TruncationStrategy(type="last_messages", last_messages=2))
    context = build_context(run, _long_thread(), [], max_prompt_tokens=None)
    assert context.kept_message_ids == ["msg_7", "msg_8"]


def test_the_opening_must_be_a_user_message() -> None:
    history = [text_message(1, "Welcome!", role="assistant"), *_long_thread()[1:]]
    budget = count_message_tokens([SYSTEM, *(thread_message(m) for m in history[-2:])], MODEL)
    context = build_context(make_run(), history, [], max_prompt_tokens=budget + 10)
    # msg_2 is the oldest user message: long, so it does not fit either.
    assert context.kept_message_ids == ["msg_7", "msg_8"]


def test_the_model_window_bounds_the_prompt_when_it_is_tighter_than_the_budget() -> None:
    """gpt-4-sized window: 8,192 minus a quarter kept for the reply."""
    history = [text_message(i, "details " * 40) for i in range(1, 161)]
    context = build_context(
        make_run(model="gpt-4"), history, [], max_prompt_tokens=None, context_window=8_192
    )
    assert (context.prompt_limit, context.bound_by) == (6_144, "context_window")
    assert context.fits and context.prompt_tokens_estimate <= 6_144
    assert len(context.kept_message_ids) < len(history)


def test_a_window_too_small_for_the_newest_message_does_not_fit() -> None:
    huge = text_message(9, "lorem ipsum dolor sit amet " * 600)
    context = build_context(make_run(), [huge], [], max_prompt_tokens=None, context_window=2_048)
    assert context.fits is False and context.bound_by == "context_window"


# -- load_context reads pages only as far as the limit reaches --------------------------------


def test_a_long_thread_is_read_only_as_far_as_the_budget_reaches() -> None:
    thread = PagedThread(thread_of(10_000))
    context = load(thread, ContextLimits(max_prompt_tokens=1_000))
    kept = len(context.kept_message_ids)
    assert 50 < kept < PAGE_SIZE * 2
    assert sum(thread.pages_read) <= (kept // PAGE_SIZE + 1) * PAGE_SIZE
    assert context.unread_dropped is True
    # What was read and not sent is listed; the rest of the thread is summed up by the flag.
    assert len(context.dropped_message_ids) < PAGE_SIZE
    assert thread.opening_reads == 1  # truncated: the opening question may fill the gap


def test_a_thread_that_fits_is_read_to_its_start_and_nothing_is_unread() -> None:
    thread = PagedThread(thread_of(250))
    context = load(thread, ContextLimits())
    assert len(context.kept_message_ids) == 250
    assert thread.pages_read == [PAGE_SIZE, PAGE_SIZE, 50]
    assert context.unread_dropped is False and context.dropped_message_ids == []
    assert thread.opening_reads == 0  # nothing was truncated


def test_last_messages_reads_exactly_n() -> None:
    thread = PagedThread(thread_of(500))
    strategy = TruncationStrategy(type="last_messages", last_messages=7)
    context = load(thread, ContextLimits(), truncation_strategy=strategy)
    assert context.kept_message_ids == [f"msg_{i}" for i in range(494, 501)]
    assert thread.pages_read == [7]
    assert context.unread_dropped is True and thread.opening_reads == 0


def test_the_opening_is_looked_for_among_the_first_messages_only() -> None:
    greeting = [text_message(i, "Hello!", role="assistant") for i in range(1, OPENING_SCAN + 1)]
    late_question = text_message(OPENING_SCAN + 1, "Question?")
    thread = PagedThread([*greeting, late_question, *thread_of(300)[OPENING_SCAN + 1 :]])
    context = load(thread, ContextLimits(max_prompt_tokens=600))
    assert thread.opening_reads == 1
    assert late_question.id not in context.kept_message_ids


TEXT_SIZES = st.lists(st.integers(1, 120), min_size=0, max_size=30)


@settings(max_examples=60, deadline=None)
@given(
    sizes=TEXT_SIZES,
    budget=st.one_of(st.none(), st.integers(256, 3_000)),
    completion=st.one_of(st.none(), st.integers(256, 4_000)),
    window=st.one_of(st.none(), st.integers(1_024, 8_192)),
    with_tool_turn=st.booleans(),
    last=st.one_of(st.none(), st.integers(1, 8)),
)
def test_any_context_sends_what_it_estimates_within_the_tighter_limit(
    sizes: list[int],
    budget: int | None,
    completion: int | None,
    window: int | None,
    with_tool_turn: bool,
    last: int | None,
) -> None:
    """Over random message sizes, budgets and windows: the estimate is exactly the offline count
    of what is sent, it never exceeds the tighter limit when the context fits, and reading
    page by page chooses what reading the whole thread chooses."""
    history = [
        text_message(i + 1, "lorem ipsum " * n, role="user" if i % 3 == 0 else "assistant")
        for i, n in enumerate(sizes)
    ]
    strategy = TruncationStrategy(type="last_messages", last_messages=last) if last else None
    run = make_run(truncation_strategy=strategy)
    steps = [tool_step(call("call_a", "lookup", "x " * 30))] if with_tool_turn else []
    whole = build_context(
        run, history, steps,
        max_prompt_tokens=budget, max_completion_tokens=completion, context_window=window,
    )  # fmt: skip
    limits = ContextLimits(budget, completion, window)
    paged = asyncio.run(load_context(run, PagedThread(history), steps, limits))

    sent = count_prompt_tokens(whole.messages, chat_tools(run), MODEL)
    assert whole.prompt_tokens_estimate == sent
    if whole.fits and whole.prompt_limit is not None:
        assert whole.prompt_tokens_estimate <= whole.prompt_limit
    if budget is not None and whole.fits:
        assert whole.prompt_tokens_estimate <= budget
    assert (paged.kept_message_ids, paged.messages) == (whole.kept_message_ids, whole.messages)
    assert (paged.prompt_tokens_estimate, paged.fits) == (whole.prompt_tokens_estimate, whole.fits)
    ids = [m.id for m in history]
    assert sorted(whole.kept_message_ids + whole.dropped_message_ids) == sorted(ids)
    assert set(paged.dropped_message_ids) <= set(whole.dropped_message_ids)
