"""/v1 routes: run steps (SPEC §2.5), and the `include[]` query they share with run streams.

file_search results carry the matched chunks' text only when the caller asks for it with
`include[]=step_details.tool_calls[*].file_search.results[*].content` (SPEC §4).
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query

from api.deps import ProjectDep, RunsDep, StoreDep
from api.pagination import ListParamsDep, to_list
from api.validation import ThreadId, check_id, require_assistants_v2
from core.errors import InvalidRequestError
from core.objects.list import ListResponse
from core.objects.run_step import RunStep

router = APIRouter(tags=["run steps"], dependencies=[Depends(require_assistants_v2)])

INCLUDE_SEARCH_CONTENT: Final = "step_details.tool_calls[*].file_search.results[*].content"
"""The one value `include[]` accepts (SPEC §2.4)."""


async def _include_content(
    bracketed: Annotated[list[str] | None, Query(alias="include[]")] = None,
    bare: Annotated[list[str] | None, Query(alias="include")] = None,
) -> bool:
    """Whether search-result content was asked for. The SDK sends `include[]=...`; a bare
    `include` is accepted too (SPEC §1)."""
    values = [*(bracketed or []), *(bare or [])]
    for index, value in enumerate(values):
        if value != INCLUDE_SEARCH_CONTENT:
            raise InvalidRequestError(
                f"Invalid value: '{value}'. Supported values are: '{INCLUDE_SEARCH_CONTENT}'.",
                param=f"include[{index}]",
                code="invalid_value",
            )
    return bool(values)


IncludeContentDep = Annotated[bool, Depends(_include_content)]


async def _run_id(run_id: Annotated[str, Path()]) -> str:
    return check_id("run", run_id, "run_id")


async def _step_id(step_id: Annotated[str, Path()]) -> str:
    return check_id("step", step_id, "step_id")


RunId = Annotated[str, Depends(_run_id)]
StepId = Annotated[str, Depends(_step_id)]


def step_view(data: dict[str, Any], include_content: bool) -> dict[str, Any]:
    """A step's JSON as the caller asked for it: file_search results lose their `content`
    unless it was included. Works on stored event payloads as well as on dumped steps."""
    details = data.get("step_details") or {}
    if include_content or details.get("type") != "tool_calls":
        return data
    calls = [_without_content(call) for call in details.get("tool_calls") or []]
    return {**data, "step_details": {**details, "tool_calls": calls}}


def _without_content(call: dict[str, Any]) -> dict[str, Any]:
    search = call.get("file_search") if call.get("type") == "file_search" else None
    if not search or not search.get("results"):
        return call
    results = [{**result, "content": None} for result in search["results"]]
    return {**call, "file_search": {**search, "results": results}}


def _shaped(step: RunStep, include_content: bool) -> RunStep:
    if include_content:
        return step
    return RunStep.model_validate(step_view(step.model_dump(mode="json"), include_content))


@router.get("/threads/{thread_id}/runs/{run_id}/steps", response_model=ListResponse[RunStep])
async def list_run_steps(
    thread_id: ThreadId,
    run_id: RunId,
    params: ListParamsDep,
    include_content: IncludeContentDep,
    runs: RunsDep,
    store: StoreDep,
    project: ProjectDep,
) -> ListResponse[RunStep]:
    """One page of the run's steps (404 if the run is not on that thread)."""
    await runs.retrieve(project, thread_id, run_id)
    page = await store.run_steps.list_for_run(project, run_id, params, thread_id=thread_id)
    listed = to_list(page)
    listed.data = [_shaped(step, include_content) for step in listed.data]
    return listed


@router.get("/threads/{thread_id}/runs/{run_id}/steps/{step_id}", response_model=RunStep)
async def retrieve_run_step(
    thread_id: ThreadId,
    run_id: RunId,
    step_id: StepId,
    include_content: IncludeContentDep,
    runs: RunsDep,
    store: StoreDep,
    project: ProjectDep,
) -> RunStep:
    """One step of the run."""
    await runs.retrieve(project, thread_id, run_id)
    step = await store.run_steps.get(project, step_id, run_id=run_id, thread_id=thread_id)
    return _shaped(step, include_content)
