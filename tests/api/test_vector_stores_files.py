"""/v1/vector_stores/{id}/files and /file_batches through the official SDK: attach and poll,
attributes, content, detach, batch counts and cancel, and what deleting a store or a File does."""

from __future__ import annotations

import io

from core.objects.params_vector_stores import FileBatchCreateParams
from core.vector_stores import VectorStoreService
from tests.api.conftest import ApiServer
from tests.api.test_vector_stores import (
    BAKERY,
    LIGHTHOUSE,
    bad_request,
    not_found,
    raw,
    stores_of,
    upload,
    wire_vector_stores,
)
from workflows.ingest_types import IngestFileInput

__all__ = ["wire_vector_stores"]  # the autouse fixture, for this module too

LONG = " ".join(f"word{i}" for i in range(600)).encode()


async def test_create_and_poll_then_retrieve_list_and_update(api: ApiServer) -> None:
    file_id = await upload(api, "lighthouse.txt", LIGHTHOUSE)
    store = await api.client.vector_stores.create()
    files = api.client.vector_stores.files
    added = await files.create_and_poll(
        file_id, vector_store_id=store.id, attributes={"kind": "log", "public": True}
    )
    assert (added.id, added.vector_store_id, added.status, added.last_error) == (
        file_id, store.id, "completed", None,
    )  # fmt: skip
    assert added.attributes == {"kind": "log", "public": True}
    assert added.chunking_strategy and added.chunking_strategy.type == "static"
    assert added.chunking_strategy.static.max_chunk_size_tokens == 800
    assert await files.retrieve(file_id, vector_store_id=store.id) == added
    async with raw(api) as http:
        response = await http.get(f"/vector_stores/{store.id}/files/{file_id}")
    assert response.headers["openai-poll-after-ms"] == "200"

    updated = await files.update(file_id, vector_store_id=store.id, attributes={"n": 2.5})
    assert updated.attributes == {"n": 2.5} and updated.status == "completed"
    cleared = await files.update(file_id, vector_store_id=store.id, attributes=None)
    assert cleared.attributes is None
    listed = await files.list(vector_store_id=store.id)
    assert [f.id for f in listed.data] == [file_id]
    assert (await files.list(vector_store_id=store.id, filter="failed")).data == []
    done = await files.list(vector_store_id=store.id, filter="completed")
    assert [f.id for f in done.data] == [file_id]


async def test_upload_and_poll_and_content(api: ApiServer) -> None:
    store = await api.client.vector_stores.create()
    files = api.client.vector_stores.files
    added = await files.upload_and_poll(
        vector_store_id=store.id,
        file=("long.txt", io.BytesIO(LONG)),
        chunking_strategy={
            "type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 40}
        },
    )  # fmt: skip
    assert added.status == "completed"
    chunks = await api.store.chunks.file_chunks(api.project_a, store.id, added.id)
    assert len(chunks) > 5  # overlapping windows...
    content = [part async for part in files.content(added.id, vector_store_id=store.id)]
    # ...yet the content is the file's text once, without the overlaps.
    assert [(c.type, c.text) for c in content] == [("text", LONG.decode())]
    async with raw(api) as http:
        body = (await http.get(f"/vector_stores/{store.id}/files/{added.id}/content")).json()
    assert set(body) == {"object", "data", "has_more", "next_page"}
    assert (body["object"], body["has_more"], body["next_page"]) == (
        "vector_store.file_content.page", False, None,
    )  # fmt: skip


async def test_a_file_that_cannot_be_read_fails(api: ApiServer) -> None:
    file_id = await upload(api, "blob.bin", bytes(range(256)) * 4)
    store = await api.client.vector_stores.create()
    failed = await api.client.vector_stores.files.create_and_poll(file_id, vector_store_id=store.id)
    assert failed.status == "failed" and failed.last_error is not None
    assert failed.last_error.code in {"unsupported_file", "invalid_file"}
    retrieved = await api.client.vector_stores.retrieve(store.id)
    assert retrieved.file_counts.model_dump() == {
        "cancelled": 0, "completed": 0, "failed": 1, "in_progress": 0, "total": 1,
    }  # fmt: skip
    assert retrieved.status == "completed"


