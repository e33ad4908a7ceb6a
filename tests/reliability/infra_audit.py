"""`audit_run` once the run's workflow has closed.

The store shows a terminal status a moment before the workflow completes (the status is written
by an activity, then one more workflow task ends the workflow), so an audit taken as soon as the
store says `completed` could find the workflow still running. Waiting (bounded) for the result
is the "nothing stuck" check; a workflow that never closes is reported, not waited on forever.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

from temporalio.client import Client

from core.store import Store
from tests.reliability.audit import RunAudit, audit_run


async def audit_closed_run(
    store: Store,
    project: str,
    run_id: str,
    client: Client,
    *,
    expected: str = "completed",
    tool_outputs: Mapping[str, str] | None = None,
    timeout_s: float = 60.0,
) -> RunAudit:
    """Wait up to `timeout_s` for the workflow's result, then audit the run."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(client.get_workflow_handle(run_id).result(), timeout_s)
    return await audit_run(
        store, project, run_id, expected=expected, client=client, tool_outputs=tool_outputs
    )
