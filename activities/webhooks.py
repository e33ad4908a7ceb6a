"""WebhookActivities: one delivery attempt of a run status webhook.

Any answer but 2xx, and any connection error, fails the attempt and Temporal retries it (the
receiver may be down or deploying). The body is the run as recorded in its event log at that
transition, so a late retry still reports the state that caused it.
"""

from __future__ import annotations

import time

import httpx
from temporalio import activity
from temporalio.exceptions import ApplicationError

from core.store import Store
from core.webhooks import event_payload, signed_headers
from workflows.webhook_types import WebhookDelivery


class WebhookActivities:
    """Delivers to `url`, signing with `secret`; with no url configured, delivers nothing."""

    def __init__(self, store: Store, url: str | None, secret: str | None) -> None:
        self._store = store
        self._url = url
        self._secret = secret

    @activity.defn(name="deliver_webhook")
    async def deliver_webhook(self, delivery: WebhookDelivery) -> None:
        if self._url is None:
            activity.logger.warning("webhook_skipped", extra={"reason": "no RUNWRIGHT_WEBHOOK_URL"})
            return
        run = await self._run_at_transition(delivery)
        body = event_payload(
            delivery.webhook_id, f"thread.run.{delivery.status}", delivery.created_at, run
        )
        headers = signed_headers(self._secret, delivery.webhook_id, int(time.time()), body)
        try:
            async with httpx.AsyncClient(timeout=delivery.attempt_timeout_s) as client:
                response = await client.post(self._url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            message = f"webhook receiver unreachable: {exc!r}"
            raise ApplicationError(message, type="WebhookFailed") from exc
        if not response.is_success:
            raise ApplicationError(
                f"webhook receiver answered {response.status_code}", type="WebhookFailed"
            )

    async def _run_at_transition(self, delivery: WebhookDelivery) -> dict[str, object]:
        recorded = await self._store.run_events.data_for_key(
            delivery.run_id, f"run.{delivery.transition}"
        )
        if isinstance(recorded, dict):
            return recorded
        # The log was reopened by a reset since: the run as it is now.
        run = await self._store.runs.get(delivery.project_id, delivery.run_id)
        return run.model_dump(mode="json")
