"""Run-wide token budgets (SPEC §3.4): pure arithmetic, no I/O, no temporalio.

`max_prompt_tokens` / `max_completion_tokens` are shared by every model call of a run. Each call
gets what is left; when nothing is left the run ends `incomplete`, naming the cap.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.types import IncompleteReason, TokenUsage


@dataclass(frozen=True)
class Budget:
    """The caps of one run (None: uncapped) and what has been charged so far."""

    max_prompt_tokens: int | None
    max_completion_tokens: int | None
    used: TokenUsage

    def prompt_left(self) -> int | None:
        if self.max_prompt_tokens is None:
            return None
        return max(self.max_prompt_tokens - self.used.prompt_tokens, 0)

    def completion_left(self) -> int | None:
        if self.max_completion_tokens is None:
            return None
        return max(self.max_completion_tokens - self.used.completion_tokens, 0)

    def exhausted(self) -> IncompleteReason | None:
        """Which cap is spent before the next call, if any (completion checked first: a spent
        completion budget means no call may produce anything)."""
        if self.completion_left() == 0:
            return "max_completion_tokens"
        if self.prompt_left() == 0:
            return "max_prompt_tokens"
        return None

    def charge(self, usage: TokenUsage) -> Budget:
        return Budget(self.max_prompt_tokens, self.max_completion_tokens, self.used.plus(usage))

    def cut_short_reason(self, finish_reason: str) -> IncompleteReason | None:
        """Why a reply that stopped on `length` ends the run: only when our cap bound it."""
        if finish_reason == "length" and self.completion_left() == 0:
            return "max_completion_tokens"
        return None
