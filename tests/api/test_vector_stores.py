"""/v1/vector_stores through the official SDK: create, list, retrieve, modify, delete, search,
their validation, and project isolation. Files are ingested by the real worker."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from openai.types import VectorStore, VectorStoreDeleted
from openai.types.vector_store_search_response import VectorStoreSearchResponse
from openai.types.vector_stores import (
    VectorStoreFile,
    VectorStoreFileBatch,
    VectorStoreFileDeleted,
)

from tests.api import wire_check
from tests.api.conftest import ApiServer

DAY = 86_400
LIGHTHOUSE = (
    b"The lighthouse keeper on Skellig Rock logs every passing ship in a green ledger.\n"
    b"Storms in October flooded the lower stair twice.\n"
)
BAKERY = b"Marrowby bakery proofs its rye sourdough for eighteen hours before baking.\n"


@pytest.fixture(autouse=True)
def wire_vector_stores(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Vector-store responses are checked against the SDK's types like every other response."""
    for name, sdk_type in {
        "vector_store": VectorStore,
        "vector_store.deleted": VectorStoreDeleted,
        "vector_store.file": VectorStoreFile,
        "vector_store.file.deleted": VectorStoreFileDeleted,
        "vector_store.files_batch": VectorStoreFileBatch,
    }.items():
        monkeypatch.setitem(wire_check.SDK_TYPES, name, sdk_type)
    yield


def raw(api: ApiServer, key: str | None = None) -> httpx.AsyncClient:
    """Raw HTTP as project A (or `key`), with the headers the SDK sends."""
    headers = {"Authorization": f"Bearer {key or api.key_a}", "OpenAI-Beta": "assistants=v2"}
    return httpx.AsyncClient(base_url=api.base_url, headers=headers)


async def bad_request(call: Any, param: str | None = None) -> dict[str, Any]:
    """The error body of a call that must fail with a 400 (naming `param` if given)."""
    with pytest.raises(openai.BadRequestError) as error:
        await call
    body: dict[str, Any] = error.value.body  # type: ignore[assignment]
    assert body["type"] == "invalid_request_error"
    if param is not None:
        assert body["param"] == param, body
    return body


async def not_found(call: Any, message: str) -> None:
    with pytest.raises(openai.NotFoundError) as error:
        await call
    assert error.value.body["message"] == message
    assert error.value.body["type"] == "invalid_request_error"


async def stores_of(api: ApiServer, file_id: str) -> list[str]:
    """The ids of the project A stores `file_id` is attached to, read from the store."""
    return await api.store.vector_store_files.vector_store_ids_for_file(api.project_a, file_id)


async def upload(api: ApiServer, name: str, data: bytes, client: Any = None) -> str:
    file = await (client or api.client).files.create(file=(name, data), purpose="assistants")
    return file.id