async def test_file_validation_changes_nothing(api: ApiServer) -> None:
    file_id = await upload(api, "a.txt", b"alpha")
    store = await api.client.vector_stores.create()
    create = api.client.vector_stores.files.create
    await bad_request(create(vector_store_id=store.id, file_id=file_id, extra_body={"x": 1}), "x")
    too_many = {str(i): i for i in range(17)}
    body = await bad_request(
        create(vector_store_id=store.id, file_id=file_id, attributes=too_many), "attributes"
    )
    assert body["code"] == "object_above_max_properties"
    body = await bad_request(
        create(vector_store_id=store.id, file_id=file_id, attributes={"k": "v" * 513}),
        "attributes",
    )
    assert body["code"] == "string_above_max_length"
    body = await bad_request(
        create(vector_store_id=store.id, file_id=file_id, attributes={"k" * 65: 1}), "attributes"
    )
    assert body["code"] == "property_name_above_max_length"
    nested = {"k": ["not", "scalar"]}
    await bad_request(create(vector_store_id=store.id, file_id=file_id, attributes=nested))  # type: ignore[dict-item]
    for missing in ("file-missing", "nope"):
        await not_found(
            create(vector_store_id=store.id, file_id=missing),
            f"No file found with id '{missing}'.",
        )
    await bad_request(
        api.client.vector_stores.files.update(file_id, vector_store_id=store.id, attributes=[]),  # type: ignore[arg-type]
        "attributes",
    )
    async with raw(api) as http:
        missing = await http.post(f"/vector_stores/{store.id}/files/{file_id}", json={})
        bad_filter = await http.get(f"/vector_stores/{store.id}/files?filter=done")
    assert missing.status_code == 400 and missing.json()["error"]["param"] == "attributes"
    assert bad_filter.status_code == 400 and bad_filter.json()["error"]["param"] == "filter"
    assert (await api.client.vector_stores.files.list(vector_store_id=store.id)).data == []
    await not_found(
        api.client.vector_stores.files.retrieve(file_id, vector_store_id=store.id),
        f"No vector store file found with id '{file_id}'.",
    )


