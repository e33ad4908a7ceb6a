"""/v1/threads and /v1/threads/{id}/messages through the official SDK (strict validation)."""

from __future__ import annotations

import time

import httpx
import openai
import pytest

from core.ids import new_id
from core.objects.message import Message, Text, TextContentBlock
from core.objects.params import RunCreateParams
from core.objects.run import RunStatus
from core.run_factory import new_run
from tests.api.conftest import ApiServer


async def test_create_thread_without_arguments(api: ApiServer) -> None:
    thread = await api.client.beta.threads.create()
    assert thread.id.startswith("thread_") and thread.object == "thread"
    assert thread.metadata == {} and thread.tool_resources is None
    assert await api.client.beta.threads.retrieve(thread.id) == thread


async def test_create_thread_with_no_body_at_all(api: ApiServer) -> None:
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {api.key_a}"}) as http:
        response = await http.post(f"{api.base_url}/threads")
    assert response.status_code == 200, response.text
    assert response.json()["object"] == "thread"
    assert response.json()["tool_resources"] is None


async def test_create_thread_with_messages_keeps_their_order(api: ApiServer) -> None:
    file = await api.client.files.create(file=("a.py", b"print(1)"), purpose="assistants")
    thread = await api.client.beta.threads.create(
        messages=[
            {"role": "user", "content": "first", "metadata": {"n": "1"}},
            {"role": "assistant", "content": [{"type": "text", "text": "second"}]},
            {
                "role": "user",
                "content": "third",
                "attachments": [{"file_id": file.id, "tools": [{"type": "code_interpreter"}]}],
            },
        ],
        tool_resources={"code_interpreter": {"file_ids": [file.id]}},
        metadata={"topic": "order"},
    )
    assert thread.metadata == {"topic": "order"}
    assert thread.tool_resources and thread.tool_resources.code_interpreter
    assert thread.tool_resources.code_interpreter.file_ids == [file.id]
    page = await api.client.beta.threads.messages.list(thread.id, order="asc")
    texts = [m.content[0].text.value for m in page.data]
    assert texts == ["first", "second", "third"]
    first, second, third = page.data
    assert (first.role, second.role, first.metadata) == ("user", "assistant", {"n": "1"})
    assert first.content[0].text.annotations == []
    assert (first.status, first.run_id, first.assistant_id) == ("completed", None, None)
    assert first.thread_id == thread.id
    assert third.attachments and third.attachments[0].file_id == file.id


