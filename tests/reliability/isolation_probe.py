"""Probes: one request naming another project's object, paired with the same request naming an id
that never existed. Isolation holds when the two answers are the same apart from the id.

Requests go over raw httpx so every route is hit the same way. A streaming answer is never read
(it could tail a run for as long as the run lives): only its status and content type count.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import httpx

from tests.reliability.isolation_routes import ROUTES, Query, Ref, Route, Variant
from tests.reliability.isolation_world import Ids, World

NOT_FOUND: Final = re.compile(r"No [a-z ]+ found with id '[^']+'\.")
"""A 404 for an object (a 404 for an unknown URL reads `Invalid URL (...)`)."""
TIMEOUT_S: Final = 30.0


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: Any = None
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Probe:
    """`theirs` names A's objects where `missing` names ids that never existed."""

    route: tuple[str, str]
    label: str
    theirs: Call
    missing: Call
    placeholders: Mapping[str, str]
    """Every probed id (A's and the never-existing one) -> `<param>`."""
    expect: int

    def __str__(self) -> str:
        return f"{self.route[0]} {self.route[1]} [{self.label}]"


UNCOMPARED_HEADERS: Final = frozenset({"date", "x-request-id"})
"""Headers that differ between any two responses."""


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: Any
    headers: frozenset[tuple[str, str]] = frozenset()
    """The rest of the headers (a `x-should-retry` or a poll hint on one 404 only would show)."""


def probes(world: World, missing: Ids) -> Iterator[Probe]:
    """Every probe of every route, deduplicated (A's two id maps agree outside runs and steps)."""
    seen: set[str] = set()
    for key, route in ROUTES.items():
        for a in world.a:
            for probe in _route_probes(key, route, a, world.b, missing):
                call = probe.theirs
                identity = json.dumps(
                    [call.method, call.path, call.body, dict(call.query), dict(call.headers)]
                )
                if identity not in seen:
                    seen.add(identity)
                    yield probe


def _route_probes(
    key: tuple[str, str], route: Route, a: Ids, b: Ids, missing: Ids
) -> Iterator[Probe]:
    """Path probes (each parameter in turn, then all at once), body and query probes."""
    method, template = key
    params = re.findall(r"{(\w+)}", template)
    positions = [[p] for p in params] + ([params] if len(params) > 1 else [])
    for variant in route.variants:
        body = variant.body(b) if variant.body else None

        def in_path(ids: Ids, body: Any = body, variant: Variant = variant) -> Call:
            path = fill(template, ids)
            return Call(method, path, body, variant.query, variant.headers)

        for probed in positions:
            label = f"{variant.label}: {'+'.join(probed)}"
            yield _probe(key, label, 404, probed, a, b, missing, in_path)
    own_path = fill(template, b)
    for ref in route.refs:

        def in_body(ids: Ids, ref: Ref = ref) -> Call:
            return Call(method, own_path, ref.body(b, ids[ref.param]))

        yield _probe(key, f"body {ref.label}", 404, [ref.param], a, b, missing, in_body)
    for query in route.queries:

        def in_query(ids: Ids, query: Query = query) -> Call:
            return Call(method, own_path, query={query.name: ids[query.param]})

        label = f"?{query.name}="
        yield _probe(key, label, query.expect, [query.param], a, b, missing, in_query)


def _probe(
    key: tuple[str, str], label: str, expect: int, probed: list[str],
    a: Ids, b: Ids, missing: Ids, build: Callable[[Ids], Call],
) -> Probe:  # fmt: skip
    """The request `build` makes from B's ids with the `probed` ones taken from A, paired with
    the one it makes taking them from `missing`."""
    theirs = build({**b, **{p: a[p] for p in probed}})
    absent = build({**b, **{p: missing[p] for p in probed}})
    holders = {a[p]: f"<{p}>" for p in probed} | {missing[p]: f"<{p}>" for p in probed}
    return Probe(key, label, theirs, absent, holders, expect)


def fill(template: str, ids: Ids) -> str:
    return re.sub(r"{(\w+)}", lambda m: ids[m.group(1)], template)


async def send(http: httpx.AsyncClient, call: Call, placeholders: Mapping[str, str]) -> Answer:
    """The answer to `call`, with the probed ids in it replaced by placeholders."""
    content = None if call.body is None else json.dumps(call.body).encode()
    sent = {**call.headers, **({"content-type": "application/json"} if content else {})}
    request = http.build_request(
        call.method, call.path, params=dict(call.query), content=content, headers=sent
    )
    response = await http.send(request, stream=True)
    try:
        content_type = response.headers.get("content-type", "")
        headers = frozenset(
            (name, value) for name, value in response.headers.items()
            if name not in UNCOMPARED_HEADERS
        )  # fmt: skip
        if content_type.startswith("text/event-stream"):
            return Answer(response.status_code, content_type, "<an SSE stream>", headers)
        text = (await response.aread()).decode(errors="replace")
    finally:
        await response.aclose()
    for value, holder in placeholders.items():
        text = text.replace(value, holder)
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text
    return Answer(response.status_code, content_type, body, headers)


def problems(probe: Probe, theirs: Answer, missing: Answer) -> list[str]:
    """What is wrong with the pair of answers (empty when isolation holds)."""
    found = []
    if theirs.status != probe.expect:
        found.append(f"{probe}: A's id answered {theirs.status}, expected {probe.expect}: "
                     f"{theirs.body!r}")  # fmt: skip
    if missing.status != probe.expect:
        found.append(f"{probe}: a missing id answered {missing.status}: {missing.body!r}")
    if probe.expect == 404 and not _object_not_found(theirs.body):
        found.append(f"{probe}: not an object 404 in the OpenAI envelope: {theirs.body!r}")
    if theirs != missing:
        found.append(f"{probe}: A's id and a missing id differ:\n  {theirs}\n  {missing}")
    return found


def _object_not_found(body: Any) -> bool:
    error = body.get("error") if isinstance(body, dict) else None
    return (
        isinstance(error, dict)
        and set(body) == {"error"}
        and set(error) == {"message", "type", "param", "code"}
        and error["type"] == "invalid_request_error"
        and NOT_FOUND.fullmatch(str(error["message"])) is not None
    )
