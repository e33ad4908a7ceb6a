"""The `/context` extension over HTTP: what each model call of a run was sent (SPEC §3.3)."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.api.conftest import ApiServer
from tests.api.test_runs import seed_assistant, seed_thread
from tests.fakes.model_server import Reply, ToolCall, ToolCalls, Usage


async def get_context(client: openai.AsyncOpenAI, thread_id: str, run_id: str) -> Any:
    """The extension through the official SDK's raw GET (errors map as for any endpoint)."""
    return await client.get(f"/threads/{thread_id}/runs/{run_id}/context", cast_to=object)


async def test_each_model_call_is_listed_with_what_it_was_sent(api: ApiServer) -> None:
    """A two-call run under `last_messages`: kept and dropped ids, the estimate, the budgets
    each call was given and the usage each reported."""
    api.model.script(
        ToolCalls([ToolCall("get_weather", '{"city": "Rome"}')], usage=Usage(90, 20)),
        Reply("Warm.", usage=Usage(120, 3)),
    )
    tool = {"type": "function", "function": {"name": "get_weather"}}
    assistant = await seed_assistant(api, tools=[tool], instructions="Be brief.")
    thread = await seed_thread(api, "Hello.", "Planning a trip.", "Weather in Rome?")
    runs = api.client.beta.threads.runs
    run = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50,
        truncation_strategy={"type": "last_messages", "last_messages": 2},
        max_prompt_tokens=5_000, max_completion_tokens=1_000,
    )  # fmt: skip
    call_id = run.required_action.submit_tool_outputs.tool_calls[0].id  # type: ignore[union-attr]
    run = await runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, poll_interval_ms=50,
        tool_outputs=[{"tool_call_id": call_id, "output": "30 C"}],
    )  # fmt: skip
    assert run.status == "completed"

    body = await get_context(api.client, thread.id, run.id)

    assert body["object"] == "list" and body["has_more"] is False
    first, second = body["data"]
    messages = [m.id async for m in api.client.beta.threads.messages.list(thread.id, order="asc")]
    assert first["kept_message_ids"] == second["kept_message_ids"] == messages[1:3]
    assert first["dropped_message_ids"] == []
    assert first["unread_messages_dropped"] is True
    assert first["truncation"] == {"type": "last_messages", "last_messages": 2}
    assert (first["model"], first["context_window"]) == ("gpt-4o-mini", 128_000)
    assert (first["max_prompt_tokens"], first["max_completion_tokens"]) == (5_000, 1_000)
    assert (second["max_prompt_tokens"], second["max_completion_tokens"]) == (4_910, 980)
    assert first["usage"] == {"prompt_tokens": 90, "completion_tokens": 20, "total_tokens": 110}
    assert second["usage"]["prompt_tokens"] == 120
    assert first["prompt_tokens_estimate"] < second["prompt_tokens_estimate"]  # + tool turn
    assert first["fits"] is True and first["limited_by"] == "max_prompt_tokens"
    steps = [s.id async for s in runs.steps.list(run_id=run.id, thread_id=thread.id, order="asc")]
    assert first["step_id"] == steps[0] and body["first_id"] == steps[0]
    assert run.usage is not None and run.usage.total_tokens == 110 + 123


async def test_another_projects_run_is_not_found(api: ApiServer) -> None:
    api.model.script(Reply("ok"))
    assistant = await seed_assistant(api)
    thread = await seed_thread(api, "Hi")
    run = await api.client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert len((await get_context(api.client, thread.id, run.id))["data"]) == 1

    with pytest.raises(openai.NotFoundError, match=f"No run found with id '{run.id}'"):
        await get_context(api.other, thread.id, run.id)
    with pytest.raises(openai.NotFoundError):
        await get_context(api.client, thread.id, "run_missing")
    with pytest.raises(openai.BadRequestError, match="Expected an ID that begins with 'run'"):
        await get_context(api.client, thread.id, "nope")
