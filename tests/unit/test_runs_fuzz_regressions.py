"""Regressions found by tests/reliability fuzzing: a refused run must write nothing.

`POST /threads/{id}/runs` attached its messages' files to the thread's vector store before the
runs client refused the run (busy thread, unknown assistant), leaving a store and its ingestion
behind a 400/404. The route now asks `RunsClient.check_thread_free` first; it must refuse exactly
when `create` would, orphaned locks included. (The HTTP cases live in
tests/reliability/test_bad_input.py::test_references_to_missing_or_busy_objects_write_nothing.)
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from core import ids
from core.errors import InvalidRequestError
from core.objects.assistant import Assistant
from core.objects.params import RunCreateParams
from core.objects.thread import Thread
from core.run_factory import new_run
from core.runs_client import RunsClient
from core.settings import Settings
from core.store import Store

PROJECT = "proj_fuzz"


async def _busy_thread(store: Store, status: str) -> tuple[str, str]:
    """A thread whose lock is held by a run in `status`: (thread id, run id)."""
    now = int(time.time())
    assistant = Assistant(id=ids.new_id("assistant"), created_at=now, model="gpt-4o-mini")
    thread = Thread(id=ids.new_id("thread"), created_at=now)
    await store.threads.upsert(PROJECT, thread)
    params = RunCreateParams(assistant_id=assistant.id)
    run = new_run(ids.new_id("run"), thread.id, assistant, params, now=now, expires_after_s=600)
    await store.runs.upsert(PROJECT, run.model_copy(update={"status": status}))
    assert await store.thread_locks.claim(PROJECT, thread.id, run.id) == run.id
    return thread.id, run.id


def _runs(store: Store, tmp_path: Path) -> RunsClient:
    # No Temporal: a free thread, a recent run and an ended one are decided from the store.
    return RunsClient(store, None, Settings(data_dir=tmp_path))  # type: ignore[arg-type]


async def test_a_thread_with_an_active_run_is_not_free(sqlite_store: Store, tmp_path: Path) -> None:
    thread_id, run_id = await _busy_thread(sqlite_store, "requires_action")
    with pytest.raises(InvalidRequestError) as refused:
        await _runs(sqlite_store, tmp_path).check_thread_free(PROJECT, thread_id)
    assert str(refused.value) == f"Thread {thread_id} already has an active run {run_id}."


async def test_a_lock_left_by_an_ended_run_is_free(sqlite_store: Store, tmp_path: Path) -> None:
    thread_id, _ = await _busy_thread(sqlite_store, "completed")
    await _runs(sqlite_store, tmp_path).check_thread_free(PROJECT, thread_id)


async def test_an_unlocked_thread_is_free(sqlite_store: Store, tmp_path: Path) -> None:
    await _runs(sqlite_store, tmp_path).check_thread_free(PROJECT, "thread_unlocked")
