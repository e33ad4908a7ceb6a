"""workflows/_budget.py: run-wide token budgets shared by every model call (SPEC §3.4)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.truncation import Packer, prompt_limit
from workflows._budget import Budget
from workflows.types import TokenUsage


def budget(prompt: int | None, completion: int | None, used: tuple[int, int] = (0, 0)) -> Budget:
    return Budget(prompt, completion, TokenUsage(prompt_tokens=used[0], completion_tokens=used[1]))


def test_spec_worked_example_second_call_gets_what_the_first_left() -> None:
    """SPEC §3.4: caps 500/1000, call 1 uses 200/300, so call 2 may use at most 300/700."""
    first = budget(500, 1000)
    assert (first.prompt_left(), first.completion_left()) == (500, 1000)

    second = first.charge(TokenUsage(prompt_tokens=200, completion_tokens=300))

    assert second.prompt_left() == 300
    assert second.completion_left() == 700
    assert second.exhausted() is None


def test_charge_returns_a_new_budget_and_leaves_the_old_one_unchanged() -> None:
    before = budget(500, 1000)
    after = before.charge(TokenUsage(prompt_tokens=10, completion_tokens=20))
    assert before.used == TokenUsage()
    assert after.used == TokenUsage(prompt_tokens=10, completion_tokens=20)
    assert (after.max_prompt_tokens, after.max_completion_tokens) == (500, 1000)


def test_charges_accumulate_across_calls() -> None:
    spent = budget(None, None)
    for prompt, completion in [(100, 5), (150, 7), (200, 9)]:
        spent = spent.charge(TokenUsage(prompt_tokens=prompt, completion_tokens=completion))
    assert spent.used == TokenUsage(prompt_tokens=450, completion_tokens=21)
    assert spent.used.total_tokens == 471


def test_uncapped_budgets_have_nothing_left_to_count_and_never_exhaust() -> None:
    huge = budget(None, None, used=(10**9, 10**9))
    assert huge.prompt_left() is None
    assert huge.completion_left() is None
    assert huge.exhausted() is None


def test_left_is_clamped_at_zero_when_a_provider_overspends() -> None:
    """A provider reporting more than it was allowed never yields a negative allowance."""
    over = budget(500, 1000, used=(900, 1400))
    assert over.prompt_left() == 0
    assert over.completion_left() == 0


@pytest.mark.parametrize(
    ("caps", "used", "expected"),
    [
        ((500, 1000), (499, 999), None),
        ((500, 1000), (500, 0), "max_prompt_tokens"),
        ((500, 1000), (0, 1000), "max_completion_tokens"),
        ((500, 1000), (500, 1000), "max_completion_tokens"),
        ((None, 1000), (10**6, 1000), "max_completion_tokens"),
        ((500, None), (500, 10**6), "max_prompt_tokens"),
        ((None, 1000), (10**6, 999), None),
    ],
    ids=[
        "one-token-left-each",
        "prompt-spent",
        "completion-spent",
        "both-spent-names-completion",
        "prompt-uncapped",
        "completion-uncapped",
        "prompt-uncapped-completion-left",
    ],
)
def test_exhausted_names_the_spent_cap(
    caps: tuple[int | None, int | None], used: tuple[int, int], expected: str | None
) -> None:
    assert budget(*caps, used=used).exhausted() == expected


@pytest.mark.parametrize(
    ("finish_reason", "completion_cap", "expected"),
    [
        ("length", 1000, "max_completion_tokens"),
        ("length", None, None),
        ("stop", 1000, None),
        ("tool_calls", 1000, None),
        ("stop", None, None),
    ],
)
def test_cut_short_reason_only_for_length_stops_under_a_completion_cap(
    finish_reason: str, completion_cap: int | None, expected: str | None
) -> None:
    spent = budget(500, completion_cap, used=(100, completion_cap or 300))
    assert spent.cut_short_reason(finish_reason) == expected


def test_cut_short_reason_is_none_when_the_cap_still_had_room() -> None:
    """A `length` stop with completion budget left over was not caused by our cap."""
    spent = budget(500, 1000, used=(200, 300))
    assert spent.completion_left() == 700
    assert spent.cut_short_reason("length") is None


CAPS = st.one_of(st.none(), st.integers(min_value=256, max_value=100_000))


@given(
    prompt_cap=CAPS,
    completion_cap=CAPS,
    fractions=st.lists(
        st.tuples(st.floats(0, 1), st.floats(0, 1), st.integers(0, 5_000), st.integers(0, 5_000)),
        max_size=12,
    ),
)
def test_charging_within_the_allowance_never_exceeds_the_caps(
    prompt_cap: int | None,
    completion_cap: int | None,
    fractions: list[tuple[float, float, int, int]],
) -> None:
    """Calls that use at most what prompt_left/completion_left allowed never overspend a cap."""
    state = budget(prompt_cap, completion_cap)
    for prompt_share, completion_share, free_prompt, free_completion in fractions:
        if state.exhausted() is not None:
            break
        prompt_allowed, completion_allowed = state.prompt_left(), state.completion_left()
        prompt = free_prompt if prompt_allowed is None else int(prompt_allowed * prompt_share)
        completion = (
            free_completion
            if completion_allowed is None
            else int(completion_allowed * completion_share)
        )
        state = state.charge(TokenUsage(prompt_tokens=prompt, completion_tokens=completion))

        if prompt_cap is not None:
            assert state.used.prompt_tokens <= prompt_cap
            assert state.prompt_left() == prompt_cap - state.used.prompt_tokens
        if completion_cap is not None:
            assert state.used.completion_tokens <= completion_cap
            assert state.completion_left() == completion_cap - state.used.completion_tokens

    prompt_spent = state.prompt_left() == 0
    completion_spent = state.completion_left() == 0
    if completion_spent:
        assert state.exhausted() == "max_completion_tokens"
    elif prompt_spent:
        assert state.exhausted() == "max_prompt_tokens"
    else:
        assert state.exhausted() is None


@given(prompt_cap=st.integers(256, 10_000), completion_cap=st.integers(256, 10_000))
def test_spending_both_caps_exactly_names_the_completion_cap(
    prompt_cap: int, completion_cap: int
) -> None:
    """When both budgets are spent, the completion cap is the one reported."""
    spent = budget(prompt_cap, completion_cap).charge(
        TokenUsage(prompt_tokens=prompt_cap, completion_tokens=completion_cap)
    )
    assert spent.exhausted() == "max_completion_tokens"


# -- a whole run, simulated: budgets + truncation + what the provider reports ----------------


@dataclass(frozen=True)
class ScriptedCall:
    """What the model does on one call of the simulated run."""

    kind: str  # "message" or "tool_calls"
    wants_completion: int
    """Tokens it would write without a cap."""
    reports_share: float
    """The provider's prompt count as a share of our estimate (tokenizers differ; ours is an
    upper bound, so never more)."""
    tool_turn: int
    """Tokens the tool turn adds to every later prompt."""


@dataclass
class Outcome:
    status: str = "completed"
    reason: str | None = None
    first_spent: str | None = None
    sent_prompts: list[int] = field(default_factory=list)
    limits: list[int | None] = field(default_factory=list)


def simulate(
    prompt_cap: int | None, completion_cap: int | None, thread: list[int], calls: list[ScriptedCall]
) -> tuple[Budget, Outcome]:
    """RunWorkflow's loop (`_loop`/`_iterate`) over the real Budget, prompt limit and Packer."""
    state, out, tool_turns = budget(prompt_cap, completion_cap), Outcome(), 0
    for call in calls:
        if (reason := state.exhausted()) is not None:
            out.status, out.reason = "incomplete", reason
            break
        limit = prompt_limit(state.prompt_left(), state.completion_left(), None).tokens
        packer = Packer(INSTRUCTIONS + tool_turns, limit)
        for tokens in reversed(thread):
            if not packer.wants_more:
                break
            packer.offer(f"m{tokens}", tokens)
        if not packer.fits:
            out.status, out.reason = "incomplete", "max_prompt_tokens"
            out.first_spent = out.first_spent or "max_prompt_tokens"
            break
        out.sent_prompts.append(packer.tokens)
        out.limits.append(state.prompt_left())
        cap = state.completion_left()
        written = call.wants_completion if cap is None else min(call.wants_completion, cap)
        finish = "length" if cap is not None and call.wants_completion > cap else "stop"
        usage = TokenUsage(
            prompt_tokens=int(packer.tokens * call.reports_share), completion_tokens=written
        )
        state = state.charge(usage)
        out.first_spent = out.first_spent or state.exhausted()
        if (cut := state.cut_short_reason(finish)) is not None:
            out.status, out.reason = "incomplete", cut
            break
        if call.kind == "message":
            break
        tool_turns += call.tool_turn
    return state, out


