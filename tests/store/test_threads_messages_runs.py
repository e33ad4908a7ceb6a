"""Aggregate queries: messages by run and newest-first, the active run, the thread cascade."""

from __future__ import annotations

import asyncio

import pytest

from core.store import ACTIVE_RUN_STATUSES, ListParams, Store
from tests.store import factories as f

P = "proj"


async def test_messages_filter_by_run(store: Store) -> None:
    thread = f.thread()
    await store.threads.upsert(P, thread)
    user = f.message(thread.id, created_at=1)
    by_run_a = f.message(thread.id, created_at=2, role="assistant", run_id="run_a")
    by_run_b = f.message(thread.id, created_at=3, role="assistant", run_id="run_b")
    for msg in (user, by_run_a, by_run_b):
        await store.messages.upsert(P, msg)

    everything = await store.messages.list_for_thread(P, thread.id, ListParams(order="asc"))
    assert [m.id for m in everything.data] == [user.id, by_run_a.id, by_run_b.id]
    only_a = await store.messages.list_for_thread(P, thread.id, ListParams(), run_id="run_a")
    assert [m.id for m in only_a.data] == [by_run_a.id]
    assert (await store.messages.list_for_thread(P, "thread_other", ListParams())).data == []


async def test_message_count_and_latest(store: Store) -> None:
    msgs = [f.message("thread_a", created_at=100 + i // 3) for i in range(12)]  # with ties
    for msg in msgs:
        await store.messages.upsert(P, msg)
    await store.messages.upsert(P, f.message("thread_b"))
    await store.messages.upsert("proj_else", f.message("thread_a"))

    assert await store.messages.count(P, "thread_a") == 12
    assert await store.messages.count(P, "thread_none") == 0
    assert [m.id for m in await store.messages.latest(P, "thread_a", 5)] == [
        m.id for m in msgs[-5:]
    ]
    assert [m.id for m in await store.messages.latest(P, "thread_a", 50)] == [m.id for m in msgs]
    assert await store.messages.latest(P, "thread_none", 5) == []


async def test_active_run_for_thread(store: Store) -> None:
    assert await store.runs.active_for_thread(P, "thread_a") is None
    done = f.run("thread_a", created_at=1, status="completed")
    await store.runs.upsert(P, done)
    await store.runs.upsert(P, f.run("thread_b", status="queued"))
    await store.runs.upsert("proj_else", f.run("thread_a", status="queued"))
    assert await store.runs.active_for_thread(P, "thread_a") is None

    active = f.run("thread_a", created_at=2, status="queued")
    await store.runs.upsert(P, active)
    for status in ACTIVE_RUN_STATUSES:
        active = active.model_copy(update={"status": status})
        await store.runs.upsert(P, active)
        assert await store.runs.active_for_thread(P, "thread_a") == active
    await store.runs.upsert(P, active.model_copy(update={"status": "cancelled"}))
    assert await store.runs.active_for_thread(P, "thread_a") is None


@pytest.mark.parametrize("status", ["completed", "failed", "cancelled", "expired", "incomplete"])
async def test_terminal_runs_do_not_lock(store: Store, status: str) -> None:
    await store.runs.upsert(P, f.run("thread_a", status=status))
    assert await store.runs.active_for_thread(P, "thread_a") is None


async def test_runs_and_steps_list_by_parent(store: Store) -> None:
    runs = [f.run("thread_a", created_at=i) for i in range(3)]
    for run in runs:
        await store.runs.upsert(P, run)
    await store.runs.upsert(P, f.run("thread_b"))
    listed = await store.runs.list_for_thread(P, "thread_a", ListParams())
    assert [r.id for r in listed.data] == [r.id for r in reversed(runs)]

    steps = [f.run_step("thread_a", runs[0].id, created_at=i) for i in range(3)]
    for step in steps:
        await store.run_steps.upsert(P, step)
    await store.run_steps.upsert(P, f.run_step("thread_a", runs[1].id))
    page = await store.run_steps.list_for_run(P, runs[0].id, ListParams(order="asc"))
    assert [s.id for s in page.data] == [s.id for s in steps]
    wrong_thread = await store.run_steps.list_for_run(
        P, runs[0].id, ListParams(), thread_id="thread_b"
    )
    assert wrong_thread.data == []


async def test_deleting_a_thread_deletes_what_lives_in_it(store: Store) -> None:
    keep, doomed = f.thread(), f.thread()
    for thread in (keep, doomed):
        await store.threads.upsert(P, thread)
        run = f.run(thread.id)
        await store.runs.upsert(P, run)
        await store.run_steps.upsert(P, f.run_step(thread.id, run.id))
        await store.messages.upsert(P, f.message(thread.id, run_id=run.id))
        await store.run_events.append(run.id, "thread.run.created", {"id": run.id})
    doomed_run = (await store.runs.list_for_thread(P, doomed.id, ListParams())).data[0]

    assert await store.threads.delete(P, doomed.id) is True
    assert await store.threads.find(P, doomed.id) is None
    assert await store.messages.count(P, doomed.id) == 0
    assert (await store.runs.list_for_thread(P, doomed.id, ListParams())).data == []
    assert (await store.run_steps.list_for_run(P, doomed_run.id, ListParams())).data == []
    assert await store.run_events.last_seq(doomed_run.id) == 0

    kept_run = (await store.runs.list_for_thread(P, keep.id, ListParams())).data[0]
    assert await store.messages.count(P, keep.id) == 1
    assert len((await store.run_steps.list_for_run(P, kept_run.id, ListParams())).data) == 1
    assert await store.run_events.last_seq(kept_run.id) == 1
    assert await store.threads.delete(P, doomed.id) is False


async def test_deleting_another_projects_thread_deletes_nothing(store: Store) -> None:
    thread = f.thread()
    await store.threads.upsert(P, thread)
    await store.messages.upsert(P, f.message(thread.id))
    assert await store.threads.delete("proj_else", thread.id) is False
    assert await store.messages.count(P, thread.id) == 1


async def test_open_and_finished_objects_of_a_run(store: Store) -> None:
    """What a run leaves open (to close when it ends) and the tool steps that fed the model."""
    writing = f.message("thread_a", run_id="run_a", role="assistant", status="in_progress")
    done = f.message("thread_a", run_id="run_a", role="assistant")
    for msg in (writing, done, f.message("thread_a", run_id="run_b", status="in_progress")):
        await store.messages.upsert(P, msg)
    assert await store.messages.open_for_run(P, "run_a") == [writing]

    tools_done = f.run_step("thread_a", "run_a", created_at=1, tool_calls=True, status="completed")
    tools_open = f.run_step("thread_a", "run_a", created_at=2, tool_calls=True)
    creation = f.run_step("thread_a", "run_a", created_at=3, status="completed")
    for step in (creation, tools_open, tools_done, f.run_step("thread_a", "run_b")):
        await store.run_steps.upsert(P, step)
    assert await store.run_steps.for_run(P, "run_a") == [tools_done, tools_open, creation]
    assert await store.run_steps.open_for_run(P, "run_a") == [tools_open]
    assert await store.run_steps.completed_tool_steps(P, "run_a") == [tools_done]
    assert await store.run_steps.for_run("proj_else", "run_a") == []


async def test_thread_lock_admits_one_run(store: Store) -> None:
    locks = store.thread_locks
    assert await locks.holder("thread_a") is None
    assert await locks.claim(P, "thread_a", "run_1") == "run_1"
    assert await locks.claim(P, "thread_a", "run_1") == "run_1"  # idempotent
    assert await locks.claim(P, "thread_a", "run_2") == "run_1"
    assert await locks.claim(P, "thread_b", "run_3") == "run_3"
    assert await locks.release("thread_a", "run_2") is False  # not the holder
    assert await locks.release("thread_a", "run_1") is True
    assert await locks.release("thread_a", "run_1") is False
    assert await locks.claim(P, "thread_a", "run_2") == "run_2"


async def test_concurrent_claims_have_one_winner(store: Store) -> None:
    claims = [store.thread_locks.claim(P, "thread_a", f"run_{i}") for i in range(10)]
    holders = set(await asyncio.gather(*claims))
    assert len(holders) == 1
    assert await store.thread_locks.holder("thread_a") in holders


async def test_deleting_a_thread_releases_its_lock(store: Store) -> None:
    thread = f.thread()
    await store.threads.upsert(P, thread)
    await store.thread_locks.claim(P, thread.id, "run_1")
    await store.threads.delete(P, thread.id)
    assert await store.thread_locks.holder(thread.id) is None


async def test_concurrent_modifies_keep_both_changes(store: Store) -> None:
    """The workflow moves a run's status while the client replaces its metadata: with the atomic
    read-modify-write neither change undoes the other (a plain read-then-upsert would)."""
    run = await store.runs.upsert(P, f.run("thread_a"))

    async def set_status(_: int) -> None:
        def change(latest: object) -> object:
            return latest.model_copy(update={"status": "in_progress"})  # type: ignore[attr-defined]

        await store.runs.modify(P, run.id, change)  # type: ignore[arg-type]

    async def set_metadata(i: int) -> None:
        await store.runs.modify(
            P, run.id, lambda latest: latest.model_copy(update={"metadata": {"k": str(i)}})
        )

    await asyncio.gather(*(set_status(i) for i in range(5)), *(set_metadata(i) for i in range(5)))
    stored = await store.runs.get(P, run.id)
    assert stored.status == "in_progress"
    assert stored.metadata.get("k") in {str(i) for i in range(5)}
    with pytest.raises(Exception, match="No run found"):
        await store.runs.modify(P, "run_missing", lambda latest: latest)