async def test_create_empty_store_and_crud(api: ApiServer) -> None:
    before = int(time.time())
    store = await api.client.vector_stores.create(name="notes", metadata={"team": "a"})
    assert store.id.startswith("vs_") and store.object == "vector_store"
    assert (store.name, store.status, store.usage_bytes, store.metadata) == (
        "notes", "completed", 0, {"team": "a"},
    )  # fmt: skip
    assert store.file_counts.model_dump() == dict.fromkeys(
        ("cancelled", "completed", "failed", "in_progress", "total"), 0
    )
    assert store.created_at >= before and store.last_active_at == store.created_at
    assert (store.expires_after, store.expires_at) == (None, None)
    assert await api.client.vector_stores.retrieve(store.id) == store

    updated = await api.client.vector_stores.update(
        store.id, name="renamed", expires_after={"anchor": "last_active_at", "days": 3},
        metadata={"k": "v"},
    )  # fmt: skip
    assert (updated.name, updated.metadata) == ("renamed", {"k": "v"})
    assert updated.expires_after and updated.expires_after.days == 3
    assert updated.expires_at == store.created_at + 3 * DAY
    cleared = await api.client.vector_stores.update(store.id, expires_after=None)
    assert (cleared.expires_after, cleared.expires_at, cleared.name) == (None, None, "renamed")

    deleted = await api.client.vector_stores.delete(store.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (store.id, "vector_store.deleted", True)
    await not_found(
        api.client.vector_stores.retrieve(store.id), f"No vector store found with id '{store.id}'."
    )


async def test_expires_after_sets_expires_at_from_last_active(api: ApiServer) -> None:
    store = await api.client.vector_stores.create(
        expires_after={"anchor": "last_active_at", "days": 365}
    )
    assert store.name == ""
    assert store.expires_at == store.last_active_at + 365 * DAY  # type: ignore[operator]
    assert store.status == "completed"


async def test_an_expired_store_reads_expired(api: ApiServer) -> None:
    store = await api.client.vector_stores.create(
        expires_after={"anchor": "last_active_at", "days": 1}
    )
    stale = await api.store.vector_stores.get(api.project_a, store.id)
    long_ago = store.created_at - 2 * DAY
    await api.store.vector_stores.upsert(
        api.project_a, stale.model_copy(update={"last_active_at": long_ago})
    )
    expired = await api.client.vector_stores.retrieve(store.id)
    assert (expired.status, expired.expires_at) == ("expired", long_ago + DAY)


async def test_list_pages_newest_first(api: ApiServer) -> None:
    ids = [(await api.client.vector_stores.create(name=str(i))).id for i in range(3)]
    page = await api.client.vector_stores.list(limit=2)
    assert ([s.id for s in page.data], page.has_more) == (ids[:0:-1], True)
    assert [s.id async for s in api.client.vector_stores.list(limit=1)] == ids[::-1]
    ascending = await api.client.vector_stores.list(order="asc", after=ids[0])
    assert [s.id for s in ascending.data] == ids[1:]


async def test_create_with_files_ingests_them(api: ApiServer) -> None:
    one = await upload(api, "lighthouse.txt", LIGHTHOUSE)
    two = await upload(api, "bakery.md", BAKERY)
    store = await api.client.vector_stores.create(
        name="docs", file_ids=[one, two, one],
        chunking_strategy={"type": "static", "static": {"max_chunk_size_tokens": 100,
                                                        "chunk_overlap_tokens": 50}},
    )  # fmt: skip
    assert store.file_counts.total == 2
    assert store.file_counts.in_progress + store.file_counts.completed == 2
    files = [await api.client.vector_stores.files.poll(f, vector_store_id=store.id)
             for f in (one, two)]  # fmt: skip
    assert [f.status for f in files] == ["completed", "completed"]
    assert all(f.usage_bytes > 0 for f in files)
    static = files[0].chunking_strategy
    assert static is not None and static.type == "static"
    assert (static.static.max_chunk_size_tokens, static.static.chunk_overlap_tokens) == (100, 50)
    done = await api.client.vector_stores.retrieve(store.id)
    assert done.status == "completed"
    assert (done.file_counts.completed, done.file_counts.in_progress, done.file_counts.total) == (
        2, 0, 2,
    )  # fmt: skip
    assert done.usage_bytes == sum(f.usage_bytes for f in files)


async def test_create_validation_changes_nothing(api: ApiServer) -> None:
    create = api.client.vector_stores.create
    await bad_request(create(extra_body={"colour": "red"}), "colour")
    await bad_request(create(file_ids=["file-x"] * 501), "file_ids")
    days = {"anchor": "last_active_at", "days": 0}
    body = await bad_request(create(expires_after=days), "expires_after.days")  # type: ignore[arg-type]
    assert body["code"] == "integer_below_min_value"
    await bad_request(create(expires_after={"anchor": "last_active_at", "days": 366}))
    await bad_request(create(expires_after={"anchor": "created_at", "days": 1}))  # type: ignore[typeddict-item]
    await bad_request(create(name=3), "name")  # type: ignore[arg-type]
    await bad_request(create(metadata={str(i): "v" for i in range(17)}), "metadata")
    file_id = await upload(api, "a.txt", b"a")
    too_much_overlap = {
        "type": "static", "static": {"max_chunk_size_tokens": 200, "chunk_overlap_tokens": 101}
    }  # fmt: skip
    body = await bad_request(
        create(file_ids=[file_id], chunking_strategy=too_much_overlap),  # type: ignore[arg-type]
        "chunking_strategy.static.chunk_overlap_tokens",
    )
    assert "half" in body["message"]
    small = {"type": "static", "static": {"max_chunk_size_tokens": 99, "chunk_overlap_tokens": 0}}
    await bad_request(
        create(file_ids=[file_id], chunking_strategy=small),  # type: ignore[arg-type]
        "chunking_strategy.static.max_chunk_size_tokens",
    )
    await bad_request(create(chunking_strategy={"type": "fancy"}))  # type: ignore[arg-type]
    await not_found(
        create(file_ids=[file_id, "file-missing"]), "No file found with id 'file-missing'."
    )
    assert (await api.client.vector_stores.list()).data == []
    assert await stores_of(api, file_id) == []


async def test_bad_ids_and_unknown_stores(api: ApiServer) -> None:
    await bad_request(api.client.vector_stores.retrieve("store_1"), "vector_store_id")
    missing = "No vector store found with id 'vs_missing'."
    await not_found(api.client.vector_stores.retrieve("vs_missing"), missing)
    await not_found(api.client.vector_stores.update("vs_missing", name="x"), missing)
    await not_found(api.client.vector_stores.delete("vs_missing"), missing)
    await not_found(api.client.vector_stores.search("vs_missing", query="x"), missing)
    await not_found(api.client.vector_stores.files.list("vs_missing"), missing)


async def test_stores_are_per_project(api: ApiServer) -> None:
    mine = await api.client.vector_stores.create(name="A's", metadata={"k": "v"})
    b = api.other.vector_stores
    message = f"No vector store found with id '{mine.id}'."
    await not_found(b.retrieve(mine.id), message)
    await not_found(b.update(mine.id, name="stolen"), message)
    await not_found(b.delete(mine.id), message)
    await not_found(b.search(mine.id, query="x"), message)
    their_file = await upload(api, "b.txt", b"b", api.other)
    await not_found(b.files.create(vector_store_id=mine.id, file_id=their_file), message)
    await not_found(b.file_batches.create(mine.id, file_ids=[their_file]), message)
    assert (await b.list()).data == []
    # A's file is not B's to add either.
    theirs = await b.create()
    my_file = await upload(api, "a.txt", b"a")
    await not_found(
        b.files.create(vector_store_id=theirs.id, file_id=my_file),
        f"No file found with id '{my_file}'.",
    )
    assert await api.client.vector_stores.retrieve(mine.id) == mine


async def test_search_returns_the_matching_chunk(api: ApiServer) -> None:
    lighthouse = await upload(api, "lighthouse.txt", LIGHTHOUSE)
    bakery = await upload(api, "bakery.md", BAKERY)
    store = await api.client.vector_stores.create(name="docs")
    for file_id, kind in ((lighthouse, "log"), (bakery, "recipe")):
        added = await api.client.vector_stores.files.create_and_poll(
            file_id, vector_store_id=store.id, attributes={"kind": kind, "year": 1998}
        )
        assert added.status == "completed"
    page = await api.client.vector_stores.search(store.id, query="lighthouse keeper ledger")
    assert [r.file_id for r in page.data] == [lighthouse]
    hit = page.data[0]
    assert hit.filename == "lighthouse.txt" and 0 < hit.score <= 1
    assert hit.attributes == {"kind": "log", "year": 1998}
    assert "green ledger" in hit.content[0].text and hit.content[0].type == "text"

    both = await api.client.vector_stores.search(
        store.id, query=["sourdough rye", "storms stair"], max_num_results=1
    )
    assert len(both.data) == 1
    filtered = await api.client.vector_stores.search(
        store.id, query=["sourdough rye", "storms stair"],
        filters={"type": "eq", "key": "kind", "value": "log"},
    )  # fmt: skip
    assert [r.file_id for r in filtered.data] == [lighthouse]
    strict = await api.client.vector_stores.search(
        store.id, query="lighthouse", ranking_options={"ranker": "none", "score_threshold": 1.0}
    )
    assert strict.data == []


async def test_search_page_is_wire_exact(api: ApiServer) -> None:
    file_id = await upload(api, "bakery.md", BAKERY)
    store = await api.client.vector_stores.create()
    await api.client.vector_stores.files.create_and_poll(file_id, vector_store_id=store.id)
    async with raw(api) as http:
        response = await http.post(
            f"/vector_stores/{store.id}/search",
            json={"query": "rye sourdough", "rewrite_query": True},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"object", "search_query", "data", "has_more", "next_page"}
    assert body["object"] == "vector_store.search_results.page"
    assert (body["search_query"], body["has_more"], body["next_page"]) == (
        ["rye sourdough"], False, None,
    )  # fmt: skip
    for item in body["data"]:
        parsed = VectorStoreSearchResponse.model_validate(item)
        assert parsed.model_extra == {} and parsed.content[0].model_extra == {}


async def test_search_validation(api: ApiServer) -> None:
    store = await api.client.vector_stores.create()
    search = api.client.vector_stores.search
    await bad_request(search(store.id, query="x", max_num_results=0), "max_num_results")
    await bad_request(search(store.id, query="x", max_num_results=51), "max_num_results")
    await bad_request(search(store.id, query=[]), "query")
    await bad_request(search(store.id, query="  "), "query")
    ranker = {"ranker": "best"}
    await bad_request(search(store.id, query="x", ranking_options=ranker))  # type: ignore[arg-type]
    threshold = {"score_threshold": 1.5}
    await bad_request(search(store.id, query="x", ranking_options=threshold))  # type: ignore[arg-type]
    bad_filter = {"type": "eq", "key": "k"}
    body = await bad_request(search(store.id, query="x", filters=bad_filter))  # type: ignore[arg-type]
    assert body["param"].startswith("filters")
    await bad_request(search(store.id, query="x", extra_body={"top_k": 3}), "top_k")
