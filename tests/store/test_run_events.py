"""The per-run event log: gapless seqs, idempotent appends, reading after a cursor."""

from __future__ import annotations

import asyncio

from core.store import Store, StoredEvent


async def test_append_assigns_consecutive_seqs_per_run(store: Store) -> None:
    assert await store.run_events.last_seq("run_a") == 0
    assert [await store.run_events.append("run_a", "e", {"i": i}) for i in range(3)] == [1, 2, 3]
    assert await store.run_events.append("run_b", "e", {}) == 1
    assert await store.run_events.last_seq("run_a") == 3
    assert await store.run_events.last_seq("run_b") == 1


async def test_dedupe_key_makes_appends_idempotent(store: Store) -> None:
    """A retried activity re-appending the same event gets the first seq back, no duplicate."""
    first = await store.run_events.append("run_a", "thread.run.created", {"v": 1}, dedupe_key="k1")
    await store.run_events.append("run_a", "thread.message.delta", {"v": 2})
    again = await store.run_events.append("run_a", "thread.run.created", {"v": 9}, dedupe_key="k1")
    assert first == again == 1
    # Keys are per run.
    assert await store.run_events.append("run_b", "thread.run.created", {}, dedupe_key="k1") == 1
    events = await store.run_events.read("run_a")
    assert [(e.seq, e.event, e.data) for e in events] == [
        (1, "thread.run.created", {"v": 1}),
        (2, "thread.message.delta", {"v": 2}),
    ]


async def test_read_after_cursor_with_limit(store: Store) -> None:
    for i in range(10):
        await store.run_events.append("run_a", "e", {"i": i})
    tail = await store.run_events.read("run_a", after_seq=7)
    assert [e.seq for e in tail] == [8, 9, 10]
    assert [e.data["i"] for e in tail] == [7, 8, 9]
    assert [e.seq for e in await store.run_events.read("run_a", after_seq=2, limit=3)] == [3, 4, 5]
    assert await store.run_events.read("run_a", after_seq=10) == []
    assert isinstance(tail[0], StoredEvent)
    assert tail[0].created_at > 1_700_000_000


async def test_concurrent_appends_never_share_a_seq(store: Store) -> None:
    seqs = await asyncio.gather(
        *(store.run_events.append("run_a", "e", {"i": i}) for i in range(20))
    )
    assert sorted(seqs) == list(range(1, 21))
    assert [e.seq for e in await store.run_events.read("run_a")] == list(range(1, 21))


async def test_any_json_payload(store: Store) -> None:
    """The `done` event's payload is the string `[DONE]`, not an object."""
    await store.run_events.append("run_a", "done", "[DONE]")
    assert (await store.run_events.read("run_a"))[0].data == "[DONE]"


async def test_appends_while_open_stop_at_the_closing_event(store: Store) -> None:
    """An abandoned model call cannot append deltas after the run's cancelling/terminal event."""
    from core.store.run_events import RunClosedError

    assert await store.run_events.append("run_a", "thread.message.delta", {}, while_open=True) == 1
    assert not await store.run_events.is_closed("run_a")
    await store.run_events.append("run_a", "thread.run.cancelling", {})
    assert await store.run_events.is_closed("run_a")
    try:
        await store.run_events.append("run_a", "thread.message.delta", {}, while_open=True)
    except RunClosedError as closed:
        assert closed.run_id == "run_a"
    else:
        raise AssertionError("append while_open succeeded on a closed run")
    # The run's own cascade still appends; other runs are unaffected.
    assert await store.run_events.append("run_a", "thread.run.cancelled", {}) == 3
    assert await store.run_events.append("run_b", "thread.message.delta", {}, while_open=True) == 1
    assert [e.event for e in await store.run_events.read("run_a")] == [
        "thread.message.delta",
        "thread.run.cancelling",
        "thread.run.cancelled",
    ]


async def test_append_many_is_ordered_deduplicated_and_respects_closing(store: Store) -> None:
    from core.store.run_events import RunClosedError

    opening = [("a", {"i": 1}, "k.a"), ("b", {"i": 2}, "k.b"), ("c", {"i": 3}, None)]
    assert await store.run_events.append_many("run_a", opening, while_open=True) == [1, 2, 3]
    # A retried batch: keyed events keep their seqs, the unkeyed one is appended again.
    assert await store.run_events.append_many("run_a", opening) == [1, 2, 4]
    await store.run_events.append("run_a", "thread.run.cancelled", {})
    try:
        await store.run_events.append_many("run_a", [("d", {}, "k.d")], while_open=True)
    except RunClosedError:
        pass
    else:
        raise AssertionError("append_many while_open succeeded on a closed run")
    assert [e.event for e in await store.run_events.read("run_a")] == [
        "a",
        "b",
        "c",
        "c",
        "thread.run.cancelled",
    ]


async def test_a_closing_cascade_stops_writers_before_the_run_event(store: Store) -> None:
    """The cascade closes the message before `thread.run.expired`: an abandoned call's delta
    must not land between the two (seen once as a late delta among the closing events)."""
    import pytest

    from core.store.run_events import RunClosedError

    await store.run_events.append("run_a", "thread.message.delta", {}, while_open=True)
    await store.run_events.append("run_a", "thread.message.incomplete", {})

    with pytest.raises(RunClosedError):
        await store.run_events.append("run_a", "thread.message.delta", {}, while_open=True)
    await store.run_events.append("run_a", "thread.run.expired", {})
    assert [e.event for e in await store.run_events.read("run_a")] == [
        "thread.message.delta",
        "thread.message.incomplete",
        "thread.run.expired",
    ]


async def test_reopen_removes_the_run_closing_event_and_what_follows(store: Store) -> None:
    for event in ("thread.run.in_progress", "thread.message.incomplete", "thread.run.failed"):
        await store.run_events.append("run_a", event, {}, dedupe_key=event)

    assert await store.run_events.reopen("run_a") == 2

    events = [e.event for e in await store.run_events.read("run_a")]
    assert events == ["thread.run.in_progress"]
    assert not await store.run_events.is_closed("run_a")
    assert await store.run_events.data_for_key("run_a", "thread.run.failed") is None
