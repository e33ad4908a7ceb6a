"""/v1 routes: runs (SPEC §2.4), their SSE streams (§6) and the resume extension.

Everything that drives a run goes through `RunsClient`, so the thread lock, the workflow's update
validators and the exact error strings live in one place. `stream: true` answers with SSE, but
only once the run exists: validation, 404s and lock conflicts are ordinary JSON errors.

Extension (not in OpenAI's API): `GET /threads/{thread_id}/runs/{run_id}/events` replays a run's
events after the `Last-Event-ID` header (or `?after=<seq>`) and then tails them, ending where the
interrupted stream would have ended.
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Header, Query, Response

from api import sse
from api.deps import ProjectDep, RunsDep, StoreDep, VectorStoresDep
from api.pagination import ListParamsDep, to_list
from api.routes.run_steps import IncludeContentDep, RunId
from api.validation import (
    ThreadId,
    check_message_files,
    check_tool_resources,
    require_assistants_v2,
)
from core.objects.list import ListResponse
from core.objects.params import RunCreateParams
from core.objects.params_runs import (
    RunUpdateParams,
    SubmitToolOutputsParams,
    ThreadAndRunCreateParams,
)
from core.objects.run import Run
from core.store import Store
from core.vector_stores.helpers import attach_message_files, prepare_thread
from workflows.types import ToolOutput

router = APIRouter(tags=["runs"], dependencies=[Depends(require_assistants_v2)])

POLL_AFTER_MS: Final = "250"
"""`openai-poll-after-ms` on run GETs: how long the SDK's `poll()` sleeps (default 1000)."""

RUN_PATH: Final = "/threads/{thread_id}/runs/{run_id}"


@router.post("/threads/runs", response_model=Run)
async def create_thread_and_run(
    body: ThreadAndRunCreateParams,
    runs: RunsDep,
    store: StoreDep,
    vector_stores: VectorStoresDep,
    project: ProjectDep,
) -> Run | Response:
    """Create a thread and run it; a stream starts with `thread.created`."""
    await _check_thread_references(store, project, body)
    if body.thread is not None:
        # The thread's vector store (helper, file_search attachments) exists before the run.
        prepared = await prepare_thread(vector_stores, project, body.thread, prefix="thread.")
        body = body.model_copy(update={"thread": prepared})
    thread, run = await runs.create_thread_and_run(project, body)
    if not body.stream:
        return run
    created = sse.frame("thread.created", thread.model_dump(mode="json"))
    return sse.RunStream(store, project, run.id, prelude=(created,)).response()


async def _check_thread_references(
    store: Store, project: str, body: ThreadAndRunCreateParams
) -> None:
    """The assistant, and the files and vector stores the new thread names, exist (as POST
    /threads checks): before the thread's vector store is made, so a 404 leaves nothing."""
    await store.assistants.get(project, body.assistant_id)
    await check_tool_resources(store, project, body.tool_resources)
    if body.thread is not None:
        await check_tool_resources(store, project, body.thread.tool_resources)
        for i, message in enumerate(body.thread.messages or []):
            await check_message_files(store, project, message, prefix=f"thread.messages[{i}].")


@router.post("/threads/{thread_id}/runs", response_model=Run)
async def create_run(
    thread_id: ThreadId,
    body: RunCreateParams,
    include_content: IncludeContentDep,
    runs: RunsDep,
    store: StoreDep,
    vector_stores: VectorStoresDep,
    project: ProjectDep,
) -> Run | Response:
    """Create a run (400 if the thread has an active one); a stream starts at its first event.

    Everything that can refuse the run is checked before its messages' files are attached to
    the thread's vector store: a refused run writes nothing.
    """
    if body.additional_messages:
        # Their attachments go into the thread's vector store before `runs.create` runs, so
        # what could refuse the run is checked first (runs.create checks again, in the same
        # order). Without additional messages nothing is written first: runs.create suffices.
        await store.assistants.get(project, body.assistant_id)
        await store.threads.get(project, thread_id)
        await runs.check_thread_free(project, thread_id)
        for i, message in enumerate(body.additional_messages):
            await check_message_files(store, project, message, prefix=f"additional_messages[{i}].")
        await attach_message_files(
            vector_stores, store, project, thread_id, body.additional_messages
        )
    run = await runs.create(project, thread_id, body)
    if not body.stream:
        return run
    return sse.RunStream(store, project, run.id, include_content=include_content).response()


@router.get("/threads/{thread_id}/runs", response_model=ListResponse[Run])
async def list_runs(
    thread_id: ThreadId, params: ListParamsDep, store: StoreDep, project: ProjectDep
) -> ListResponse[Run]:
    """One page of the thread's runs."""
    await store.threads.get(project, thread_id)
    return to_list(await store.runs.list_for_thread(project, thread_id, params))


@router.get(RUN_PATH, response_model=Run)
async def retrieve_run(
    thread_id: ThreadId, run_id: RunId, response: Response, runs: RunsDep, project: ProjectDep
) -> Run:
    """The run, with a hint that paces the SDK's polling."""
    response.headers["openai-poll-after-ms"] = POLL_AFTER_MS
    return await runs.retrieve(project, thread_id, run_id)


@router.post(RUN_PATH, response_model=Run)
async def update_run(
    thread_id: ThreadId, run_id: RunId, body: RunUpdateParams, runs: RunsDep, project: ProjectDep
) -> Run:
    """Replace the run's metadata (its only client-writable field)."""
    return await runs.update_metadata(project, thread_id, run_id, body.metadata)


@router.post(f"{RUN_PATH}/cancel", response_model=Run)
async def cancel_run(thread_id: ThreadId, run_id: RunId, runs: RunsDep, project: ProjectDep) -> Run:
    """Ask the run to stop; it comes back `cancelling` (400 if it already ended)."""
    return await runs.cancel(project, thread_id, run_id)


@router.post(f"{RUN_PATH}/submit_tool_outputs", response_model=Run)
async def submit_tool_outputs(
    thread_id: ThreadId,
    run_id: RunId,
    body: SubmitToolOutputsParams,
    runs: RunsDep,
    store: StoreDep,
    project: ProjectDep,
) -> Run | Response:
    """Hand every pending call's output to the run; a stream resumes after requires_action."""
    outputs = [ToolOutput(**item.model_dump()) for item in body.tool_outputs]
    if not body.stream:
        return await runs.submit_tool_outputs(project, thread_id, run_id, outputs)
    # The cursor is taken before submitting: afterwards the run may already be past the point.
    cursor = await sse.submit_cursor(store, await runs.retrieve(project, thread_id, run_id))
    run = await runs.submit_tool_outputs(project, thread_id, run_id, outputs)
    return sse.RunStream(store, project, run.id, after=cursor).response()


@router.get(f"{RUN_PATH}/events", response_class=Response)
async def stream_run_events(
    thread_id: ThreadId,
    run_id: RunId,
    include_content: IncludeContentDep,
    runs: RunsDep,
    store: StoreDep,
    project: ProjectDep,
    after: Annotated[int | None, Query(ge=0)] = None,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
) -> Response:
    """Extension: the run's events after a cursor, then live ones, as SSE."""
    run = await runs.retrieve(project, thread_id, run_id)
    cursor = sse.resume_cursor(last_event_id, after)
    return await sse.resume(store, project, run, cursor, include_content)
