"""Every route of the app, and how to aim it at another project's objects.

`ROUTES` is keyed by `(method, path template)` exactly as `create_app()` serves them;
`app_routes()` reads the live app, so a route added without a row here fails the isolation test
instead of skipping it. A row says what a valid request looks like (bodies built from the
caller's own ids, so only the probed id can be foreign) and where ids of other objects can hide:
in the path (every route with path parameters is probed position by position), in the body
(`refs`), or in a list cursor or filter (`queries`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Final

from fastapi import FastAPI
from starlette.routing import BaseRoute

from api.app import create_app
from tests.reliability.isolation_world import Ids

Body = Callable[[Ids], Any]
"""A valid body for a request whose own references are `ids` (the caller's objects)."""
RefBody = Callable[[Ids, str], Any]
"""A body naming the probed id at one place, everything else the caller's own."""

INCLUDE_CONTENT: Final = {"include[]": "step_details.tool_calls[*].file_search.results[*].content"}

EXCLUDED: Final[dict[tuple[str, str], str]] = {
    ("GET", "/openapi.json"): "FastAPI's schema: one static document, names no object",
    ("GET", "/docs"): "Swagger UI page: static HTML",
    ("GET", "/docs/oauth2-redirect"): "Swagger UI's OAuth helper page: static HTML",
    ("GET", "/redoc"): "ReDoc page: static HTML",
    ("GET", "/health"): "store and Temporal liveness: takes no id, returns no object",
    ("GET", "/metrics"): "Prometheus counts by closed labels (status, route template): no ids",
}


@dataclass(frozen=True)
class Variant:
    """One valid shape of a request to a route (plain, streaming, with `include[]`, ...)."""

    label: str = "plain"
    body: Body | None = None
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Ref:
    """An id inside the body: `param` (its kind) placed by `body`."""

    label: str
    param: str
    body: RefBody


@dataclass(frozen=True)
class Query:
    """An id in the query string: a list cursor (400 when not in the list, whoever owns it) or a
    filter (an empty page)."""

    name: str
    param: str
    expect: int


@dataclass(frozen=True)
class Route:
    variants: tuple[Variant, ...] = (Variant(),)
    refs: tuple[Ref, ...] = ()
    queries: tuple[Query, ...] = ()
    no_ids: str | None = None
    """Why the route cannot name another project's object at all (it is still auth-checked)."""


def _cursors(param: str, *, before: bool = True) -> tuple[Query, ...]:
    names = ("after", "before") if before else ("after",)
    return tuple(Query(name, param, 400) for name in names)


def _metadata(_: Ids) -> Any:
    return {"metadata": {"k": "stolen"}}


# -- bodies naming other objects -----------------------------------------------------------------


def _code_files(x: str) -> dict[str, Any]:
    return {"code_interpreter": {"file_ids": [x]}}


def _store_ids(x: str) -> dict[str, Any]:
    return {"file_search": {"vector_store_ids": [x]}}


def _helper_files(x: str) -> dict[str, Any]:
    return {"file_search": {"vector_stores": [{"file_ids": [x]}]}}


def _attach(tool: str, x: str) -> dict[str, Any]:
    attachment = {"file_id": x, "tools": [{"type": tool}]}
    return {"role": "user", "content": "x", "attachments": [attachment]}


def _image(x: str) -> dict[str, Any]:
    return {"role": "user", "content": [{"type": "image_file", "image_file": {"file_id": x}}]}


Wrap = Callable[[Ids, dict[str, Any]], Any]
"""Puts a fragment naming the probed id into a whole body."""


Fragment = Callable[[str], dict[str, Any]]


def _refs(wrap: Wrap, *fragments: tuple[str, str, Fragment]) -> list[Ref]:
    def body(make: Fragment) -> RefBody:
        return lambda ids, x: wrap(ids, make(x))

    return [Ref(label, param, body(make)) for label, param, make in fragments]


def _resource_refs(wrap: Wrap, *, helper: bool) -> tuple[Ref, ...]:
    """`tool_resources` naming a File or a vector store (and the inline helper's files)."""
    refs = _refs(
        wrap,
        ("tool_resources code_interpreter file", "file_id", _code_files),
        ("tool_resources file_search store", "vector_store_id", _store_ids),
    )
    if helper:
        refs += _refs(wrap, ("tool_resources vector_stores helper file", "file_id", _helper_files))
    return tuple(refs)


def _message_refs(wrap: Wrap) -> tuple[Ref, ...]:
    """A new message attaching a File (for either tool) or showing it as an image."""
    return tuple(
        _refs(
            wrap,
            ("attachment for code_interpreter", "file_id", partial(_attach, "code_interpreter")),
            ("attachment for file_search", "file_id", partial(_attach, "file_search")),
            ("image_file content", "file_id", _image),
        )
    )


def _streamed(**fields: Any) -> dict[str, Any]:
    return {**fields, "stream": True}


def _run(ids: Ids, **extra: Any) -> dict[str, Any]:
    return {"assistant_id": ids["assistant_id"], **extra}


def _run_refs(extra_key: str, wrap_message: Callable[[dict[str, Any]], Any]) -> tuple[Ref, ...]:
    """Create-run bodies: another project's assistant (plain and streaming), or files in the
    messages the request adds (`additional_messages` / `thread.messages`)."""
    return (
        Ref("assistant_id", "assistant_id", lambda _, x: {"assistant_id": x}),
        Ref("assistant_id, stream", "assistant_id", lambda _, x: _streamed(assistant_id=x)),
        *_message_refs(lambda ids, m: _run(ids, **{extra_key: wrap_message(m)})),
    )


# -- the table ----------------------------------------------------------------------------------

T = "/v1/threads/{thread_id}"
R = f"{T}/runs/{{run_id}}"
VS = "/v1/vector_stores/{vector_store_id}"
VSF = f"{VS}/files/{{file_id}}"
VSB = f"{VS}/file_batches/{{batch_id}}"
STREAMED_RUN = (Variant(body=_run), Variant("stream", body=lambda i: _run(i, stream=True)))


def _outputs(ids: Ids, **extra: Any) -> Any:
    return {"tool_outputs": [{"tool_call_id": ids["call_id"], "output": "stolen"}], **extra}


ROUTES: Final[dict[tuple[str, str], Route]] = {
    # assistants
    ("POST", "/v1/assistants"): Route(
        refs=_resource_refs(lambda i, r: {"model": "gpt-4o-mini", "tool_resources": r}, helper=True)
    ),
    ("GET", "/v1/assistants"): Route(queries=_cursors("assistant_id")),
    ("GET", "/v1/assistants/{assistant_id}"): Route(),
    ("POST", "/v1/assistants/{assistant_id}"): Route(
        variants=(Variant(body=lambda i: {"name": "stolen"}),),
        refs=_resource_refs(lambda i, r: {"tool_resources": r}, helper=False),
    ),
    ("DELETE", "/v1/assistants/{assistant_id}"): Route(),
    # threads
    ("POST", "/v1/threads"): Route(
        refs=(
            *_resource_refs(lambda i, r: {"tool_resources": r}, helper=True),
            *_message_refs(lambda i, m: {"messages": [m]}),
        )
    ),
    ("GET", T): Route(),
    ("POST", T): Route(
        variants=(Variant(body=_metadata),),
        refs=_resource_refs(lambda i, r: {"tool_resources": r}, helper=False),
    ),
    ("DELETE", T): Route(),
    # messages
    ("POST", f"{T}/messages"): Route(
        variants=(Variant(body=lambda i: {"role": "user", "content": "stolen"}),),
        refs=_message_refs(lambda i, m: m),
    ),
    ("GET", f"{T}/messages"): Route(
        queries=(*_cursors("message_id"), Query("run_id", "run_id", 200))
    ),
    ("GET", f"{T}/messages/{{message_id}}"): Route(),
    ("POST", f"{T}/messages/{{message_id}}"): Route(variants=(Variant(body=_metadata),)),
    ("DELETE", f"{T}/messages/{{message_id}}"): Route(),
    # runs
    ("POST", "/v1/threads/runs"): Route(
        refs=(
            *_run_refs("thread", lambda m: {"messages": [m]}),
            *_resource_refs(lambda i, r: _run(i, tool_resources=r), helper=False),
            *_resource_refs(lambda i, r: _run(i, thread={"tool_resources": r}), helper=True),
        )
    ),
    ("POST", f"{T}/runs"): Route(
        variants=STREAMED_RUN, refs=_run_refs("additional_messages", lambda m: [m])
    ),
    ("GET", f"{T}/runs"): Route(queries=_cursors("run_id")),
    ("GET", R): Route(),
    ("POST", R): Route(variants=(Variant(body=_metadata),)),
    ("POST", f"{R}/cancel"): Route(),
    ("POST", f"{R}/submit_tool_outputs"): Route(
        variants=(
            Variant(body=_outputs),
            Variant("stream", body=lambda i: _outputs(i, stream=True)),
        )
    ),
    ("GET", f"{R}/events"): Route(
        variants=(
            Variant(),
            Variant("after=0", query={"after": "0"}),
            Variant("Last-Event-ID", headers={"Last-Event-ID": "0"}),
        )
    ),
    ("POST", f"{R}/retry"): Route(
        variants=(
            Variant("no body"),
            Variant("reset", body=lambda i: {"mode": "reset"}),
            Variant("rerun", body=lambda i: {"mode": "rerun"}),
        )
    ),
    ("GET", f"{R}/steps"): Route(
        variants=(Variant(), Variant("include[]", query=INCLUDE_CONTENT)),
        queries=_cursors("step_id"),
    ),
    ("GET", f"{R}/steps/{{step_id}}"): Route(
        variants=(Variant(), Variant("include[]", query=INCLUDE_CONTENT))
    ),
    ("GET", f"{R}/context"): Route(),
    # files
    ("POST", "/v1/files"): Route(
        no_ids="a multipart upload: it names no object (B's uploads are checked absent from "
        "A's list instead)"
    ),
    ("GET", "/v1/files"): Route(queries=_cursors("file_id", before=False)),
    ("GET", "/v1/files/{file_id}"): Route(),
    ("GET", "/v1/files/{file_id}/content"): Route(),
    ("DELETE", "/v1/files/{file_id}"): Route(),
    # vector stores
    ("POST", "/v1/vector_stores"): Route(
        refs=(Ref("file_ids", "file_id", lambda i, x: {"file_ids": [x]}),)
    ),
    ("GET", "/v1/vector_stores"): Route(queries=_cursors("vector_store_id")),
    ("GET", VS): Route(),
    ("POST", VS): Route(variants=(Variant(body=lambda i: {"name": "stolen"}),)),
    ("DELETE", VS): Route(),
    ("POST", f"{VS}/search"): Route(variants=(Variant(body=lambda i: {"query": "lighthouse"}),)),
    ("POST", f"{VS}/files"): Route(
        variants=(Variant(body=lambda i: {"file_id": i["file_id"]}),),
        refs=(Ref("file_id", "file_id", lambda i, x: {"file_id": x}),),
    ),
    ("GET", f"{VS}/files"): Route(queries=_cursors("file_id")),
    ("GET", VSF): Route(),
    ("POST", VSF): Route(variants=(Variant(body=lambda i: {"attributes": {"k": "stolen"}}),)),
    ("DELETE", VSF): Route(),
    ("GET", f"{VSF}/content"): Route(),
    ("POST", f"{VS}/file_batches"): Route(
        variants=(Variant(body=lambda i: {"file_ids": [i["file_id"]]}),),
        refs=(
            Ref("file_ids", "file_id", lambda i, x: {"file_ids": [x]}),
            Ref("files[].file_id", "file_id", lambda i, x: {"files": [{"file_id": x}]}),
        ),
    ),
    ("GET", VSB): Route(),
    ("POST", f"{VSB}/cancel"): Route(),
    ("GET", f"{VSB}/files"): Route(queries=_cursors("file_id")),
}


def app_routes(app: FastAPI | None = None) -> set[tuple[str, str]]:
    """`(method, path template)` of every route the app serves (HEAD, implied by GET, left out).

    FastAPI keeps included routers as nested route objects; an unknown route type fails here
    rather than hiding its routes.
    """
    return {
        (method, path) for method, path in _walk((app or create_app()).routes) if method != "HEAD"
    }


def _walk(routes: list[BaseRoute]) -> Iterator[tuple[str, str]]:
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        if nested is not None:
            yield from _walk(list(nested()))
            continue
        methods, path = getattr(route, "methods", None), getattr(route, "path_format", None)
        if not methods or path is None:
            raise AssertionError(f"a route of unknown shape: {route!r}: add it to _walk")
        for method in methods:
            yield method, path
