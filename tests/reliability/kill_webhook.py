"""Run status webhooks under worker kills: delivery is at least once, always under one id.

A worker killed after the receiver answered 200 but before Temporal heard of it delivers the
webhook again on retry; that is the contract (Standard Webhooks receivers deduplicate on
`webhook-id`). What must never happen is a transition left undelivered (a loss) or delivered
under two ids (a duplicate no receiver can recognise).
"""

from __future__ import annotations

import asyncio

from core.objects.params import RunCreateParams
from core.objects.run import Run
from core.runs_client import RunsClient
from tests.fakes.webhook_receiver import WebhookReceiver
from tests.reliability.audit import RunAudit
from tests.reliability.kill_lane import Lane
from tests.workflows.harness import PROJECT
from workflows.types import RunLimits
from workflows.webhook_types import webhook_id

COMPLETED_TRANSITION = 2
"""A plain run's transitions: 1 in_progress, 2 completed (queued is the API's 0)."""


async def start_with_webhooks(
    lane: Lane, url: str, assistant_id: str, thread_id: str, limits: RunLimits
) -> Run:
    """Start a run that notifies `url` of its status changes."""
    stack = lane.stack
    settings = stack.settings.model_copy(update={"webhook_url": url})
    runs = RunsClient(stack.store, stack.client, settings, limits)
    return await runs.create(PROJECT, thread_id, RunCreateParams(assistant_id=assistant_id))


async def audit_webhooks(
    lane: Lane, receiver: WebhookReceiver, run: Run, audit: RunAudit, timeout_s: float = 90
) -> int:
    """Add the run's webhook verdict to `audit`; how many times `completed` was delivered."""
    expected = webhook_id(run.id, COMPLETED_TRANSITION, "completed")
    delivery = lane.stack.client.get_workflow_handle(f"webhook-{expected}")
    # The delivery outlives the run (an abandoned child): await it on its own.
    await asyncio.wait_for(delivery.result(), timeout_s)
    run_key = run.id.removeprefix("run_")
    ids = [a.headers["webhook-id"] for a in receiver.delivered()]
    ids = [one for one in ids if run_key in one]
    if expected not in ids:
        audit.lost(f"webhook {expected} never delivered")
    for other in set(ids) - {expected}:
        audit.dup(f"webhook {other} delivered beside {expected}")
    return ids.count(expected)
