"""Runs over HTTP, judged by the official SDK with strict validation (SPEC §2.4, §3, §9).

The helpers at the top seed assistants and threads straight into the store, so these tests do not
depend on the assistants/threads routes; the streaming and steps tests import them.
"""

from __future__ import annotations

import time
from typing import Any

import openai
import pytest

from core import ids
from core.objects.assistant import Assistant
from core.objects.message import Message
from core.objects.message_content import TextContentBlock
from core.objects.params import MessageCreateParams
from core.objects.thread import Thread
from core.run_factory import new_message
from core.store import ListParams
from tests.api.conftest import ApiServer
from tests.fakes.model_server import Reply, ToolCall, ToolCalls

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
    },
}


async def seed_assistant(api: ApiServer, **fields: Any) -> Assistant:
    """An assistant of project A, written to the store."""
    assistant = Assistant(
        id=ids.new_id("assistant"), created_at=int(time.time()),
        model=fields.pop("model", "gpt-4o-mini"), **fields,
    )  # fmt: skip
    return await api.store.assistants.upsert(api.project_a, assistant)


async def seed_thread(api: ApiServer, *texts: str) -> Thread:
    """A thread of project A holding one user message per text."""
    thread = Thread(id=ids.new_id("thread"), created_at=int(time.time()))
    await api.store.threads.upsert(api.project_a, thread)
    for text in texts:
        params = MessageCreateParams(role="user", content=text)
        message = new_message(ids.new_id("message"), thread.id, params, now=int(time.time()))
        await api.store.messages.upsert(api.project_a, message)
    return thread


async def stored_messages(api: ApiServer, thread_id: str) -> list[Message]:
    """The thread's messages, oldest first."""
    return await api.store.messages.latest(api.project_a, thread_id, 100)


def error_message(error: openai.APIStatusError) -> str:
    """The envelope's `message` (the exception's own message is prefixed with the status)."""
    assert isinstance(error.body, dict)
    return str(error.body["message"])


def text_of(message: Message) -> str:
    block = message.content[0]
    assert isinstance(block, TextContentBlock)
    return block.text.value


async def test_create_and_poll_completes(api: ApiServer) -> None:
    """create_and_poll reaches completed; usage, the step and the reply are all there."""
    api.model.script(Reply("Hello there, friend."))
    assistant = await seed_assistant(api, instructions="Be kind.")
    thread = await seed_thread(api, "Hi!")

    run = await api.client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )

    assert run.status == "completed" and run.completed_at is not None
    assert run.expires_at is None and run.instructions == "Be kind."
    assert run.usage is not None and run.usage.total_tokens > 0
    steps = await api.client.beta.threads.runs.steps.list(run_id=run.id, thread_id=thread.id)
    assert [(s.type, s.status) for s in steps.data] == [("message_creation", "completed")]
    assert steps.data[0].usage is not None
    assert steps.data[0].usage.model_dump() == run.usage.model_dump()
    messages = await stored_messages(api, thread.id)
    assert [m.role for m in messages] == ["user", "assistant"]
    assert text_of(messages[-1]) == "Hello there, friend." and messages[-1].run_id == run.id


async def test_retrieve_paces_polling(api: ApiServer) -> None:
    """GET run carries `openai-poll-after-ms`, which the SDK's poll() sleeps by."""
    assistant, thread = await seed_assistant(api), await seed_thread(api, "Hi")
    run = await api.client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    raw = await api.client.beta.threads.runs.with_raw_response.retrieve(run.id, thread_id=thread.id)
    assert raw.headers["openai-poll-after-ms"] == "250"
    assert raw.parse().id == run.id
    done = await api.client.beta.threads.runs.poll(run.id, thread_id=thread.id)
    assert done.status == "completed"


async def test_function_call_submit_and_poll(api: ApiServer) -> None:
    """requires_action lists the call; submit_tool_outputs_and_poll finishes the run."""
    api.model.script(
        ToolCalls([ToolCall("get_weather", '{"city": "Oslo"}')]), Reply("Sunny in Oslo.")
    )
    assistant = await seed_assistant(api, tools=[WEATHER_TOOL])
    thread = await seed_thread(api, "Weather in Oslo?")
    runs = api.client.beta.threads.runs

    run = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.status == "requires_action" and run.required_action is not None
    (call,) = run.required_action.submit_tool_outputs.tool_calls
    assert (call.function.name, call.function.arguments) == ("get_weather", '{"city": "Oslo"}')

    done = await runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, poll_interval_ms=50,
        tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}],
    )  # fmt: skip
    assert done.status == "completed" and done.required_action is None
    sent = api.model.chat_requests[-1]["messages"]
    assert sent[-1] == {"role": "tool", "tool_call_id": call.id, "content": "sunny"}


async def test_partial_or_unknown_outputs_are_refused(api: ApiServer) -> None:
    """A submit that does not cover exactly the pending calls is a 400 with OpenAI's wording."""
    api.model.script(ToolCalls([ToolCall("get_weather", "{}"), ToolCall("get_weather", "{}")]))
    assistant = await seed_assistant(api, tools=[WEATHER_TOOL])
    thread = await seed_thread(api, "Two cities")
    runs = api.client.beta.threads.runs
    run = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    assert run.required_action is not None
    first, second = (c.id for c in run.required_action.submit_tool_outputs.tool_calls)

    for sent in ([first], [first, "call_unknown"]):
        with pytest.raises(openai.BadRequestError) as error:
            await runs.submit_tool_outputs(
                run.id, thread_id=thread.id,
                tool_outputs=[{"tool_call_id": c, "output": "x"} for c in sent],
            )  # fmt: skip
        assert error_message(error.value) == (
            f"Expected tool outputs for call_ids {[first, second]!r}, got {sent!r}"
        )
    still = await runs.retrieve(run.id, thread_id=thread.id)
    assert still.status == "requires_action"
    await runs.cancel(run.id, thread_id=thread.id)


