"""Files and vector stores: purpose and status filters, batches, counts, cascades."""

from __future__ import annotations

import pytest

from core.store import FileListParams, ListParams, Store
from core.store.chunks import ChunkRecord
from tests.store import factories as f

P = "proj"


async def test_files_list_by_purpose(store: Store) -> None:
    docs = [f.file_object(created_at=i, purpose="assistants") for i in range(3)]
    vision = f.file_object(created_at=5, purpose="vision")
    for obj in (*docs, vision):
        await store.files.upsert(P, obj)

    everything = await store.files.list_files(P)
    assert [x.id for x in everything.data] == [vision.id, *[d.id for d in reversed(docs)]]
    only = await store.files.list_files(P, FileListParams(order="asc"), purpose="assistants")
    assert [x.id for x in only.data] == [d.id for d in docs]
    paged = await store.files.list_files(P, FileListParams(limit=2), purpose="assistants")
    assert paged.has_more is True


async def test_vector_store_files_filter_by_status(store: Store) -> None:
    done = [f.vector_store_file("vs_a", created_at=i, status="completed") for i in range(3)]
    failed = f.vector_store_file("vs_a", created_at=9, status="failed")
    for obj in (*done, failed, f.vector_store_file("vs_b", status="completed")):
        await store.vector_store_files.upsert(P, obj)

    listed = await store.vector_store_files.list_for_store(P, "vs_a", ListParams(order="asc"))
    assert [x.id for x in listed.data] == [*[d.id for d in done], failed.id]
    completed = await store.vector_store_files.list_for_store(
        P, "vs_a", ListParams(order="asc"), status="completed"
    )
    assert [x.id for x in completed.data] == [d.id for d in done]
    counts = await store.vector_store_files.count_by_status(P, "vs_a")
    assert counts == {"completed": 3, "failed": 1}


async def test_same_file_in_two_vector_stores(store: Store) -> None:
    """A vector-store file's id is the File's id, so it repeats across stores."""
    in_a = f.vector_store_file("vs_a", id="file-shared")
    in_b = f.vector_store_file("vs_b", id="file-shared", status="completed")
    await store.vector_store_files.upsert(P, in_a)
    await store.vector_store_files.upsert(P, in_b)
    assert await store.vector_store_files.get(P, "file-shared", vector_store_id="vs_a") == in_a
    assert await store.vector_store_files.get(P, "file-shared", vector_store_id="vs_b") == in_b
    assert sorted(await store.vector_store_files.vector_store_ids_for_file(P, "file-shared")) == [
        "vs_a",
        "vs_b",
    ]
    with pytest.raises(TypeError):
        await store.vector_store_files.find(P, "file-shared")


async def test_batch_files(store: Store) -> None:
    batch = f.file_batch("vs_a")
    await store.file_batches.upsert(P, batch)
    in_batch = [f.vector_store_file("vs_a", created_at=i) for i in range(2)]
    for obj in in_batch:
        await store.vector_store_files.upsert(P, obj, batch_id=batch.id)
    alone = f.vector_store_file("vs_a")
    await store.vector_store_files.upsert(P, alone)
    # A later upsert without batch_id keeps the batch it came with.
    finished = in_batch[0].model_copy(update={"status": "completed"})
    await store.vector_store_files.upsert(P, finished)

    page = await store.vector_store_files.list_for_batch(
        P, "vs_a", batch.id, ListParams(order="asc")
    )
    assert [x.id for x in page.data] == [x.id for x in in_batch]
    done = await store.vector_store_files.list_for_batch(
        P, "vs_a", batch.id, ListParams(), status="completed"
    )
    assert [x.id for x in done.data] == [finished.id]
    counts = await store.vector_store_files.count_by_status(P, "vs_a", batch_id=batch.id)
    assert counts == {"completed": 1, "in_progress": 1}
    assert await store.file_batches.get(P, batch.id, vector_store_id="vs_a") == batch
    assert await store.file_batches.find(P, batch.id, vector_store_id="vs_b") is None


async def test_deleting_a_vector_store_deletes_its_files_and_batches(store: Store) -> None:
    doomed, kept = f.vector_store(), f.vector_store()
    for vs in (doomed, kept):
        await store.vector_stores.upsert(P, vs)
        await store.vector_store_files.upsert(P, f.vector_store_file(vs.id))
        await store.file_batches.upsert(P, f.file_batch(vs.id))

    assert await store.vector_stores.delete(P, doomed.id) is True
    assert (await store.vector_store_files.list_for_store(P, doomed.id, ListParams())).data == []
    assert (await store.file_batches.list(P, ListParams(), vector_store_id=doomed.id)).data == []
    assert len((await store.vector_store_files.list_for_store(P, kept.id, ListParams())).data) == 1
    assert len((await store.file_batches.list(P, ListParams(), vector_store_id=kept.id)).data) == 1
    assert await store.vector_stores.delete(P, doomed.id) is False


async def test_chunks_are_written_only_for_a_file_still_in_the_store(store: Store) -> None:
    """An ingestion finishing after its store was deleted leaves no chunks behind (the race
    seen when a batch re-ingested a file while the store was being deleted)."""
    vs = await store.vector_stores.upsert(P, f.vector_store())
    entry = f.vector_store_file(vs.id, status="in_progress")
    await store.vector_store_files.upsert(P, entry)
    chunk = ChunkRecord(0, "kept", 1, 0, 4)
    await store.chunks.replace_file(P, vs.id, entry.id, [chunk])
    assert [c.text for c in await store.chunks.file_chunks(P, vs.id, entry.id)] == ["kept"]

    assert await store.vector_stores.delete(P, vs.id)
    await store.chunks.delete_store(P, vs.id)
    await store.chunks.replace_file(P, vs.id, entry.id, [chunk])
    assert await store.chunks.file_chunks(P, vs.id, entry.id) == []
