"""/v1 extension: `POST /threads/{thread_id}/runs/{run_id}/retry` repairs a failed run.

Not part of the Assistants API (documented in README "Operations"). `mode: reset` (default)
continues the failed run from before its failure; `mode: rerun` starts a new run with the same
inputs, its `metadata.rerun_of` naming the old run. The same as `runwright replay --reset` /
`--rerun`.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from api.deps import ProjectDep, RunsDep, StoreDep, TemporalDep
from api.routes.run_steps import RunId
from api.validation import ThreadId
from core.objects.params import Params
from core.objects.run import Run
from core.operations.repair import rerun, reset_run

router = APIRouter(tags=["runs"])


class RetryParams(Params):
    mode: Literal["reset", "rerun"] = "reset"


@router.post("/threads/{thread_id}/runs/{run_id}/retry", response_model=Run)
async def retry_run(
    thread_id: ThreadId,
    run_id: RunId,
    store: StoreDep,
    runs: RunsDep,
    temporal: TemporalDep,
    project: ProjectDep,
    body: RetryParams | None = None,
) -> Run:
    """Reset (or re-run) a failed run; 400 unless it failed and its thread is free."""
    await store.runs.get(project, run_id, thread_id=thread_id)
    if body is not None and body.mode == "rerun":
        return await rerun(store, runs, project, run_id)
    return await reset_run(store, temporal, project, run_id)
