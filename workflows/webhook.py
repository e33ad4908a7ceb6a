"""DeliverWebhookWorkflow: one signed POST to the configured receiver, retried by Temporal.

A child of RunWorkflow started with parent-close policy ABANDON: the run does not wait for the
receiver, and a delivery outlives the run that caused it. Retries back off up to 5 minutes
apart and give up after a day.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.webhooks import WebhookActivities
    from workflows._retry import retry_policy
    from workflows.webhook_types import DELIVER_WEBHOOK_WORKFLOW, WebhookDelivery


@workflow.defn(name=DELIVER_WEBHOOK_WORKFLOW)
class DeliverWebhookWorkflow:
    @workflow.run
    async def run(self, delivery: WebhookDelivery) -> None:
        await workflow.execute_activity_method(
            WebhookActivities.deliver_webhook,
            delivery,
            start_to_close_timeout=timedelta(seconds=delivery.attempt_timeout_s),
            schedule_to_close_timeout=timedelta(seconds=delivery.give_up_after_s),
            retry_policy=retry_policy(delivery.retry),
        )
