"""CRUD, idempotent upserts and project isolation, for every document repository."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from pydantic import BaseModel

from core.errors import ConflictError, NotFoundError
from core.store import ListParams, Store
from core.store.repository import DocumentRepository
from tests.store import factories as f

P1, P2 = "proj_one", "proj_two"


@dataclass(frozen=True)
class Case:
    """How to exercise one repository: build an object, scope lookups, change a field."""

    repo: str
    make: Callable[[], BaseModel]
    change: dict[str, Any]
    scope: dict[str, str] = field(default_factory=dict)


CASES = [
    Case("assistants", f.assistant, {"name": "renamed"}),
    Case("threads", f.thread, {"metadata": {"k": "v"}}),
    Case(
        "messages",
        lambda: f.message("thread_a"),
        {"status": "incomplete"},
        {"thread_id": "thread_a"},
    ),
    Case("runs", lambda: f.run("thread_a"), {"status": "in_progress"}, {"thread_id": "thread_a"}),
    Case(
        "run_steps",
        lambda: f.run_step("thread_a", "run_a"),
        {"status": "completed"},
        {"run_id": "run_a"},
    ),
    Case("files", f.file_object, {"filename": "renamed.txt"}),
    Case("vector_stores", f.vector_store, {"status": "in_progress"}),
    Case(
        "vector_store_files",
        lambda: f.vector_store_file("vs_a"),
        {"status": "completed"},
        {"vector_store_id": "vs_a"},
    ),
    Case(
        "file_batches",
        lambda: f.file_batch("vs_a"),
        {"status": "completed"},
        {"vector_store_id": "vs_a"},
    ),
]


@pytest.fixture(params=CASES, ids=[case.repo for case in CASES])
def case(request: pytest.FixtureRequest) -> Case:
    return request.param


def repo_of(store: Store, case: Case) -> DocumentRepository[Any]:
    repo: DocumentRepository[Any] = getattr(store, case.repo)
    return repo


async def test_upsert_then_get_round_trips(store: Store, case: Case) -> None:
    repo, obj = repo_of(store, case), case.make()
    assert await repo.upsert(P1, obj) == obj
    assert await repo.get(P1, obj.id, **case.scope) == obj
    assert await repo.find(P1, obj.id, **case.scope) == obj


async def test_upsert_is_idempotent_and_updates_in_place(store: Store, case: Case) -> None:
    """Re-upserting never duplicates, an update replaces the document and keeps its place."""
    repo = repo_of(store, case)
    first, second = case.make(), case.make()
    for obj in (first, second, first, first):
        await repo.upsert(P1, obj)
    changed = first.model_copy(update=case.change)
    await repo.upsert(P1, changed)

    page = await repo.list(P1, ListParams(order="asc"), **case.scope)
    assert [o.id for o in page.data] == [first.id, second.id]
    assert await repo.get(P1, first.id, **case.scope) == changed


async def test_delete(store: Store, case: Case) -> None:
    repo, obj = repo_of(store, case), case.make()
    await repo.upsert(P1, obj)
    assert await repo.delete(P1, obj.id, **case.scope) is True
    assert await repo.delete(P1, obj.id, **case.scope) is False
    assert await repo.find(P1, obj.id, **case.scope) is None
    with pytest.raises(NotFoundError) as raised:
        await repo.get(P1, obj.id, **case.scope)
    assert raised.value.message == f"No {repo.noun} found with id '{obj.id}'."
    assert raised.value.param == repo.param


async def test_other_projects_cannot_see_read_delete_or_overwrite(store: Store, case: Case) -> None:
    repo, obj = repo_of(store, case), case.make()
    await repo.upsert(P1, obj)

    assert await repo.find(P2, obj.id, **case.scope) is None
    with pytest.raises(NotFoundError):
        await repo.get(P2, obj.id, **case.scope)
    assert (await repo.list(P2, ListParams(), **case.scope)).data == []
    assert await repo.delete(P2, obj.id, **case.scope) is False
    with pytest.raises(ConflictError):
        await repo.upsert(P2, obj.model_copy(update=case.change))
    assert await repo.get(P1, obj.id, **case.scope) == obj


async def test_not_found_wording_matches_openai(store: Store) -> None:
    """SPEC §1.1: clients grep for "No thread found with id 'thread_x'."."""
    with pytest.raises(NotFoundError, match=r"^No thread found with id 'thread_x'\.$"):
        await store.threads.get(P1, "thread_x")
    with pytest.raises(NotFoundError, match=r"^No assistant found with id 'asst_x'\.$"):
        await store.assistants.get(P1, "asst_x")


async def test_scope_filters_lookups(store: Store) -> None:
    """A message looked up under the wrong thread does not exist."""
    msg = f.message("thread_a")
    await store.messages.upsert(P1, msg)
    assert await store.messages.find(P1, msg.id, thread_id="thread_b") is None
    assert await store.messages.delete(P1, msg.id, thread_id="thread_b") is False
    assert await store.messages.find(P1, msg.id) == msg


async def test_ping(store: Store) -> None:
    await store.ping()
