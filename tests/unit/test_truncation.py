"""core/truncation.py and core/context_windows.py: which messages fit, and how big windows are."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from core.context_windows import (
    BUILT_IN_WINDOWS,
    DEFAULT_CONTEXT_WINDOW,
    ContextWindows,
    parse_overrides,
)
from core.settings import Settings
from core.truncation import Packer, PromptLimit, prompt_limit, reply_reserve

# -- context windows --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "window"),
    [
        ("gpt-4o", 128_000),
        ("gpt-4o-mini-2024-07-18", 128_000),
        ("gpt-4.1", 1_047_576),
        ("gpt-4.1-nano", 1_047_576),
        ("gpt-4", 8_192),
        ("gpt-4-0613", 8_192),
        ("gpt-4-turbo-2024-04-09", 128_000),
        ("gpt-4-32k", 32_768),
        ("gpt-3.5-turbo-0125", 16_385),
        ("o1", 200_000),
        ("o1-mini", 128_000),
        ("o3-mini", 200_000),
        ("o4-mini", 200_000),
        ("gpt-5-mini", 400_000),
        ("openai/gpt-4o", 128_000),
        ("GPT-4o", 128_000),
        ("llama3.1:8b", DEFAULT_CONTEXT_WINDOW),
    ],
)
def test_built_in_windows_match_the_longest_prefix(model: str, window: int) -> None:
    assert ContextWindows().for_model(model) == window


def test_overrides_add_models_and_replace_built_in_entries() -> None:
    windows = ContextWindows(parse_overrides("mymodel=32768, gpt-4o=64000"))
    assert windows.for_model("mymodel") == 32_768
    assert windows.for_model("mymodel-v2") == 32_768
    assert windows.for_model("gpt-4o-mini") == 64_000
    # A shorter override does not capture a longer built-in prefix.
    assert ContextWindows({"gpt-4": 16_000}).for_model("gpt-4o") == BUILT_IN_WINDOWS["gpt-4o"]


@pytest.mark.parametrize("spec", ["mymodel", "mymodel=", "=123", "m=0", "m=-5", "m=12k"])
def test_malformed_overrides_are_refused(spec: str) -> None:
    with pytest.raises(ValueError, match="model=tokens"):
        parse_overrides(spec)


def test_settings_read_and_validate_context_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNWRIGHT_CONTEXT_WINDOWS", "mymodel=32768,other=8192")
    assert Settings().context_window_overrides() == {"mymodel": 32_768, "other": 8_192}
    assert Settings(context_windows=None).context_window_overrides() == {}
    with pytest.raises(ValidationError):
        Settings(context_windows="mymodel:32768")


# -- prompt limit -----------------------------------------------------------------------------


def test_the_reply_keeps_its_budget_or_4096_but_at_most_a_quarter_of_the_window() -> None:
    assert reply_reserve(128_000, None) == 4_096
    assert reply_reserve(128_000, 700) == 700
    assert reply_reserve(8_192, None) == 2_048
    assert reply_reserve(8_192, 100_000) == 2_048


@pytest.mark.parametrize(
    ("budget", "completion", "window", "expected"),
    [
        (None, None, None, PromptLimit(None, None)),
        (500, None, None, PromptLimit(500, "max_prompt_tokens")),
        (None, None, 8_192, PromptLimit(6_144, "context_window")),
        (300, 700, 128_000, PromptLimit(300, "max_prompt_tokens")),
        (200_000, 1_000, 128_000, PromptLimit(127_000, "context_window")),
        (127_000, 1_000, 128_000, PromptLimit(127_000, "max_prompt_tokens")),
    ],
)
def test_the_prompt_limit_is_the_tighter_of_budget_and_window(
    budget: int | None, completion: int | None, window: int | None, expected: PromptLimit
) -> None:
    assert prompt_limit(budget, completion, window) == expected


# -- packer -----------------------------------------------------------------------------------


def test_the_newest_message_is_taken_even_when_it_does_not_fit() -> None:
    packer = Packer(fixed_tokens=50, limit=100)
    assert packer.offer("m9", 80)
    assert packer.fits is False and packer.wants_more is False
    assert packer.kept() == ["m9"]


def test_reading_stops_at_the_first_older_message_that_does_not_fit() -> None:
    packer = Packer(fixed_tokens=10, limit=100)
    for message_id, tokens in [("m5", 30), ("m4", 30), ("m3", 40)]:
        packer.offer(message_id, tokens)
    # m2 would fit (10 + 30 + 30 + 20 = 90) but the tail stays contiguous.
    assert not packer.offer("m2", 20)
    assert packer.kept() == ["m4", "m5"] and packer.tokens == 70


def test_last_messages_stops_after_n() -> None:
    packer = Packer(fixed_tokens=0, limit=None, max_messages=2)
    assert packer.offer("m5", 1) and packer.offer("m4", 1)
    assert packer.wants_more is False and not packer.offer("m3", 1)
    assert packer.kept() == ["m4", "m5"]


def test_the_opening_fills_the_gap_only_when_it_fits() -> None:
    packer = Packer(fixed_tokens=10, limit=100)
    packer.offer("m9", 50)
    packer.offer("m8", 45)  # 105: does not fit
    assert not packer.offer_opening("m1", 41)
    assert packer.offer_opening("m1", 40)
    assert packer.kept() == ["m1", "m9"] and packer.tokens == 100
    assert not packer.offer_opening("m1", 0)  # taken once


SIZES = st.lists(st.integers(min_value=1, max_value=400), max_size=40)


@given(
    fixed=st.integers(0, 300),
    sizes=SIZES,
    limit=st.one_of(st.none(), st.integers(0, 4_000)),
    last=st.one_of(st.none(), st.integers(1, 10)),
    opening=st.integers(1, 400),
)
def test_what_is_taken_never_exceeds_the_limit_and_is_a_newest_tail(
    fixed: int, sizes: list[int], limit: int | None, last: int | None, opening: int
) -> None:
    """Whenever the context fits, its estimate is within the limit; what is kept is the
    opening (optionally) plus a contiguous run of the newest messages, at most N of them."""
    ids = [f"m{i}" for i in range(len(sizes))]  # oldest first
    packer = Packer(fixed, limit, last)
    for message_id, tokens in zip(reversed(ids), reversed(sizes), strict=True):
        if not packer.wants_more:
            break
        packer.offer(message_id, tokens)
    if last is None:
        packer.offer_opening("opening", opening)

    kept = packer.kept()
    tail = [i for i in kept if i != "opening"]
    assert tail == ids[len(ids) - len(tail) :]
    assert last is None or len(tail) <= last
    by_id = dict(zip(ids, sizes, strict=True)) | {"opening": opening}
    assert packer.tokens == fixed + sum(by_id[i] for i in kept)
    if packer.fits and limit is not None:
        assert packer.tokens <= limit
    if not packer.fits:
        assert kept == ids[-1:] and (limit is not None)
