"""/v1 extension route (not in OpenAI's API): what each model call of a run was sent.

`GET /threads/{thread_id}/runs/{run_id}/context` lists one `thread.run.context` per model call,
oldest first: the thread messages kept and dropped, the prompt estimate, the limit that bound
it (remaining prompt budget or model window), the budgets left and the provider's usage. OpenAI
truncates invisibly (SPEC §3.3, §12); this is how a user sees why a run was truncated or ended
`incomplete`. Scoped like every run route: another project's run is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends

from api.deps import ProjectDep, RunsDep, StoreDep
from api.routes.run_steps import RunId
from api.validation import ThreadId, require_assistants_v2
from core.objects.list import ListResponse
from core.objects.run_context import RunContext

router = APIRouter(tags=["runs"], dependencies=[Depends(require_assistants_v2)])


@router.get("/threads/{thread_id}/runs/{run_id}/context", response_model=ListResponse[RunContext])
async def list_run_contexts(
    thread_id: ThreadId, run_id: RunId, runs: RunsDep, store: StoreDep, project: ProjectDep
) -> ListResponse[RunContext]:
    """Extension: the context of every model call of the run, oldest first (404 if the run is
    not this project's, or not on that thread)."""
    await runs.retrieve(project, thread_id, run_id)
    contexts = await store.run_contexts.for_run(project, run_id)
    return ListResponse[RunContext](
        data=contexts,
        first_id=contexts[0].step_id if contexts else None,
        last_id=contexts[-1].step_id if contexts else None,
        has_more=False,
    )
