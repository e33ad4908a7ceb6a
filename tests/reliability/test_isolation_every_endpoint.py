"""Project isolation on every route of the API.

Project B's key, aimed at project A's objects (in the path, in request bodies, in list cursors
and filters), gets exactly what it gets for an id that never existed: the same status, the same
envelope, the same message apart from the id. So B can neither read, list, change, run, stream
nor delete A's objects, nor learn that they exist. Afterwards A's objects read the same as
before, and A's waiting run still completes when A submits its tool output.

The route table (isolation_routes.py) must cover every route the app serves: a new route fails
`test_every_route_is_in_the_table` until it says how it is probed.
"""

from __future__ import annotations

from collections import Counter

import httpx

from tests.api.conftest import ApiServer, api, api_backend
from tests.fakes.model_server import Reply
from tests.reliability.isolation_probe import (
    TIMEOUT_S,
    Answer,
    Call,
    Probe,
    fill,
    probes,
    problems,
    send,
)
from tests.reliability.isolation_routes import EXCLUDED, ROUTES, app_routes
from tests.reliability.isolation_world import POLL_MS, SECRET, World, missing_ids, seed_world

__all__ = ["api", "api_backend"]  # the fixtures, served in-process or by `runwright dev`


def test_every_route_is_in_the_table() -> None:
    served = app_routes()
    unknown = sorted(served - EXCLUDED.keys() - ROUTES.keys())
    stale = sorted((ROUTES.keys() | EXCLUDED.keys()) - served)
    assert not unknown, f"routes with no isolation row in isolation_routes.ROUTES: {unknown}"
    assert not stale, f"rows for routes the app does not serve: {stale}"
    aimless = [
        key for key, route in ROUTES.items()
        if not ("{" in key[1] or route.refs or route.queries or route.no_ids)
    ]  # fmt: skip
    assert not aimless, f"rows that probe nothing (and do not say why): {aimless}"


async def test_isolation_every_endpoint(api: ApiServer) -> None:
    world = await seed_world(api)
    async with _http(api, api.key_a) as as_a, _http(api, api.key_b) as as_b:
        before = await _snapshot(as_a, world)
        chats = len(api.model.chat_requests)

        all_probes = list(probes(world, missing_ids()))
        found = [problem for probe in all_probes for problem in await _check(as_b, probe)]
        found += await _keyless(api, world)
        found += await _lists_of_b(as_b, world)
        found += await _search_of_b(as_b, world)
        found += await _lists_of_a(as_a, world)
        assert not found, f"{len(found)} isolation problems:\n" + "\n".join(found)

        assert len(api.model.chat_requests) == chats, "B's requests made the model run"
        after = await _snapshot(as_a, world)
    changed = sorted(path for path in before if before[path] != after.get(path))
    assert not changed, f"A's objects changed under B's requests: {changed}"
    await _a_completes_its_run(api, world)
    _report(all_probes)


def _http(api: ApiServer, key: str | None) -> httpx.AsyncClient:
    """Raw HTTP at the server's root, with the headers the SDK sends (no key: none)."""
    headers = {"OpenAI-Beta": "assistants=v2"}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    root = api.base_url.removesuffix("/v1")
    return httpx.AsyncClient(base_url=root, headers=headers, timeout=TIMEOUT_S)


async def _check(as_b: httpx.AsyncClient, probe: Probe) -> list[str]:
    theirs = await send(as_b, probe.theirs, probe.placeholders)
    missing = await send(as_b, probe.missing, probe.placeholders)
    return problems(probe, theirs, missing)


async def _snapshot(as_a: httpx.AsyncClient, world: World) -> dict[str, Answer]:
    """A's view of everything B aims at: every GET of the table with A's ids (the events
    stream aside, whose tail never ends for a waiting run)."""
    seen: dict[str, Answer] = {}
    for (method, template), _route in ROUTES.items():
        if method != "GET" or template.endswith("/events"):
            continue
        for ids in world.a:
            path = fill(template, ids)
            if path not in seen:
                seen[path] = await send(as_a, Call("GET", path), {})
                assert seen[path].status == 200, (path, seen[path])
    return seen