async def test_delete_vector_store_file_keeps_the_file(api: ApiServer) -> None:
    file_id = await upload(api, "bakery.md", BAKERY)
    store = await api.client.vector_stores.create(file_ids=[file_id])
    await api.client.vector_stores.files.poll(file_id, vector_store_id=store.id)
    deleted = await api.client.vector_stores.files.delete(file_id, vector_store_id=store.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (
        file_id, "vector_store.file.deleted", True,
    )  # fmt: skip
    assert await api.store.chunks.file_chunks(api.project_a, store.id, file_id) == []
    assert (await api.client.files.retrieve(file_id)).id == file_id
    after = await api.client.vector_stores.retrieve(store.id)
    assert (after.file_counts.total, after.usage_bytes) == (0, 0)
    assert (await api.client.vector_stores.search(store.id, query="sourdough")).data == []
    await not_found(
        api.client.vector_stores.files.delete(file_id, vector_store_id=store.id),
        f"No vector store file found with id '{file_id}'.",
    )


async def test_deleting_a_file_detaches_it_from_every_store(api: ApiServer) -> None:
    file_id = await upload(api, "bakery.md", BAKERY)
    kept = await upload(api, "lighthouse.txt", LIGHTHOUSE)
    first = await api.client.vector_stores.create(file_ids=[file_id, kept])
    second = await api.client.vector_stores.create(file_ids=[file_id])
    for store, file in ((first, file_id), (first, kept), (second, file_id)):
        await api.client.vector_stores.files.poll(file, vector_store_id=store.id)
    await api.client.files.delete(file_id)
    for store in (first, second):
        listed = await api.client.vector_stores.files.list(vector_store_id=store.id)
        assert file_id not in [f.id for f in listed.data]
        assert await api.store.chunks.file_chunks(api.project_a, store.id, file_id) == []
    assert (await api.client.vector_stores.retrieve(first.id)).file_counts.total == 1
    assert (await api.client.vector_stores.retrieve(second.id)).file_counts.total == 0
    assert await api.store.chunks.file_chunks(api.project_a, first.id, kept) != []


async def test_deleting_a_store_deletes_its_files_and_chunks(api: ApiServer) -> None:
    file_id = await upload(api, "bakery.md", BAKERY)
    store = await api.client.vector_stores.create(file_ids=[file_id])
    await api.client.vector_stores.files.poll(file_id, vector_store_id=store.id)
    batch = await api.client.vector_stores.file_batches.create(store.id, file_ids=[file_id])
    await api.client.vector_stores.delete(store.id)
    assert await api.store.chunks.file_chunks(api.project_a, store.id, file_id) == []
    assert await stores_of(api, file_id) == []
    assert await api.store.file_batches.find(api.project_a, batch.id) is None
    assert (await api.client.files.retrieve(file_id)).id == file_id


async def test_batch_create_and_poll_counts_exactly(api: ApiServer) -> None:
    good = [await upload(api, f"{i}.txt", LIGHTHOUSE + str(i).encode()) for i in range(3)]
    bad = await upload(api, "blob.bin", bytes(range(256)) * 4)
    store = await api.client.vector_stores.create()
    batches = api.client.vector_stores.file_batches
    batch = await batches.create_and_poll(
        store.id, file_ids=[*good, bad], attributes={"source": "batch"}
    )
    assert batch.id.startswith("vsfb_") and batch.object == "vector_store.files_batch"
    assert (batch.status, batch.vector_store_id) == ("completed", store.id)
    assert batch.file_counts.model_dump() == {
        "cancelled": 0, "completed": 3, "failed": 1, "in_progress": 0, "total": 4,
    }  # fmt: skip
    async with raw(api) as http:
        response = await http.get(f"/vector_stores/{store.id}/file_batches/{batch.id}")
    assert response.headers["openai-poll-after-ms"] == "200"
    listed = [f async for f in batches.list_files(batch.id, vector_store_id=store.id, limit=2)]
    assert sorted(f.id for f in listed) == sorted([*good, bad])
    assert {f.attributes["source"] for f in listed if f.attributes} == {"batch"}
    failed = await batches.list_files(batch.id, vector_store_id=store.id, filter="failed")
    assert [f.id for f in failed.data] == [bad]
    assert (await api.client.vector_stores.retrieve(store.id)).file_counts.total == 4
    cancel = batches.cancel(batch.id, vector_store_id=store.id)
    body = await bad_request(cancel)
    assert body["message"] == "Cannot cancel file batch with status 'completed'."


async def test_batch_with_per_file_options(api: ApiServer) -> None:
    one, two = await upload(api, "1.txt", BAKERY), await upload(api, "2.txt", LIGHTHOUSE)
    store = await api.client.vector_stores.create()
    batch = await api.client.vector_stores.file_batches.create_and_poll(
        store.id,
        files=[
            {"file_id": one, "attributes": {"n": 1}},
            {"file_id": two, "chunking_strategy": {
                "type": "static", "static": {"max_chunk_size_tokens": 200,
                                             "chunk_overlap_tokens": 0}}},
        ],
    )  # fmt: skip
    assert batch.file_counts.completed == 2
    first = await api.client.vector_stores.files.retrieve(one, vector_store_id=store.id)
    second = await api.client.vector_stores.files.retrieve(two, vector_store_id=store.id)
    assert (first.attributes, second.attributes) == ({"n": 1}, None)
    assert second.chunking_strategy and second.chunking_strategy.type == "static"
    assert second.chunking_strategy.static.max_chunk_size_tokens == 200


async def test_upload_and_poll_batch(api: ApiServer) -> None:
    store = await api.client.vector_stores.create()
    existing = await upload(api, "0.txt", BAKERY)
    batch = await api.client.vector_stores.file_batches.upload_and_poll(
        store.id,
        files=[("1.txt", io.BytesIO(LIGHTHOUSE)), ("2.md", io.BytesIO(b"# Title\nbody\n"))],
        file_ids=[existing],
    )
    assert batch.file_counts.model_dump() == {
        "cancelled": 0, "completed": 3, "failed": 0, "in_progress": 0, "total": 3,
    }  # fmt: skip


async def test_batch_validation_changes_nothing(api: ApiServer) -> None:
    file_id = await upload(api, "a.txt", b"a")
    store = await api.client.vector_stores.create()
    create = api.client.vector_stores.file_batches.create
    both = await bad_request(
        create(store.id, file_ids=[file_id], files=[{"file_id": file_id}]), "files"
    )
    assert "mutually exclusive" in both["message"]
    await bad_request(create(store.id), "files")
    await bad_request(create(store.id, file_ids=[]), "file_ids")
    await bad_request(create(store.id, file_ids=["file-x"] * 2001), "file_ids")
    await bad_request(create(store.id, files=[{"file_id": file_id}] * 2001), "files")
    await bad_request(
        create(store.id, files=[{"file_id": file_id, "attributes": {"k": None}}]),  # type: ignore[dict-item]
    )
    await bad_request(create(store.id, file_ids=[file_id], extra_body={"priority": 1}), "priority")
    await not_found(
        create(store.id, files=[{"file_id": file_id}, {"file_id": "file-gone"}]),
        "No file found with id 'file-gone'.",
    )
    await not_found(
        create("vs_missing", file_ids=[file_id]), "No vector store found with id 'vs_missing'."
    )
    assert (await api.client.vector_stores.files.list(vector_store_id=store.id)).data == []
    batches = api.client.vector_stores.file_batches
    await bad_request(batches.retrieve("batch_1", vector_store_id=store.id), "batch_id")
    await not_found(
        batches.retrieve("vsfb_missing", vector_store_id=store.id),
        "No file batch found with id 'vsfb_missing'.",
    )


class HeldIngestion:
    """An `Ingestion` that never ingests: files it is asked to start stay in progress."""

    def __init__(self) -> None:
        self.started: list[str] = []

    async def start(self, input: IngestFileInput) -> None:
        self.started.append(input.file_id)

    async def cancel(self, vector_store_id: str, file_id: str) -> None:
        raise AssertionError("the API's service cancels, not this one")


async def test_cancel_batch_cancels_files_in_progress(api: ApiServer) -> None:
    """The batch is created beside the API with ingestion held back, so its files are still in
    progress when the API cancels it."""
    held = HeldIngestion()
    ids = [await upload(api, f"{i}.txt", BAKERY) for i in range(3)]
    store = await api.client.vector_stores.create()
    beside = VectorStoreService(api.store, held)
    created = await beside.batches.create(
        api.project_a, store.id, FileBatchCreateParams(file_ids=ids)
    )
    assert sorted(held.started) == sorted(ids)
    batches = api.client.vector_stores.file_batches
    batch = await batches.retrieve(created.id, vector_store_id=store.id)
    assert (batch.status, batch.file_counts.in_progress) == ("in_progress", 3)
    assert (await api.client.vector_stores.retrieve(store.id)).status == "in_progress"
    cancelled = await batches.cancel(batch.id, vector_store_id=store.id)
    assert cancelled.status == "cancelled"
    assert cancelled.file_counts.model_dump() == {
        "cancelled": 3, "completed": 0, "failed": 0, "in_progress": 0, "total": 3,
    }  # fmt: skip
    assert (await api.client.vector_stores.retrieve(store.id)).status == "completed"
    body = await bad_request(batches.cancel(batch.id, vector_store_id=store.id))
    assert body["message"] == "Cannot cancel file batch with status 'cancelled'."
    # Re-adding a cancelled file ingests it again (and it leaves the batch).
    again = await api.client.vector_stores.files.create_and_poll(ids[0], vector_store_id=store.id)
    assert again.status == "completed"
    after = await batches.retrieve(batch.id, vector_store_id=store.id)
    assert (after.status, after.file_counts.total) == ("cancelled", 2)


async def test_cancelling_a_real_ingestion(api: ApiServer) -> None:
    """A batch cancelled at once ends with nothing in progress, whatever raced it, and what its
    cancelled files had ingested is neither shown nor searched."""
    ids = [await upload(api, f"{i}.txt", LONG * 20) for i in range(4)]
    store = await api.client.vector_stores.create()
    batches = api.client.vector_stores.file_batches
    batch = await batches.create(store.id, file_ids=ids)
    cancelled = await batches.cancel(batch.id, vector_store_id=store.id)
    assert cancelled.status == "cancelled" and cancelled.file_counts.in_progress == 0
    assert cancelled.file_counts.cancelled + cancelled.file_counts.completed == 4
    files = api.client.vector_stores.files
    statuses = {
        file_id: (await files.retrieve(file_id, vector_store_id=store.id)).status for file_id in ids
    }
    found = await api.client.vector_stores.search(store.id, query="word7", max_num_results=50)
    searched = {f for f, status in statuses.items() if status != "cancelled"}
    assert {hit.file_id for hit in found.data} <= searched
    for file_id, status in statuses.items():
        content = [part async for part in files.content(file_id, vector_store_id=store.id)]
        assert (content == []) == (status == "cancelled")
