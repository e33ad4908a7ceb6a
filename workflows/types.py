"""Payloads of RunWorkflow and the pinned names the API calls it by.

The API imports this module (never workflows.run) so the two processes deploy separately.
Payload models are frozen and ignore unknown fields: during a rolling deploy an older worker
must accept a payload from a newer API. Every new field gets a default.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from core.ids import PREFIXES, has_prefix
from core.objects.run import RunStatus as RunStatus  # re-exported for payload users

RUN_WORKFLOW = "RunWorkflow"
SUBMIT_TOOL_OUTPUTS = "submit_tool_outputs"
CANCEL = "cancel"
GET_RUN = "get_run"

TERMINAL_STATUSES: frozenset[str] = frozenset(
    {"cancelled", "failed", "completed", "incomplete", "expired"}
)
CANCELLABLE_STATUSES: frozenset[str] = frozenset({"queued", "in_progress", "requires_action"})
LastErrorCode = Literal["server_error", "rate_limit_exceeded", "invalid_prompt"]
IncompleteReason = Literal["max_completion_tokens", "max_prompt_tokens"]


class _Payload(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class RetrySettings(_Payload):
    """A Temporal retry policy, in seconds. `maximum_attempts=0` means unlimited."""

    initial_interval_s: float = 1.0
    backoff: float = 2.0
    maximum_interval_s: float = 30.0
    maximum_attempts: int = 5


class RunLimits(_Payload):
    """Timeouts and retry policies, passed in so tests can shrink them (no monkeypatching)."""

    model_call_timeout_s: float = 600.0
    model_heartbeat_timeout_s: float = 60.0
    model_retry: RetrySettings = RetrySettings()
    tool_call_timeout_s: float = 300.0
    tool_retry: RetrySettings = RetrySettings(maximum_attempts=3)
    store_timeout_s: float = 30.0
    store_retry: RetrySettings = RetrySettings(maximum_attempts=0, maximum_interval_s=10.0)
    webhook_retry: RetrySettings = RetrySettings(
        initial_interval_s=1.0, backoff=2.0, maximum_interval_s=300.0, maximum_attempts=0
    )
    """Delivery retries of run status webhooks (they give up after a day)."""
    iterations_per_history: int = 40
    """Continue-as-new after this many model calls, so history stays small for long loops."""


class TokenUsage(_Payload):
    """Tokens charged so far (what the provider reported)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def plus(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class RunCarry(_Payload):
    """State carried across continue-as-new."""

    iteration: int = 0
    usage: TokenUsage = TokenUsage()
    transition: int = 0
    began_at: float | None = None
    """When the run's first execution started (Unix seconds), which its metrics time from."""


class RunInput(_Payload):
    """Everything RunWorkflow decides on. The run's full definition (instructions, tools, ...)
    lives in the store; activities read it there, keeping history small."""

    run_id: str
    thread_id: str
    assistant_id: str
    project_id: str
    model: str
    created_at: int
    expires_at: int
    max_prompt_tokens: int | None = None
    max_completion_tokens: int | None = None
    limits: RunLimits = RunLimits()
    carry: RunCarry | None = None
    webhooks: bool = False
    """Notify RUNWRIGHT_WEBHOOK_URL of requires_action and terminal statuses (the API sets it
    when a webhook URL is configured)."""
    model_label: str | None = None
    """The run's `model` metric label, from the deployment's context-window table (a closed set,
    `core.observability.metrics.model_label`); None: the workflow derives it from the built-in
    table."""
    indexed_at_start: bool = False
    """The run's search attributes were given with its start (`search_attributes.at_start`), so
    the workflow does not upsert them. False for runs started by older APIs: they are upserted
    as before, and their histories replay unchanged."""

    @model_validator(mode="after")
    def _reject_bad_input(self) -> RunInput:
        # Bad input inside a workflow makes its task retry forever (a hang, DESIGN "Known
        # traps"); constructing the payload in the caller's process refuses it up front.
        for kind, value in (("run", self.run_id), ("thread", self.thread_id),
                            ("assistant", self.assistant_id)):  # fmt: skip
            if not has_prefix(kind, value):  # type: ignore[arg-type]
                raise ValueError(f"{kind} id {value!r} lacks the {PREFIXES[kind]!r} prefix")  # type: ignore[index]
        if not self.model or not self.project_id:
            raise ValueError("model and project_id are required")
        if self.expires_at < self.created_at:
            raise ValueError("expires_at is before created_at")
        for cap in (self.max_prompt_tokens, self.max_completion_tokens):
            if cap is not None and cap < 1:
                raise ValueError("token budgets must be positive")
        return self


class ToolOutput(_Payload):
    """One `tool_outputs[]` entry of submit_tool_outputs."""

    tool_call_id: str
    output: str


class SubmitToolOutputsInput(_Payload):
    """The body of submit_tool_outputs."""

    tool_outputs: list[ToolOutput]


class CancelRunInput(_Payload):
    """Cancel carries nothing today; a model keeps the update versionable."""


class RunSnapshot(_Payload):
    """What the workflow knows of its run (query and update result)."""

    run_id: str
    status: RunStatus
    pending_tool_call_ids: list[str] = []
    usage: TokenUsage = TokenUsage()
