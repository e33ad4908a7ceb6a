"""Projects are isolated: project B sees 404 (never 403) for everything of project A, and A's
objects are absent from B's lists. A's objects are unchanged by B's attempts."""

from __future__ import annotations

from typing import Any

import openai
import pytest

from tests.api.conftest import ApiServer


async def _not_found(call: Any, noun: str, object_id: str) -> None:
    with pytest.raises(openai.NotFoundError) as error:
        await call
    assert error.value.body["message"] == f"No {noun} found with id '{object_id}'."


async def test_assistants_are_per_project(api: ApiServer) -> None:
    mine = await api.client.beta.assistants.create(model="m", name="A's")
    b = api.other.beta.assistants
    await _not_found(b.retrieve(mine.id), "assistant", mine.id)
    await _not_found(b.update(mine.id, name="stolen"), "assistant", mine.id)
    await _not_found(b.delete(mine.id), "assistant", mine.id)
    assert (await b.list()).data == []
    theirs = await b.create(model="m")
    assert [a.id for a in (await b.list()).data] == [theirs.id]
    assert await api.client.beta.assistants.retrieve(mine.id) == mine
    # A cursor from another project is not in B's list either.
    with pytest.raises(openai.BadRequestError):
        await b.list(after=mine.id)


async def test_threads_and_messages_are_per_project(api: ApiServer) -> None:
    thread = await api.client.beta.threads.create(messages=[{"role": "user", "content": "x"}])
    message = (await api.client.beta.threads.messages.list(thread.id)).data[0]
    b = api.other.beta.threads
    await _not_found(b.retrieve(thread.id), "thread", thread.id)
    await _not_found(b.update(thread.id, metadata={"k": "v"}), "thread", thread.id)
    await _not_found(b.delete(thread.id), "thread", thread.id)
    await _not_found(b.messages.list(thread.id), "thread", thread.id)
    await _not_found(b.messages.create(thread.id, role="user", content="y"), "thread", thread.id)
    await _not_found(b.messages.retrieve(message.id, thread_id=thread.id), "thread", thread.id)
    await _not_found(
        b.messages.update(message.id, thread_id=thread.id, metadata={}), "thread", thread.id
    )
    await _not_found(b.messages.delete(message.id, thread_id=thread.id), "thread", thread.id)
    # Even through a thread of B's own, A's message stays invisible.
    own = await b.create()
    await _not_found(b.messages.retrieve(message.id, thread_id=own.id), "message", message.id)
    await _not_found(b.messages.delete(message.id, thread_id=own.id), "message", message.id)
    assert await api.client.beta.threads.retrieve(thread.id) == thread
    assert (await api.client.beta.threads.messages.list(thread.id)).data == [message]


async def test_files_are_per_project(api: ApiServer) -> None:
    file = await api.client.files.create(file=("secret.txt", b"secret"), purpose="assistants")
    b = api.other.files
    await _not_found(b.retrieve(file.id), "file", file.id)
    await _not_found(b.content(file.id), "file", file.id)
    await _not_found(b.delete(file.id), "file", file.id)
    assert (await b.list()).data == []
    assert (await api.client.files.content(file.id)).read() == b"secret"


async def test_another_projects_file_cannot_be_referenced(api: ApiServer) -> None:
    file = await api.client.files.create(file=("a.txt", b"x"), purpose="assistants")
    resources = {"code_interpreter": {"file_ids": [file.id]}}
    await _not_found(
        api.other.beta.assistants.create(model="m", tool_resources=resources), "file", file.id
    )
    await _not_found(api.other.beta.threads.create(tool_resources=resources), "file", file.id)
    thread = await api.other.beta.threads.create()
    attachment = {"file_id": file.id, "tools": [{"type": "code_interpreter"}]}
    await _not_found(
        api.other.beta.threads.messages.create(
            thread.id, role="user", content="x", attachments=[attachment]
        ),
        "file",
        file.id,
    )