INSTRUCTIONS = 20
CALLS = st.lists(
    st.builds(
        ScriptedCall,
        kind=st.sampled_from(["message", "tool_calls", "tool_calls"]),
        wants_completion=st.integers(0, 1_500),
        reports_share=st.floats(0.5, 1.0),
        tool_turn=st.integers(0, 400),
    ),
    min_size=1,
    max_size=10,
)


@settings(max_examples=300)
@given(
    prompt_cap=CAPS,
    completion_cap=CAPS,
    thread=st.lists(st.integers(1, 600), min_size=1, max_size=40),
    calls=CALLS,
)
def test_a_run_never_overspends_and_reports_the_first_cap_exhausted(
    prompt_cap: int | None,
    completion_cap: int | None,
    thread: list[int],
    calls: list[ScriptedCall],
) -> None:
    """Random budgets, message sizes and provider usage: each call sends at most the prompt
    budget left, the charged totals never exceed either cap, and an incomplete run names the
    cap that ran out first (both at once: the completion cap, as `exhausted` documents)."""
    spent, outcome = simulate(prompt_cap, completion_cap, thread, calls)

    for sent, left in zip(outcome.sent_prompts, outcome.limits, strict=True):
        assert left is None or sent <= left
    if prompt_cap is not None:
        assert spent.used.prompt_tokens <= prompt_cap
        assert sum(outcome.sent_prompts) >= spent.used.prompt_tokens
    if completion_cap is not None:
        assert spent.used.completion_tokens <= completion_cap
    if outcome.status == "incomplete":
        assert outcome.reason == outcome.first_spent
        if outcome.reason == "max_completion_tokens":
            assert spent.completion_left() == 0
    else:
        assert outcome.reason is None
