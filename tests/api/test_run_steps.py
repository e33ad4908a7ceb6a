"""Run steps over HTTP (SPEC §2.5, §4): list, retrieve, pagination and `include[]`."""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest

from core import ids
from core.objects.params import RunCreateParams
from core.objects.run_step import (
    FileSearchResult,
    FileSearchResultContent,
    FileSearchToolCall,
    FileSearchToolCallFileSearch,
    RunStep,
    ToolCallsStepDetails,
)
from core.run_factory import new_run
from tests.api.conftest import ApiServer
from tests.api.test_runs import WEATHER_TOOL, seed_assistant, seed_thread
from tests.fakes.model_server import Reply, ToolCall, ToolCalls

SEARCH_CONTENT = "step_details.tool_calls[*].file_search.results[*].content"


async def test_steps_list_and_retrieve(api: ApiServer) -> None:
    """A function-call run has a tool_calls step then a message_creation step; pages and
    single reads agree, and a step is only found under its own run."""
    api.model.script(ToolCalls([ToolCall("get_weather", '{"city": "Rome"}')]), Reply("Warm."))
    assistant = await seed_assistant(api, tools=[WEATHER_TOOL])
    thread = await seed_thread(api, "Rome?")
    runs = api.client.beta.threads.runs
    run = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.required_action is not None
    call_id = run.required_action.submit_tool_outputs.tool_calls[0].id
    await runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, poll_interval_ms=50,
        tool_outputs=[{"tool_call_id": call_id, "output": "30 C"}],
    )  # fmt: skip

    newest = await runs.steps.list(run_id=run.id, thread_id=thread.id, limit=1)
    assert [s.type for s in newest.data] == ["message_creation"] and newest.has_more
    walked = [s async for s in runs.steps.list(run_id=run.id, thread_id=thread.id, order="asc")]
    assert [(s.type, s.status) for s in walked] == [
        ("tool_calls", "completed"),
        ("message_creation", "completed"),
    ]
    tool_step = await runs.steps.retrieve(walked[0].id, thread_id=thread.id, run_id=run.id)
    assert tool_step.step_details.type == "tool_calls"
    (call,) = tool_step.step_details.tool_calls
    assert call.type == "function" and call.function.output == "30 C"

    other = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    with pytest.raises(openai.NotFoundError):
        await runs.steps.retrieve(walked[0].id, thread_id=thread.id, run_id=other.id)
    with pytest.raises(openai.BadRequestError):
        await runs.steps.retrieve("not_a_step", thread_id=thread.id, run_id=run.id)
    with pytest.raises(openai.NotFoundError):
        await api.other.beta.threads.runs.steps.list(run_id=run.id, thread_id=thread.id)


async def test_include_controls_search_result_content(api: ApiServer) -> None:
    """file_search results carry their chunks only with `include[]` (list and retrieve)."""
    assistant, thread = await seed_assistant(api), await seed_thread(api)
    run = new_run(
        ids.new_id("run"), thread.id, assistant, RunCreateParams(assistant_id=assistant.id),
        now=int(time.time()), expires_after_s=600,
    )  # fmt: skip
    await api.store.runs.upsert(api.project_a, run)
    hit = FileSearchResult(
        file_id="file-abc", file_name="notes.txt", score=0.9,
        content=[FileSearchResultContent(text="the matching chunk")],
    )  # fmt: skip
    step = RunStep(
        id=ids.new_id("step"), created_at=run.created_at, assistant_id=assistant.id,
        thread_id=thread.id, run_id=run.id, type="tool_calls", status="completed",
        step_details=ToolCallsStepDetails(tool_calls=[
            FileSearchToolCall(id="call_1", file_search=FileSearchToolCallFileSearch(results=[hit]))
        ]),
    )  # fmt: skip
    await api.store.run_steps.upsert(api.project_a, step)
    steps = api.client.beta.threads.runs.steps

    def contents(found: openai.types.beta.threads.runs.RunStep) -> Any:
        assert found.step_details.type == "tool_calls"
        call = found.step_details.tool_calls[0]
        assert call.type == "file_search" and call.file_search.results
        return call.file_search.results[0].content

    plain = await steps.list(run_id=run.id, thread_id=thread.id)
    assert contents(plain.data[0]) is None
    included = await steps.list(run_id=run.id, thread_id=thread.id, include=[SEARCH_CONTENT])
    assert [c.text for c in contents(included.data[0])] == ["the matching chunk"]  # type: ignore[attr-defined]
    one = await steps.retrieve(step.id, run_id=run.id, thread_id=thread.id)
    assert contents(one) is None
    one = await steps.retrieve(
        step.id, run_id=run.id, thread_id=thread.id, include=[SEARCH_CONTENT]
    )
    assert contents(one) is not None
    with pytest.raises(openai.BadRequestError) as error:
        await steps.list(run_id=run.id, thread_id=thread.id, include=["usage"])  # type: ignore[list-item]
    assert error.value.param == "include[0]"
