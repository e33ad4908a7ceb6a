"""Extension object (not in OpenAI's API): what one model call of a run was sent.

OpenAI's truncation is invisible (SPEC §3.3, §12); `GET /threads/{thread_id}/runs/{run_id}/context`
lists one of these per model call so a user can see why a run was truncated or ended incomplete.
"""

from __future__ import annotations

from typing import Literal

from core.objects.run import TruncationStrategy
from core.objects.shared import Usage, WireModel

__all__ = ["RunContext"]


class RunContext(WireModel):
    """The context one model call of a run was built from, and what the call used."""

    object: Literal["thread.run.context"] = "thread.run.context"
    """Always `thread.run.context`."""

    step_id: str
    """The step this call produced (none exists when the prompt did not fit and no call was
    made)."""

    run_id: str
    """The run the call belongs to."""

    thread_id: str
    """The run's thread."""

    created_at: int
    """Unix timestamp (seconds) of the call."""

    model: str
    """The model called."""

    truncation: TruncationStrategy
    """The run's `truncation_strategy`."""

    kept_message_ids: list[str]
    """Thread messages sent, oldest first."""

    dropped_message_ids: list[str]
    """Thread messages read but not sent, oldest first."""

    unread_messages_dropped: bool
    """Messages older than those listed were dropped too, without being read: reading stops
    once the window is full, so a long thread costs what the window holds."""

    prompt_tokens_estimate: int
    """The prompt's size by the offline tokenizer (instructions, tool turns and tool
    definitions included)."""

    prompt_limit: int | None
    """The most prompt tokens this call could send (null: unlimited)."""

    limited_by: Literal["max_prompt_tokens", "context_window"] | None
    """Which limit `prompt_limit` is: the run's remaining prompt budget or the model's window
    (less room kept for the reply)."""

    context_window: int
    """The model's context window, from the built-in table or `RUNWRIGHT_CONTEXT_WINDOWS`."""

    fits: bool
    """False when even the instructions, tool turns and newest message exceed `prompt_limit`:
    no call was made."""

    max_prompt_tokens: int | None
    """The run's prompt budget left before this call (null: uncapped)."""

    max_completion_tokens: int | None
    """The run's completion budget left before this call, sent as the call's cap (null:
    uncapped)."""

    usage: Usage | None
    """What the provider reported for the call; null while it runs or when none was made."""
