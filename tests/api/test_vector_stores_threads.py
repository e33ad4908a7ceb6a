"""Vector stores made on the side: message attachments fill the thread's store (made on demand,
expiring 7 days after last use), and the inline `vector_stores` helper of create-assistant and
create-thread makes a store."""

from __future__ import annotations

import openai
import pytest

from tests.api.conftest import ApiServer
from tests.api.test_vector_stores import (
    BAKERY,
    DAY,
    LIGHTHOUSE,
    bad_request,
    not_found,
    upload,
    wire_vector_stores,
)

__all__ = ["wire_vector_stores"]  # the autouse fixture, for this module too

FILE_SEARCH = [{"type": "file_search"}]


def store_of(resources: object) -> str:
    """The one vector store id of a thread's or assistant's `tool_resources`."""
    file_search = getattr(resources, "file_search", None)
    assert file_search is not None, resources
    (store_id,) = file_search.vector_store_ids
    return str(store_id)


async def test_message_attachment_creates_the_thread_store(api: ApiServer) -> None:
    first = await upload(api, "lighthouse.txt", LIGHTHOUSE)
    second = await upload(api, "bakery.md", BAKERY)
    thread = await api.client.beta.threads.create(metadata={"k": "v"})
    await api.client.beta.threads.messages.create(
        thread.id, role="user", content="read this",
        attachments=[{"file_id": first, "tools": FILE_SEARCH}],
    )  # fmt: skip
    with_store = await api.client.beta.threads.retrieve(thread.id)
    store_id = store_of(with_store.tool_resources)
    assert with_store.metadata == {"k": "v"}
    store = await api.client.vector_stores.retrieve(store_id)
    assert store.name == "thread vector store"
    assert store.expires_after and (store.expires_after.anchor, store.expires_after.days) == (
        "last_active_at", 7,
    )  # fmt: skip
    assert store.expires_at == store.last_active_at + 7 * DAY  # type: ignore[operator]
    added = await api.client.vector_stores.files.poll(first, vector_store_id=store_id)
    assert added.status == "completed"

    # A later attachment goes into the same store; a file already there is not re-ingested.
    await api.client.beta.threads.messages.create(
        thread.id, role="user", content="and this",
        attachments=[{"file_id": second, "tools": [{"type": "code_interpreter"}, *FILE_SEARCH]},
                     {"file_id": first, "tools": FILE_SEARCH}],
    )  # fmt: skip
    assert store_of((await api.client.beta.threads.retrieve(thread.id)).tool_resources) == store_id
    await api.client.vector_stores.files.poll(second, vector_store_id=store_id)
    counts = (await api.client.vector_stores.retrieve(store_id)).file_counts
    assert (counts.completed, counts.total) == (2, 2)
    again = await api.client.vector_stores.files.retrieve(first, vector_store_id=store_id)
    assert again.created_at == added.created_at


async def test_code_interpreter_attachments_make_no_store(api: ApiServer) -> None:
    file_id = await upload(api, "a.py", b"print(1)")
    thread = await api.client.beta.threads.create(
        messages=[{"role": "user", "content": "x",
                   "attachments": [{"file_id": file_id, "tools": [{"type": "code_interpreter"}]}]}]
    )  # fmt: skip
    assert thread.tool_resources is None
    assert (await api.client.vector_stores.list()).data == []


async def test_create_thread_with_attachments_and_helper_makes_one_store(api: ApiServer) -> None:
    helper_file = await upload(api, "bakery.md", BAKERY)
    attached = await upload(api, "lighthouse.txt", LIGHTHOUSE)
    thread = await api.client.beta.threads.create(
        messages=[{"role": "user", "content": "x",
                   "attachments": [{"file_id": attached, "tools": FILE_SEARCH}]}],
        tool_resources={"file_search": {"vector_stores": [
            {"file_ids": [helper_file], "metadata": {"made": "inline"},
             "chunking_strategy": {"type": "static", "static": {
                 "max_chunk_size_tokens": 300, "chunk_overlap_tokens": 100}}}]}},
    )  # fmt: skip
    store_id = store_of(thread.tool_resources)
    assert [s.id for s in (await api.client.vector_stores.list()).data] == [store_id]
    store = await api.client.vector_stores.retrieve(store_id)
    assert store.metadata == {"made": "inline"} and store.file_counts.total == 2
    assert store.expires_after and store.expires_after.days == 7
    files = api.client.vector_stores.files
    inline = await files.poll(helper_file, vector_store_id=store_id)
    assert inline.chunking_strategy and inline.chunking_strategy.type == "static"
    assert inline.chunking_strategy.static.max_chunk_size_tokens == 300
    assert (await files.poll(attached, vector_store_id=store_id)).status == "completed"


