"""Which thread messages one model call gets (SPEC §3.3): pure arithmetic on token costs.

Messages are offered newest first, each with its token cost. The newest one is always taken: a
call without the turn it answers is pointless, so if even that does not fit, the context does
not fit. Older messages are taken while they fit and reading stops at the first that does not,
so what is kept is a contiguous newest tail (at most N of them under `last_messages`). With
`auto`, the thread's opening user message (usually the task) is then taken too if it fits in
what is left: truncation drops from the middle, keeping the instructions, the opening and the
newest turns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

LimitName = Literal["max_prompt_tokens", "context_window"]

DEFAULT_REPLY_RESERVE: Final = 4_096
"""Window tokens kept free for the reply when the run has no completion budget."""


@dataclass(frozen=True)
class PromptLimit:
    """The most prompt tokens one call may send, and which limit that is."""

    tokens: int | None
    """None: nothing limits the prompt."""
    bound_by: LimitName | None


def reply_reserve(context_window: int, max_completion_tokens: int | None) -> int:
    """Window tokens left for the reply: the completion budget (or 4,096), at most a quarter
    of the window, so a large budget on a small model does not starve the prompt."""
    wanted = DEFAULT_REPLY_RESERVE if max_completion_tokens is None else max_completion_tokens
    return min(wanted, context_window // 4)


def prompt_limit(
    max_prompt_tokens: int | None, max_completion_tokens: int | None, context_window: int | None
) -> PromptLimit:
    """The tighter of the remaining prompt budget and the window minus the reply's room."""
    window = None
    if context_window is not None:
        window = context_window - reply_reserve(context_window, max_completion_tokens)
    if window is not None and (max_prompt_tokens is None or window < max_prompt_tokens):
        return PromptLimit(window, "context_window")
    if max_prompt_tokens is not None:
        return PromptLimit(max_prompt_tokens, "max_prompt_tokens")
    return PromptLimit(None, None)


class Packer:
    """Takes messages offered newest first until the limit (or `max_messages`) is reached.

    Args:
        fixed_tokens: What the call costs without thread messages (instructions, this run's
            tool turns, tool definitions, reply primer); never dropped.
        limit: The prompt limit (None: unlimited).
        max_messages: `last_messages` N, or None for `auto`.
    """

    def __init__(self, fixed_tokens: int, limit: int | None, max_messages: int | None = None):
        self.tokens = fixed_tokens
        """The prompt estimate of what is taken so far."""
        self.fits = self._within(fixed_tokens, limit)
        """Whether the fixed part and the newest message fit the limit."""
        self.newest_first: list[str] = []
        """Ids taken from the tail, newest first."""
        self.opening: str | None = None
        """The opening message's id, when it was taken to fill the gap."""
        self._limit = limit
        self._max_messages = max_messages
        self._full = max_messages == 0

    @staticmethod
    def _within(tokens: int, limit: int | None) -> bool:
        return limit is None or tokens <= limit

    @property
    def wants_more(self) -> bool:
        """Whether an older message could still be taken (stop reading once this is False)."""
        return not self._full

    def offer(self, message_id: str, tokens: int) -> bool:
        """Consider the next older message; whether it was taken."""
        if self._full:
            return False
        newest = not self.newest_first
        if not newest and not self._within(self.tokens + tokens, self._limit):
            self._full = True
            return False
        self.newest_first.append(message_id)
        self.tokens += tokens
        if newest:
            self.fits = self.fits and self._within(self.tokens, self._limit)
        reached = self._max_messages is not None and len(self.newest_first) >= self._max_messages
        self._full = reached or not self.fits
        return True

    def offer_opening(self, message_id: str, tokens: int) -> bool:
        """Fill the gap with the thread's opening message if it fits; whether it was taken."""
        if not self.fits or message_id in self.newest_first or self.opening is not None:
            return False
        if not self._within(self.tokens + tokens, self._limit):
            return False
        self.opening = message_id
        self.tokens += tokens
        return True

    def kept(self) -> list[str]:
        """Ids taken, oldest first (the order they are sent in)."""
        tail = list(reversed(self.newest_first))
        return [self.opening, *tail] if self.opening is not None else tail
