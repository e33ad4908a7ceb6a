"""Run status webhooks from RunWorkflow: one abandoned child workflow per notification.

Workflow code (deterministic): no I/O here, only the child's start. The delivery itself, and its
retries, belong to DeliverWebhookWorkflow, which outlives the run.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.types import RunInput
    from workflows.webhook_types import (
        DELIVER_WEBHOOK_WORKFLOW,
        WEBHOOK_STATUSES,
        WebhookDelivery,
        webhook_id,
    )

WEBHOOKS_PATCH = "run-status-webhooks"


def wanted(input: RunInput, status: str) -> bool:
    """Whether this transition is notified. Asks `patched` only when it matters, so runs
    without webhooks carry no marker and older histories replay unchanged."""
    return input.webhooks and status in WEBHOOK_STATUSES and workflow.patched(WEBHOOKS_PATCH)


async def notify(input: RunInput, transition: int, status: str, at: int) -> None:
    """Start the delivery and return once Temporal has it (not once it is delivered)."""
    delivery = WebhookDelivery(
        webhook_id=webhook_id(input.run_id, transition, status),
        project_id=input.project_id,
        run_id=input.run_id,
        status=status,
        transition=transition,
        created_at=at,
        retry=input.limits.webhook_retry,
    )
    await workflow.start_child_workflow(
        DELIVER_WEBHOOK_WORKFLOW,
        delivery,
        id=f"webhook-{delivery.webhook_id}",
        parent_close_policy=workflow.ParentClosePolicy.ABANDON,
    )