async def _keyless(api: ApiServer, world: World) -> list[str]:
    """Without a key, every route answers 401, even with A's real ids and a valid body."""
    found = []
    a = world.waiting  # the run a request could still change
    async with _http(api, None) as anonymous:
        for (method, template), route in ROUTES.items():
            variant = route.variants[0]
            body = variant.body(a) if variant.body else None
            answer = await send(anonymous, Call(method, fill(template, a), body), {})
            error = answer.body.get("error") if isinstance(answer.body, dict) else None
            if answer.status != 401 or not error or error.get("type") != "invalid_request_error":
                found.append(f"{method} {template} without a key: {answer}")
    return found


async def _lists_of_b(as_b: httpx.AsyncClient, world: World) -> list[str]:
    """B's every list holds B's objects and none of A's."""
    b, theirs = world.b, world.a_ids()
    lists = [
        "/v1/assistants", "/v1/files", "/v1/vector_stores",
        f"/v1/threads/{b['thread_id']}/messages", f"/v1/threads/{b['thread_id']}/runs",
        f"/v1/threads/{b['thread_id']}/runs/{b['run_id']}/steps",
        f"/v1/vector_stores/{b['vector_store_id']}/files",
        f"/v1/vector_stores/{b['vector_store_id']}/file_batches/{b['batch_id']}/files",
    ]  # fmt: skip
    found = []
    for path in lists:
        for order in ("asc", "desc"):
            answer = await send(as_b, Call("GET", path, query={"order": order}), {})
            listed = _listed_ids(answer)
            if answer.status != 200 or not listed or listed & theirs:
                found.append(f"B's list {path}?order={order}: {answer}")
    return found


async def _search_of_b(as_b: httpx.AsyncClient, world: World) -> list[str]:
    """Searching B's own store for the words of A's file finds only B's file."""
    path = f"/v1/vector_stores/{world.b['vector_store_id']}/search"
    body = {"query": SECRET.decode(), "max_num_results": 50}
    answer = await send(as_b, Call("POST", path, body), {})
    hits = {hit["file_id"] for hit in answer.body["data"]} if answer.status == 200 else set()
    if answer.status != 200 or not hits <= {world.b["file_id"]}:
        return [f"B's search of its own store: {answer}"]
    return []


async def _lists_of_a(as_a: httpx.AsyncClient, world: World) -> list[str]:
    """And the other way round: none of B's objects are in A's lists."""
    found = []
    for path in ("/v1/assistants", "/v1/files", "/v1/vector_stores"):
        answer = await send(as_a, Call("GET", path), {})
        if answer.status != 200 or _listed_ids(answer) & set(world.b.values()):
            found.append(f"A's list {path}: {answer}")
    return found


def _listed_ids(answer: Answer) -> set[str]:
    data = answer.body.get("data", []) if isinstance(answer.body, dict) else []
    return {item["id"] for item in data}


async def _a_completes_its_run(api: ApiServer, world: World) -> None:
    waiting = world.waiting
    runs = api.client.beta.threads.runs
    run = await runs.retrieve(waiting["run_id"], thread_id=waiting["thread_id"])
    assert run.status == "requires_action", run
    api.model.script(Reply("Sunny in Oslo."))
    done = await runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=run.thread_id, poll_interval_ms=POLL_MS,
        tool_outputs=[{"tool_call_id": world.call_id, "output": "sunny"}],
    )  # fmt: skip
    assert done.status == "completed", done


def _report(all_probes: list[Probe]) -> None:
    not_found = [p for p in all_probes if p.expect == 404]
    routes = len({p.route for p in not_found})
    print(
        f"\nisolation: {routes} routes x {{A's id, missing id}} = {2 * len(not_found)} requests, "
        "all 404 and identical"
    )
    queries: Counter[int] = Counter(p.expect for p in all_probes if p.expect != 404)
    print(
        f"isolation: {sum(queries.values())} list cursors/filters x {{A's id, missing id}} = "
        f"{2 * sum(queries.values())} requests, identical "
        f"({queries[400]} cursors 400, {queries[200]} filters 200 empty)"
    )
    print(f"isolation: {len(ROUTES)} routes without a key = {len(ROUTES)} requests, all 401")
    print(f"isolation: probes per route: {_per_route(all_probes)}")


def _per_route(all_probes: list[Probe]) -> str:
    counts = Counter(f"{p.route[0]} {p.route[1]}" for p in all_probes)
    return f"min {min(counts.values())}, max {max(counts.values())}"