async def test_thread_lock_refuses_a_second_run(api: ApiServer) -> None:
    """While a run is active, creating another is a 400 (never a retried 409)."""
    api.model.script(ToolCalls([ToolCall("get_weather", "{}")]))
    assistant = await seed_assistant(api, tools=[WEATHER_TOOL])
    thread = await seed_thread(api, "Hi")
    runs = api.client.beta.threads.runs
    # Cancelled once it waits in requires_action: a cancel landing while the model streams
    # can stall SQLite writes for busy_timeout (the cancelled activity's write transaction).
    first = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )

    with pytest.raises(openai.BadRequestError) as error:
        await runs.create(thread_id=thread.id, assistant_id=assistant.id)

    assert error.value.status_code == 400
    assert error_message(error.value) == f"Thread {thread.id} already has an active run {first.id}."
    await runs.cancel(first.id, thread_id=thread.id)


async def test_cancel_then_cancel_again(api: ApiServer) -> None:
    """Cancel stops a waiting run; a terminal run refuses with OpenAI's message."""
    api.model.script(ToolCalls([ToolCall("get_weather", "{}")]), Reply("Done."))
    assistant = await seed_assistant(api, tools=[WEATHER_TOOL])
    thread = await seed_thread(api, "Hi")
    runs = api.client.beta.threads.runs
    waiting = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )

    cancelling = await runs.cancel(waiting.id, thread_id=thread.id)
    assert cancelling.status in {"cancelling", "cancelled"}
    cancelled = await runs.poll(waiting.id, thread_id=thread.id, poll_interval_ms=50)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    with pytest.raises(openai.BadRequestError) as error:
        await runs.cancel(waiting.id, thread_id=thread.id)
    assert error_message(error.value) == "Cannot cancel run with status 'cancelled'."

    completed = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
    )
    with pytest.raises(openai.BadRequestError) as error:
        await runs.cancel(completed.id, thread_id=thread.id)
    assert error_message(error.value) == "Cannot cancel run with status 'completed'."


async def test_list_runs_pages_newest_first(api: ApiServer) -> None:
    """The SDK's auto-pagination walks every run once, newest first."""
    assistant, thread = await seed_assistant(api), await seed_thread(api, "Hi")
    runs = api.client.beta.threads.runs
    created = [
        await runs.create_and_poll(
            thread_id=thread.id, assistant_id=assistant.id, poll_interval_ms=50
        )
        for _ in range(3)
    ]

    page = await runs.list(thread_id=thread.id, limit=2)
    assert [r.id for r in page.data] == [created[2].id, created[1].id] and page.has_more
    walked = [run.id async for run in runs.list(thread_id=thread.id, limit=2)]
    assert walked == [r.id for r in reversed(created)]
    oldest = await runs.list(thread_id=thread.id, order="asc", limit=1)
    assert [r.id for r in oldest.data] == [created[0].id]


async def test_update_replaces_metadata_only(api: ApiServer) -> None:
    assistant, thread = await seed_assistant(api), await seed_thread(api, "Hi")
    runs = api.client.beta.threads.runs
    run = await runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id, metadata={"a": "1"}, poll_interval_ms=50
    )

    updated = await runs.update(run.id, thread_id=thread.id, metadata={"b": "2"})

    assert updated.metadata == {"b": "2"} and updated.status == "completed"
    assert (await runs.retrieve(run.id, thread_id=thread.id)).metadata == {"b": "2"}
    with pytest.raises(openai.BadRequestError):
        await runs.update(run.id, thread_id=thread.id, extra_body={"status": "failed"})


async def test_create_thread_and_run_poll(api: ApiServer) -> None:
    """POST /threads/runs creates the thread with its messages, then runs it."""
    api.model.script(Reply("Welcome!"))
    assistant = await seed_assistant(api)

    run = await api.client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, poll_interval_ms=50,
        thread={"messages": [{"role": "user", "content": "Hello"}], "metadata": {"k": "v"}},
    )  # fmt: skip

    assert run.status == "completed"
    thread = await api.store.threads.get(api.project_a, run.thread_id)
    assert thread.metadata == {"k": "v"}
    messages = await stored_messages(api, run.thread_id)
    assert [(m.role, text_of(m)) for m in messages] == [
        ("user", "Hello"),
        ("assistant", "Welcome!"),
    ]


async def test_unknown_objects_and_bad_requests(api: ApiServer) -> None:
    """404s name the missing object; unknown fields and include values are 400s."""
    assistant, thread = await seed_assistant(api), await seed_thread(api)
    runs = api.client.beta.threads.runs
    with pytest.raises(openai.NotFoundError) as missing:
        await runs.retrieve("run_missing", thread_id=thread.id)
    assert error_message(missing.value) == "No run found with id 'run_missing'."
    with pytest.raises(openai.NotFoundError):
        await runs.create(thread_id=thread.id, assistant_id="asst_missing")
    with pytest.raises(openai.BadRequestError):
        await runs.create(thread_id=thread.id, assistant_id=assistant.id, max_prompt_tokens=10)
    with pytest.raises(openai.BadRequestError) as bad_include:
        await runs.create(
            thread_id=thread.id,
            assistant_id=assistant.id,
            include=["step_details.nope"],
        )
    assert bad_include.value.param == "include[0]"
    with pytest.raises(openai.NotFoundError):
        await api.other.beta.threads.runs.list(thread_id=thread.id)
    page = await api.store.runs.list_for_thread(api.project_a, thread.id, ListParams())
    assert page.data == []  # nothing was created by the refused requests