async def test_modify_and_delete_thread(api: ApiServer) -> None:
    thread = await api.client.beta.threads.create(
        metadata={"a": "1"}, messages=[{"role": "user", "content": "hi"}]
    )
    modified = await api.client.beta.threads.update(thread.id, metadata={"b": "2"})
    assert modified.metadata == {"b": "2"} and modified.created_at == thread.created_at
    message = (await api.client.beta.threads.messages.list(thread.id)).data[0]
    deleted = await api.client.beta.threads.delete(thread.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (thread.id, "thread.deleted", True)
    with pytest.raises(openai.NotFoundError) as error:
        await api.client.beta.threads.retrieve(thread.id)
    assert error.value.body == {
        "message": f"No thread found with id '{thread.id}'.",
        "type": "invalid_request_error",
        "param": "thread_id",
        "code": None,
    }
    # The thread's messages went with it.
    assert await api.store.messages.find(api.project_a, message.id) is None


async def test_modify_tool_resources_replaces_only_the_named_tool(api: ApiServer) -> None:
    one = await api.client.files.create(file=("1.txt", b"1"), purpose="assistants")
    two = await api.client.files.create(file=("2.txt", b"2"), purpose="assistants")
    thread = await api.client.beta.threads.create(
        tool_resources={"code_interpreter": {"file_ids": [one.id]}}, metadata={"k": "v"}
    )
    modified = await api.client.beta.threads.update(
        thread.id, tool_resources={"code_interpreter": {"file_ids": [two.id]}}
    )
    assert modified.tool_resources and modified.tool_resources.code_interpreter
    assert modified.tool_resources.code_interpreter.file_ids == [two.id]
    assert modified.metadata == {"k": "v"}  # not named in the request: kept
    with pytest.raises(openai.NotFoundError) as error:
        await api.client.beta.threads.update(
            thread.id, tool_resources={"file_search": {"vector_store_ids": ["vs_missing"]}}
        )
    assert error.value.body["message"] == "No vector store found with id 'vs_missing'."
    assert await api.client.beta.threads.retrieve(thread.id) == modified


async def test_vector_stores_helper_creates_the_thread_store(api: ApiServer) -> None:
    """More in test_vector_stores_threads.py."""
    thread = await api.client.beta.threads.create(
        tool_resources={"file_search": {"vector_stores": [{"file_ids": []}]}}
    )
    assert thread.tool_resources and thread.tool_resources.file_search
    (store_id,) = thread.tool_resources.file_search.vector_store_ids
    assert (await api.client.vector_stores.retrieve(store_id)).file_counts.total == 0


async def test_message_crud(api: ApiServer) -> None:
    thread = await api.client.beta.threads.create()
    message = await api.client.beta.threads.messages.create(
        thread.id,
        role="user",
        content=[
            {"type": "text", "text": "look"},
            {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
        ],
        metadata={"k": "v"},
    )
    assert message.id.startswith("msg_") and message.object == "thread.message"
    assert [block.type for block in message.content] == ["text", "image_url"]
    assert message.completed_at is not None and message.incomplete_details is None
    assert await api.client.beta.threads.messages.retrieve(message.id, thread_id=thread.id) == (
        message
    )
    modified = await api.client.beta.threads.messages.update(
        message.id, thread_id=thread.id, metadata={"other": "x"}
    )
    assert modified.metadata == {"other": "x"} and modified.content == message.content
    deleted = await api.client.beta.threads.messages.delete(message.id, thread_id=thread.id)
    assert (deleted.object, deleted.deleted) == ("thread.message.deleted", True)
    with pytest.raises(openai.NotFoundError) as error:
        await api.client.beta.threads.messages.retrieve(message.id, thread_id=thread.id)
    assert error.value.body["message"] == f"No message found with id '{message.id}'."
    assert error.value.body["param"] == "message_id"


async def test_message_of_another_thread_is_not_found(api: ApiServer) -> None:
    one = await api.client.beta.threads.create(messages=[{"role": "user", "content": "x"}])
    other = await api.client.beta.threads.create()
    message = (await api.client.beta.threads.messages.list(one.id)).data[0]
    with pytest.raises(openai.NotFoundError):
        await api.client.beta.threads.messages.retrieve(message.id, thread_id=other.id)
    with pytest.raises(openai.NotFoundError) as error:
        await api.client.beta.threads.messages.list("thread_missing")
    assert error.value.body["param"] == "thread_id"


async def test_message_pagination(api: ApiServer) -> None:
    thread = await api.client.beta.threads.create()
    ids = [
        (await api.client.beta.threads.messages.create(thread.id, role="user", content=str(i))).id
        for i in range(5)
    ]
    assert [m.id for m in (await api.client.beta.threads.messages.list(thread.id)).data] == (
        ids[::-1]
    )
    page = await api.client.beta.threads.messages.list(thread.id, order="asc", limit=2)
    assert ([m.id for m in page.data], page.has_more) == (ids[:2], True)
    assert (page.first_id, page.last_id) == (ids[0], ids[1])
    after = await api.client.beta.threads.messages.list(
        thread.id, order="asc", limit=2, after=ids[3]
    )
    assert ([m.id for m in after.data], after.has_more) == ([ids[4]], False)
    before = await api.client.beta.threads.messages.list(thread.id, limit=2, before=ids[1])
    assert [m.id for m in before.data] == [ids[3], ids[2]]
    paged = [m.id async for m in api.client.beta.threads.messages.list(thread.id, limit=2)]
    assert paged == ids[::-1]
    with pytest.raises(openai.BadRequestError) as error:
        await api.client.beta.threads.messages.list(thread.id, limit=101)
    assert error.value.body["param"] == "limit"


async def test_messages_filter_by_run_id(api: ApiServer) -> None:
    thread = await api.client.beta.threads.create(messages=[{"role": "user", "content": "q"}])
    run_id = new_id("run")
    now = int(time.time())
    by_run = Message(
        id=new_id("message"), created_at=now, thread_id=thread.id, status="completed",
        role="assistant", run_id=run_id, assistant_id=new_id("assistant"),
        content=[TextContentBlock(text=Text(value="answer", annotations=[]))],
    )  # fmt: skip
    await api.store.messages.upsert(api.project_a, by_run)
    everything = await api.client.beta.threads.messages.list(thread.id)
    assert len(everything.data) == 2
    only_run = await api.client.beta.threads.messages.list(thread.id, run_id=run_id)
    assert [m.id for m in only_run.data] == [by_run.id]
    assert only_run.data[0].run_id == run_id
    none = await api.client.beta.threads.messages.list(thread.id, run_id=new_id("run"))
    assert none.data == [] and none.first_id is None


async def _lock_with_run(api: ApiServer, thread_id: str, status: RunStatus | None) -> str:
    """Hold the thread's lock for a run in `status` (None: no run row yet, a creation in flight)."""
    assistant = await api.client.beta.assistants.create(model="gpt-4o")
    run_id = new_id("run")
    if status is not None:
        wire_assistant = await api.store.assistants.get(api.project_a, assistant.id)
        run = new_run(run_id, thread_id, wire_assistant, RunCreateParams(assistant_id=assistant.id),
                      now=int(time.time()), expires_after_s=600)  # fmt: skip
        await api.store.runs.upsert(api.project_a, run.model_copy(update={"status": status}))
    assert await api.store.thread_locks.claim(api.project_a, thread_id, run_id) == run_id
    return run_id


@pytest.mark.parametrize("status", ["in_progress", "requires_action", None])
async def test_messages_are_refused_during_an_active_run(
    api: ApiServer, status: RunStatus | None
) -> None:
    thread = await api.client.beta.threads.create()
    run_id = await _lock_with_run(api, thread.id, status)
    with pytest.raises(openai.BadRequestError) as error:
        await api.client.beta.threads.messages.create(thread.id, role="user", content="hi")
    assert error.value.body["message"] == (
        f"Can't add messages to {thread.id} while a run {run_id} is active."
    )
    assert error.value.body["type"] == "invalid_request_error"
    assert (await api.client.beta.threads.messages.list(thread.id)).data == []


async def test_a_lock_whose_run_ended_does_not_block(api: ApiServer) -> None:
    thread = await api.client.beta.threads.create()
    await _lock_with_run(api, thread.id, "completed")
    message = await api.client.beta.threads.messages.create(thread.id, role="user", content="hi")
    assert message.thread_id == thread.id
