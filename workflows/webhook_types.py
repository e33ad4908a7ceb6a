"""Payload of DeliverWebhookWorkflow: one notification of a run's status change."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from workflows.types import RetrySettings

DELIVER_WEBHOOK_WORKFLOW = "DeliverWebhookWorkflow"
WEBHOOK_STATUSES: frozenset[str] = frozenset(
    {"requires_action", "cancelled", "failed", "completed", "incomplete", "expired"}
)
"""Statuses a backend service acts on: outputs are wanted, or the run is over."""


def webhook_id(run_id: str, transition: int, status: str) -> str:
    """Stable across retries (receivers deduplicate on it), distinct per transition and status
    (a reset run's later transitions reuse numbers with other statuses)."""
    return f"whk_{run_id.removeprefix('run_')}_{transition}_{status}"


class WebhookDelivery(BaseModel):
    """POST `thread.run.<status>` for the run as it was at `transition` to the receiver."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    webhook_id: str
    project_id: str
    run_id: str
    status: str
    transition: int
    created_at: int
    attempt_timeout_s: float = 10.0
    give_up_after_s: float = 86_400.0
    retry: RetrySettings = RetrySettings(
        initial_interval_s=1.0, backoff=2.0, maximum_interval_s=300.0, maximum_attempts=0
    )