async def test_attachments_go_to_the_store_the_thread_names(api: ApiServer) -> None:
    store = await api.client.vector_stores.create(name="mine")
    file_id = await upload(api, "bakery.md", BAKERY)
    thread = await api.client.beta.threads.create(
        messages=[{"role": "user", "content": "x",
                   "attachments": [{"file_id": file_id, "tools": FILE_SEARCH}]}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}},
    )  # fmt: skip
    assert store_of(thread.tool_resources) == store.id
    added = await api.client.vector_stores.files.poll(file_id, vector_store_id=store.id)
    assert added.status == "completed"
    assert len((await api.client.vector_stores.list()).data) == 1


async def test_assistant_helper_creates_a_store_without_expiry(api: ApiServer) -> None:
    file_id = await upload(api, "lighthouse.txt", LIGHTHOUSE)
    assistant = await api.client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_stores": [{"file_ids": [file_id]}]}},
    )  # fmt: skip
    store_id = store_of(assistant.tool_resources)
    assert await api.client.beta.assistants.retrieve(assistant.id) == assistant
    store = await api.client.vector_stores.retrieve(store_id)
    assert (store.expires_after, store.expires_at, store.file_counts.total) == (None, None, 1)
    added = await api.client.vector_stores.files.poll(file_id, vector_store_id=store_id)
    assert added.status == "completed"


async def test_helper_validation_changes_nothing(api: ApiServer) -> None:
    file_id = await upload(api, "a.txt", b"a")
    store = await api.client.vector_stores.create()
    create = api.client.beta.assistants.create
    both = {"file_search": {"vector_store_ids": [store.id], "vector_stores": [{}]}}
    body = await bad_request(
        create(model="m", tool_resources=both), "tool_resources.file_search.vector_stores"
    )
    assert "at most 1 vector store" in body["message"]
    two = {"file_search": {"vector_stores": [{}, {}]}}
    await bad_request(
        api.client.beta.threads.create(tool_resources=two),
        "tool_resources.file_search.vector_stores",
    )
    overlap = {"type": "static", "static": {"max_chunk_size_tokens": 100,
                                            "chunk_overlap_tokens": 60}}  # fmt: skip
    await bad_request(
        create(model="m", tool_resources={"file_search": {"vector_stores": [
            {"file_ids": [file_id], "chunking_strategy": overlap}]}}),  # type: ignore[list-item]
        "tool_resources.file_search.vector_stores[0].chunking_strategy.static"
        ".chunk_overlap_tokens",
    )  # fmt: skip
    with pytest.raises(openai.NotFoundError) as error:
        await create(
            model="m",
            tool_resources={"file_search": {"vector_stores": [{"file_ids": [file_id, "file-x"]}]}},
        )
    assert error.value.body["param"] == "tool_resources.file_search.vector_stores[0].file_ids[1]"
    await not_found(
        api.client.beta.threads.create(
            tool_resources={"file_search": {"vector_store_ids": ["vs_missing"]}}
        ),
        "No vector store found with id 'vs_missing'.",
    )
    assert [s.id for s in (await api.client.vector_stores.list()).data] == [store.id]
    assert (await api.client.beta.assistants.list()).data == []


async def test_a_deleted_thread_store_is_replaced(api: ApiServer) -> None:
    first, second = await upload(api, "1.txt", BAKERY), await upload(api, "2.txt", LIGHTHOUSE)
    thread = await api.client.beta.threads.create(
        messages=[{"role": "user", "content": "x",
                   "attachments": [{"file_id": first, "tools": FILE_SEARCH}]}],
    )  # fmt: skip
    old = store_of(thread.tool_resources)
    await api.client.vector_stores.delete(old)
    await api.client.beta.threads.messages.create(
        thread.id, role="user", content="y", attachments=[{"file_id": second, "tools": FILE_SEARCH}]
    )
    new = store_of((await api.client.beta.threads.retrieve(thread.id)).tool_resources)
    assert new != old
    assert [f.id for f in (await api.client.vector_stores.files.list(new)).data] == [second]
