"""Cursor pagination (SPEC §1.2): defaults, limits, orders, cursors, and ties on created_at."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from core.errors import InvalidRequestError
from core.objects.message import Message
from core.store import FileListParams, ListParams, Store
from tests.store import factories as f

P = "proj"
THREAD = "thread_p"


async def seed(store: Store, n: int, *, created_at: int | None = None) -> list[str]:
    """`n` messages in THREAD, oldest first; distinct timestamps unless `created_at` is given."""
    ids = []
    for i in range(n):
        msg = f.message(THREAD, created_at=created_at if created_at is not None else 1000 + i)
        await store.messages.upsert(P, msg)
        ids.append(msg.id)
    return ids


async def page(store: Store, **params: object) -> tuple[list[str], bool]:
    result = await store.messages.list_for_thread(P, THREAD, ListParams.model_validate(params))
    ids = [m.id for m in result.data]
    assert result.first_id == (ids[0] if ids else None)
    assert result.last_id == (ids[-1] if ids else None)
    return ids, result.has_more


def test_list_params_defaults_and_bounds() -> None:
    assert ListParams() == ListParams(limit=20, order="desc", after=None, before=None)
    assert ListParams(limit=100).limit == 100
    for bad in (0, 101):
        with pytest.raises(ValidationError):
            ListParams(limit=bad)
    with pytest.raises(ValidationError):
        ListParams.model_validate({"order": "sideways"})
    assert FileListParams().limit == 10_000


async def test_default_page_is_newest_20(store: Store) -> None:
    ids = await seed(store, 25)
    got, has_more = await page(store)
    assert got == ids[::-1][:20]
    assert has_more is True


async def test_limit_and_orders(store: Store) -> None:
    ids = await seed(store, 5)
    assert await page(store, limit=5, order="asc") == (ids, False)
    assert await page(store, limit=4, order="asc") == (ids[:4], True)
    assert await page(store, limit=100, order="desc") == (ids[::-1], False)


async def test_empty_list(store: Store) -> None:
    assert await page(store) == ([], False)


async def test_after_and_before_are_relative_to_the_order(store: Store) -> None:
    ids = await seed(store, 10)  # ids[0] oldest
    assert await page(store, order="asc", after=ids[3], limit=3) == (ids[4:7], True)
    assert await page(store, order="asc", after=ids[6], limit=3) == (ids[7:10], False)
    assert await page(store, order="desc", after=ids[6], limit=3) == (
        [ids[5], ids[4], ids[3]],
        True,
    )
    assert await page(store, order="desc", after=ids[2], limit=3) == ([ids[1], ids[0]], False)
    # `before`: the items just before the cursor, still in the requested order; has_more tells
    # whether more lie beyond the page in the backwards direction.
    assert await page(store, order="asc", before=ids[6], limit=3) == (ids[3:6], True)
    assert await page(store, order="asc", before=ids[3], limit=3) == (ids[0:3], False)
    assert await page(store, order="desc", before=ids[3], limit=3) == (
        [ids[6], ids[5], ids[4]],
        True,
    )
    assert await page(store, order="desc", before=ids[6], limit=5) == (
        [ids[9], ids[8], ids[7]],
        False,
    )
    # Both: the items strictly between the cursors.
    assert await page(store, order="asc", after=ids[1], before=ids[5]) == (ids[2:5], False)


@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_ties_on_created_at_never_skip_or_repeat(store: Store, order: str) -> None:
    """50 items in the same second, paged by 7 the way the SDK does (after=last_id)."""
    ids = await seed(store, 50, created_at=1234)
    expected = ids if order == "asc" else ids[::-1]

    seen: list[str] = []
    cursor: dict[str, str] = {}
    while True:
        got, has_more = await page(store, limit=7, order=order, **cursor)
        seen += got
        if not has_more or not got:
            break
        cursor = {"after": got[-1]}
    assert seen == expected

    # And backwards with `before=first_id`, starting from the end.
    back: list[str] = []
    cursor = {"before": expected[-1]}
    while True:
        got, has_more = await page(store, limit=7, order=order, **cursor)
        back = got + back
        if not has_more or not got:
            break
        cursor = {"before": got[0]}
    assert back == expected[:-1]


async def test_unknown_cursor_is_invalid_request(store: Store) -> None:
    await seed(store, 3)
    for param in ("after", "before"):
        with pytest.raises(InvalidRequestError) as raised:
            await page(store, **{param: "msg_nope"})
        assert raised.value.param == param
        assert "msg_nope" in raised.value.message


async def test_cursor_must_belong_to_the_same_list(store: Store) -> None:
    """A real id from another thread or project is not a cursor of this list."""
    other_thread = f.message("thread_other")
    await store.messages.upsert(P, other_thread)
    other_project = f.message(THREAD)
    await store.messages.upsert("proj_else", other_project)
    for foreign in (other_thread.id, other_project.id):
        with pytest.raises(InvalidRequestError):
            await page(store, after=foreign)


async def test_top_level_lists_page_per_project(store: Store) -> None:
    mine = [f.assistant(created_at=10 + i) for i in range(3)]
    for a in mine:
        await store.assistants.upsert(P, a)
    await store.assistants.upsert("proj_else", f.assistant(created_at=11))
    result = await store.assistants.list(P, ListParams(limit=2, order="asc"))
    assert [a.id for a in result.data] == [mine[0].id, mine[1].id]
    assert result.has_more is True
    rest = await store.assistants.list(P, ListParams(limit=2, order="asc", after=result.last_id))
    assert [a.id for a in rest.data] == [mine[2].id]
    assert rest.has_more is False


async def test_items_are_wire_objects(store: Store) -> None:
    await seed(store, 1)
    result = await store.messages.list_for_thread(P, THREAD, ListParams())
    assert isinstance(result.data[0], Message)


async def test_cursors_past_2038(store: Store) -> None:
    """Timestamps beyond 32 bits page like any other (cursor values bind as BIGINT)."""
    ids = await seed(store, 3, created_at=2**33)
    assert await page(store, order="asc", after=ids[0]) == (ids[1:], False)
