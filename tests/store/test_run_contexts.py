"""Run contexts (one row per model call) and the paged, newest-first thread reads behind them."""

from __future__ import annotations

import pytest

from core.errors import ConflictError, NotFoundError
from core.objects.shared import Usage
from core.store import Store
from tests.store import factories as f

P = "proj"


async def test_upsert_is_keyed_by_step_and_a_retry_replaces_the_row(store: Store) -> None:
    """The generate activity writes before the call and again with usage; a retried call
    rewrites the same row instead of adding one."""
    first = f.run_context("thread_1", "run_1", step_id="step_a", created_at=10)
    second = f.run_context("thread_1", "run_1", step_id="step_b", created_at=11)
    for record in (first, second):
        await store.run_contexts.upsert(P, record)
    used = Usage(prompt_tokens=40, completion_tokens=7, total_tokens=47)
    await store.run_contexts.upsert(P, first.model_copy(update={"usage": used}))

    listed = await store.run_contexts.for_run(P, "run_1")

    assert [c.step_id for c in listed] == ["step_a", "step_b"]
    assert listed[0].usage == used and listed[1].usage is None
    assert await store.run_contexts.get(P, "step_a") == listed[0]


async def test_contexts_are_project_scoped(store: Store) -> None:
    record = f.run_context("thread_1", "run_1", step_id="step_a")
    await store.run_contexts.upsert(P, record)
    assert await store.run_contexts.for_run("other", "run_1") == []
    with pytest.raises(NotFoundError, match="No run context found with id 'step_a'"):
        await store.run_contexts.get("other", "step_a")
    with pytest.raises(ConflictError):
        await store.run_contexts.upsert("other", record)


async def test_deleting_the_thread_deletes_its_runs_contexts(store: Store) -> None:
    thread = f.thread()
    run = f.run(thread.id)
    await store.threads.upsert(P, thread)
    await store.runs.upsert(P, run)
    await store.run_contexts.upsert(P, f.run_context(thread.id, run.id))
    await store.run_contexts.upsert(P, f.run_context("thread_kept", "run_kept"))

    assert await store.threads.delete(P, thread.id)

    assert await store.run_contexts.for_run(P, run.id) == []
    assert len(await store.run_contexts.for_run(P, "run_kept")) == 1


async def _seed_thread(store: Store, count: int) -> list[str]:
    """`count` messages, three per second (ties on created_at are broken by insertion order)."""
    ids = []
    for i in range(count):
        role = "user" if i % 4 == 3 else "assistant"
        message = f.message("thread_1", created_at=1_000 + i // 3, role=role)
        await store.messages.upsert(P, message)
        ids.append(message.id)
    await store.messages.upsert(P, f.message("thread_other", created_at=5_000))
    return ids


async def test_older_pages_walk_the_thread_newest_first_without_gaps(store: Store) -> None:
    ids = await _seed_thread(store, 23)
    seen: list[str] = []
    pages, cursor = 0, None
    while True:
        page, cursor = await store.messages.older_page(P, "thread_1", cursor, 5)
        seen += [m.id for m in page]
        pages += 1
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    assert pages == 5


async def test_a_page_that_ends_the_thread_says_so(store: Store) -> None:
    ids = await _seed_thread(store, 10)
    page, cursor = await store.messages.older_page(P, "thread_1", None, 10)
    assert [m.id for m in page] == list(reversed(ids)) and cursor is None
    assert await store.messages.older_page(P, "empty", None, 10) == ([], None)
    assert await store.messages.older_page("other", "thread_1", None, 10) == ([], None)


async def test_the_opening_user_message_is_looked_for_in_the_first_messages_only(
    store: Store,
) -> None:
    ids = await _seed_thread(store, 12)
    opening = await store.messages.opening_user_message(P, "thread_1", 16)
    assert opening is not None and opening.id == ids[3]
    assert await store.messages.opening_user_message(P, "thread_1", 3) is None
    history = store.messages.history(P, "thread_1")
    assert (await history.opening_user_message(16)) == opening
    assert (await history.older_page(None, 2))[0][0].id == ids[-1]
