"""Hand-written bad input, for every endpoint where it applies: each case must be refused with a
4xx in OpenAI's envelope (naming the `param` where there is one), never a 5xx, and must leave the
store byte-for-byte unchanged (`fuzz_cases`, `fuzz_stack`).

Covered: bodies that are not JSON objects (not JSON, truncated, invalid UTF-8, arrays, scalars,
deep nesting, NaN), unknown fields, a value of the wrong JSON type for every field of every body,
metadata and attribute limits, field limits (SPEC §10), huge bodies, references to missing or
busy objects (beside valid parts that must not be written), invalid ids in every path parameter
(wrong prefix, unknown, very long, unicode, `../`, NUL, empty), bad multipart uploads, bad
pagination, invalid UTF-8 in query strings, and bad headers (content type, auth, OpenAI-Beta).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

from api.routes import files as files_route
from tests.reliability.fuzz_cases import ANY, Cases, Expect
from tests.reliability.fuzz_checks import response_problems
from tests.reliability.fuzz_endpoints import (
    NESTED_METADATA,
    VALID_BODIES,
    json_body_operations,
    list_operations,
    path_of,
    wrong_values,
)
from tests.reliability.fuzz_seeds import Seeds
from tests.reliability.fuzz_stack import FuzzTarget
from tests.reliability.fuzz_tally import FuzzTally, publish
from tests.reliability.store_snapshot import changes

Ids = dict[str, str]
Document = dict[str, Any]

PREFIXES = {
    "assistant_id": "asst_", "thread_id": "thread_", "message_id": "msg_", "run_id": "run_",
    "step_id": "step_", "file_id": "file-", "vector_store_id": "vs_", "batch_id": "vsfb_",
}  # fmt: skip


class BadInput:
    """The module's stack, seeds, served schema and tally."""

    def __init__(self, target: FuzzTarget, document: Document) -> None:
        self.target = target
        self.document = document
        self.seeds = Seeds(target)
        self.tally = FuzzTally("bad input")

    async def run(self, cases: Callable[[Cases, Ids, Document], None]) -> None:
        """Refresh the seeds, send `cases` from a worker thread, fail on any problem."""
        await self.seeds.refresh()
        seen = len(self.tally.problems)
        waiting = self.seeds.scenario("requires_action")
        ids = {
            **self.seeds.scenario("completed"),
            **{f"waiting_{name}": value for name, value in waiting.items()},
        }
        # The runner settles the stack through the event loop: build it off the loop's thread.
        await asyncio.to_thread(lambda: cases(Cases(self.target, self.tally), ids, self.document))
        problems = self.tally.problems[seen:]
        assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


@pytest.fixture(scope="module")
async def bad(fuzz_target: FuzzTarget, request: pytest.FixtureRequest) -> AsyncIterator[BadInput]:
    async with httpx.AsyncClient(base_url=fuzz_target.origin) as http:
        document = (await http.get("/openapi.json")).json()
    bad = BadInput(fuzz_target, document)
    yield bad
    publish(bad.tally, request.config)


def _operations(document: Document) -> dict[str, dict[str, Any]]:
    return {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


# --- bodies -------------------------------------------------------------------------------------


async def test_every_json_body_operation_has_a_valid_body(bad: BadInput) -> None:
    """The table the body cases start from covers the served schema."""
    assert set(VALID_BODIES) == set(json_body_operations(bad.document))


NOT_OBJECTS: dict[str, bytes] = {
    "not JSON": b"this is not json",
    "truncated JSON": b'{"model": "gpt-4o-mi',
    "invalid UTF-8": b'{"name": "\xff\xfe\xc3"}',
    "array": b"[]",
    "string": b'"text"',
    "number": b"42",
    "boolean": b"true",
    "deep nesting": b"[" * 100_000 + b"]" * 100_000,
    "deep object nesting": b'{"metadata": ' + b'{"a": ' * 50_000 + b"1" + b"}" * 50_001,
    "NaN": b'{"temperature": NaN, "top_p": Infinity}',
    "trailing garbage": b'{"model": "m"} {"model": "n"}',
}
"""Bodies no operation accepts. (`null` and an empty body are fine where the body is optional.)"""


def _not_objects(cases: Cases, ids: Ids, document: Document) -> None:
    optional = {"POST /v1/threads", "POST /v1/threads/{thread_id}/runs/{run_id}/retry"}
    for operation in VALID_BODIES:
        path = path_of(operation.split(" ")[1], ids)
        for label, body in NOT_OBJECTS.items():
            cases.send(operation, label, "POST", path, body=body)
        if operation not in optional:
            cases.send(operation, "null", "POST", path, body=b"null")
            cases.send(operation, "no body", "POST", path)


async def test_bodies_that_are_not_json_objects(bad: BadInput) -> None:
    await bad.run(_not_objects)


TEXT_PART = {"type": "text", "text": "x"}


def _unknown_fields(cases: Cases, ids: Ids, document: Document) -> None:
    for operation, body in VALID_BODIES.items():
        path = path_of(operation.split(" ")[1], ids)
        expect = Expect(param="bogus_field", code="unknown_parameter")
        cases.json(operation, "unknown field", path, {**body(ids), "bogus_field": 1}, expect)
    nested = {
        "POST /v1/assistants": (
            {"model": "m", "tools": [{"type": "code_interpreter", "bogus": 1}]}, "tools[0].bogus"
        ),
        "POST /v1/threads": (
            {"messages": [{"role": "user", "content": [{**TEXT_PART, "bogus": 1}]}]},
            "messages[0].content[0].bogus",
        ),
        "POST /v1/vector_stores": (
            {"chunking_strategy": {"type": "auto", "bogus": 1}}, "chunking_strategy.bogus"
        ),
    }  # fmt: skip
    for operation, (body, param) in nested.items():
        expect = Expect(param=param, code="unknown_parameter")
        cases.json(operation, f"unknown {param}", operation.split(" ")[1], body, expect)


async def test_unknown_fields_are_named(bad: BadInput) -> None:
    await bad.run(_unknown_fields)


def _wrong_types(cases: Cases, ids: Ids, document: Document) -> None:
    for operation, schema in json_body_operations(document).items():
        path = path_of(operation.split(" ")[1], ids)
        for field, field_schema in schema.get("properties", {}).items():
            for value in wrong_values(field_schema, document):
                body = {**VALID_BODIES[operation](ids), field: value}
                label = f"{field}={value!r}"
                cases.json(operation, label, path, body, Expect(param_under=field))


async def test_wrong_json_type_for_every_field(bad: BadInput) -> None:
    await bad.run(_wrong_types)


# --- limits -------------------------------------------------------------------------------------


METADATA: dict[str, tuple[Any, str]] = {
    "17 keys": ({f"k{i}": "v" for i in range(17)}, "object_above_max_properties"),
    "65-char key": ({"k" * 65: "v"}, "property_name_above_max_length"),
    "513-char value": ({"k": "v" * 513}, "string_above_max_length"),
    "nested value": ({"k": {"nested": "v"}}, "invalid_type"),
    "number value": ({"k": 1}, "invalid_type"),
    "array": (["k", "v"], "invalid_type"),
    "string": ("k=v", "invalid_type"),
}


def _metadata(cases: Cases, ids: Ids, document: Document) -> None:
    bodies = {
        operation: ("metadata", lambda ids, value, operation=operation: {
            **VALID_BODIES[operation](ids), "metadata": value
        })
        for operation, schema in json_body_operations(document).items()
        if "metadata" in schema.get("properties", {})
    }  # fmt: skip
    for operation, (param, body) in itertools.chain(bodies.items(), NESTED_METADATA.items()):
        path = path_of(operation.split(" ")[1], ids)
        for label, (value, code) in METADATA.items():
            expect = Expect(param_under=param, code=code)
            cases.json(operation, f"{param}: {label}", path, body(ids, value), expect)


async def test_metadata_limits_everywhere(bad: BadInput) -> None:
    await bad.run(_metadata)


ATTRIBUTES: dict[str, Any] = {
    "17 keys": {f"k{i}": 1 for i in range(17)},
    "65-char key": {"k" * 65: True},
    "513-char value": {"k": "v" * 513},
    "nested value": {"k": {"nested": 1}},
    "array value": {"k": [1]},
    "null value": {"k": None},
}


def _attributes(cases: Cases, ids: Ids, document: Document) -> None:
    bodies = {
        "POST /v1/vector_stores/{vector_store_id}/files": {"file_id": ids["file_id"]},
        "POST /v1/vector_stores/{vector_store_id}/files/{file_id}": {},
        "POST /v1/vector_stores/{vector_store_id}/file_batches": {"file_ids": [ids["file_id"]]},
    }
    for operation, body in bodies.items():
        path = path_of(operation.split(" ")[1], ids)
        for label, value in ATTRIBUTES.items():
            expect = Expect(param_under="attributes")
            cases.json(
                operation, f"attributes: {label}", path, {**body, "attributes": value}, expect
            )


async def test_attribute_limits(bad: BadInput) -> None:
    await bad.run(_attributes)


def _field_limits(ids: Ids) -> list[tuple[str, dict[str, Any], str, str]]:
    """(operation, body, param, code) past a SPEC §10 limit."""
    run = {"assistant_id": ids["assistant_id"]}
    function = {"type": "function", "function": {"name": "f" * 65}}
    code_files = {"code_interpreter": {"file_ids": [ids["file_id"]] * 21}}
    many_stores = {"file_search": {"vector_store_ids": [ids["vector_store_id"]] * 2}}
    long = "string_above_max_length"
    huge = "i" * 256_001
    chunks = {"type": "static", "static": {"max_chunk_size_tokens": 99, "chunk_overlap_tokens": 0}}
    return [
        ("POST /v1/assistants", {"model": "m", "name": "n" * 257}, "name", long),
        ("POST /v1/assistants", {"model": "m", "description": "d" * 513}, "description", long),
        ("POST /v1/assistants", {"model": "m", "instructions": huge}, "instructions", long),
        ("POST /v1/assistants/{assistant_id}", {"instructions": huge}, "instructions", long),
        ("POST /v1/assistants/{assistant_id}", {"name": "n" * 257}, "name", long),
        ("POST /v1/assistants", {"model": "m", "tools": [{"type": "code_interpreter"}] * 129},
         "tools", "array_above_max_length"),
        ("POST /v1/assistants", {"model": "m", "tools": [function]}, "tools[0].function.name", ANY),
        ("POST /v1/assistants", {"model": "m", "tool_resources": code_files},
         "tool_resources.code_interpreter.file_ids", "array_above_max_length"),
        ("POST /v1/threads", {"tool_resources": many_stores},
         "tool_resources.file_search.vector_store_ids", "array_above_max_length"),
        ("POST /v1/threads/{thread_id}/runs", {**run, "instructions": huge},
         "instructions", long),
        ("POST /v1/threads/{thread_id}/runs", {**run, "tools": [{"type": "code_interpreter"}] * 21},
         "tools", "array_above_max_length"),
        ("POST /v1/threads/{thread_id}/runs", {**run, "max_prompt_tokens": 255},
         "max_prompt_tokens", "integer_below_min_value"),
        ("POST /v1/threads/{thread_id}/runs", {**run, "temperature": 2.01},
         "temperature", "decimal_above_max_value"),
        ("POST /v1/threads/{thread_id}/runs",
         {**run, "truncation_strategy": {"type": "last_messages", "last_messages": 0}},
         "truncation_strategy.last_messages", "integer_below_min_value"),
        ("POST /v1/threads/runs", {**run, "instructions": huge}, "instructions", long),
        ("POST /v1/vector_stores", {"file_ids": [ids["file_id"]] * 501},
         "file_ids", "array_above_max_length"),
        ("POST /v1/vector_stores", {"expires_after": {"anchor": "last_active_at", "days": 366}},
         "expires_after.days", "integer_above_max_value"),
        ("POST /v1/vector_stores", {"chunking_strategy": chunks},
         "chunking_strategy.static.max_chunk_size_tokens", ANY),
        ("POST /v1/vector_stores/{vector_store_id}/file_batches",
         {"file_ids": [ids["file_id"]] * 2001}, "file_ids", "array_above_max_length"),
        ("POST /v1/vector_stores/{vector_store_id}/search", {"query": "q", "max_num_results": 51},
         "max_num_results", "integer_above_max_value"),
    ]  # fmt: skip


def _limits(cases: Cases, ids: Ids, document: Document) -> None:
    for operation, body, param, code in _field_limits(ids):
        path = path_of(operation.split(" ")[1], ids)
        cases.json(operation, f"{param} over its limit", path, body, Expect(param=param, code=code))


async def test_field_limits(bad: BadInput) -> None:
    await bad.run(_limits)


# --- references to objects that are missing, or in the wrong state ----------------------------


def _references(ids: Ids) -> list[tuple[str, str, dict[str, Any], Expect]]:
    """(operation, label, body, expected answer): each names something missing or busy, often
    beside valid parts that, done first, would have written something."""
    assistant, file = ids["assistant_id"], ids["file_id"]
    missing_file, missing_store = "file-doesnotexist", "vs_doesnotexist"
    search = [{"file_id": file, "tools": [{"type": "file_search"}]}]
    missing_search = [{"file_id": missing_file, "tools": [{"type": "file_search"}]}]
    helper = {"file_search": {"vector_stores": [{"file_ids": [file]}]}}
    missing_helper = {"file_search": {"vector_stores": [{"file_ids": [file, missing_file]}]}}
    message = {"role": "user", "content": "x", "attachments": search}
    missing = Expect(status=404)
    return [
        ("POST /v1/assistants", "unknown code_interpreter file",
         {"model": "m", "tool_resources": {"code_interpreter": {"file_ids": [missing_file]}}},
         missing),
        ("POST /v1/assistants", "unknown vector store",
         {"model": "m", "tool_resources": {"file_search": {"vector_store_ids": [missing_store]}}},
         missing),
        ("POST /v1/assistants", "helper store with an unknown file",
         {"model": "m", "tool_resources": missing_helper}, missing),
        ("POST /v1/assistants/{assistant_id}", "unknown vector store",
         {"tool_resources": {"file_search": {"vector_store_ids": [missing_store]}}}, missing),
        ("POST /v1/threads", "second message attaches an unknown file",
         {"messages": [message, {**message, "attachments": missing_search}]}, missing),
        ("POST /v1/threads", "helper store with an unknown file",
         {"tool_resources": missing_helper}, missing),
        ("POST /v1/threads/runs", "unknown assistant, thread with a helper store",
         {"assistant_id": "asst_doesnotexist", "thread": {"tool_resources": helper}}, missing),
        ("POST /v1/threads/runs", "unknown assistant, message attaching a file",
         {"assistant_id": "asst_doesnotexist", "thread": {"messages": [message]}}, missing),
        ("POST /v1/threads/runs", "message attaching an unknown file",
         {"assistant_id": assistant, "thread": {"messages": [{**message,
                                                                 "attachments": missing_search}]}},
         missing),
        ("POST /v1/threads/{thread_id}/runs", "unknown assistant, message attaching a file",
         {"assistant_id": "asst_doesnotexist", "additional_messages": [message]}, missing),
        ("POST /v1/threads/{waiting_thread_id}/runs", "busy thread, message attaching a file",
         {"assistant_id": assistant, "additional_messages": [message]}, Expect()),
        ("POST /v1/threads/{waiting_thread_id}/messages", "busy thread", message, Expect()),
        ("POST /v1/threads/{thread_id}/messages", "unknown image file",
         {"role": "user", "content": [{"type": "image_file",
                                       "image_file": {"file_id": missing_file}}]}, missing),
        ("POST /v1/vector_stores", "unknown file after a valid one",
         {"file_ids": [file, missing_file]}, missing),
        ("POST /v1/vector_stores/{vector_store_id}/files", "unknown file",
         {"file_id": missing_file}, missing),
        ("POST /v1/vector_stores/{vector_store_id}/file_batches", "unknown file after a valid one",
         {"file_ids": [file, missing_file]}, missing),
        ("POST /v1/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", "run not waiting",
         {"tool_outputs": [{"tool_call_id": "call_x", "output": "x"}]}, Expect()),
        ("POST /v1/threads/{waiting_thread_id}/runs/{waiting_run_id}/submit_tool_outputs",
         "wrong call id", {"tool_outputs": [{"tool_call_id": "call_x", "output": "x"}]}, Expect()),
        ("POST /v1/threads/{waiting_thread_id}/runs/{waiting_run_id}/submit_tool_outputs",
         "no outputs", {"tool_outputs": []}, Expect()),
        ("POST /v1/threads/{thread_id}/runs/{run_id}/cancel", "run already completed", {},
         Expect()),
        ("POST /v1/threads/{thread_id}/runs/{run_id}/retry", "run did not fail", {}, Expect()),
        ("POST /v1/threads/{waiting_thread_id}/runs/{run_id}/cancel", "run of another thread", {},
         missing),
    ]  # fmt: skip


def _missing_references(cases: Cases, ids: Ids, document: Document) -> None:
    for operation, label, body, expect in _references(ids):
        template = operation.split(" ")[1].replace("waiting_", "")
        path = path_of(operation.split(" ")[1], ids)
        cases.json(f"POST {template}", label, path, body, expect)


async def test_references_to_missing_or_busy_objects_write_nothing(bad: BadInput) -> None:
    await bad.run(_missing_references)


def _huge_bodies(cases: Cases, ids: Ids, document: Document) -> None:
    """Megabytes refused for one small reason. The API has no request-size cap of its own (nor
    does the SPEC cap message content), so these bodies are read whole; they must still be
    refused cleanly, with nothing of their valid parts written."""
    thread_messages = [{"role": "user", "content": "x"}] * 4_999 + [
        {"role": "robot", "content": "x"}
    ]
    huge = [
        ("POST /v1/assistants", {"model": "m", "instructions": "i" * 10_000_000},
         Expect(param="instructions", code="string_above_max_length")),
        ("POST /v1/threads/{thread_id}/messages", {"role": "robot", "content": "x" * 16_000_000},
         Expect(param="role", code="invalid_value")),
        ("POST /v1/threads", {"messages": thread_messages},
         Expect(param="messages[4999].role", code="invalid_value")),
        ("POST /v1/threads", {"metadata": {f"k{i}": "v" for i in range(100_000)}},
         Expect(param="metadata", code="object_above_max_properties")),
        ("POST /v1/vector_stores", {"file_ids": [ids["file_id"]] * 100_000},
         Expect(param="file_ids", code="array_above_max_length")),
    ]  # fmt: skip
    for operation, body, expect in huge:
        path = path_of(operation.split(" ")[1], ids)
        cases.json(operation, f"huge body: {expect.param}", path, body, expect)


async def test_huge_bodies_are_refused_cleanly(bad: BadInput) -> None:
    await bad.run(_huge_bodies)


# --- ids ----------------------------------------------------------------------------------------


def _bad_ids(name: str, *, last: bool) -> dict[str, tuple[str, Expect]]:
    """Path segment (already URL-encoded) -> what the API must answer. An empty last segment
    is the collection's URL with a trailing slash, which Starlette redirects (307) to it."""
    prefix = PREFIXES[name]
    unknown = Expect(status=404)
    return {
        "wrong prefix": ("wrong_123", Expect(param=name, code="invalid_value")),
        "unknown": (f"{prefix}doesnotexist", unknown),
        "very long": (f"{prefix}{'x' * 8000}", unknown),
        "unicode": (f"{prefix}%C3%BCn%C3%AF%F0%9F%98%80", unknown),
        "invalid UTF-8": (f"{prefix}%FF%FE", unknown),
        "encoded ../": (f"{prefix}..%2F..%2Fetc%2Fpasswd", Expect(status=None)),
        "raw ../": (f"{prefix}../../etc/passwd", Expect(status=None)),
        "dot dot": ("..", Expect(status=None)),
        "NUL": (f"{prefix}%00", unknown),
        "empty": ("", Expect(status=307 if last else None)),
        "space": (f"{prefix}%20", unknown),
    }


def _invalid_ids(cases: Cases, ids: Ids, document: Document) -> None:
    for operation in _operations(document):
        method, template = operation.split(" ")
        body = VALID_BODIES[operation](ids) if operation in VALID_BODIES else None
        raw = json.dumps(body).encode() if body is not None else b""
        for name in [name for name in PREFIXES if f"{{{name}}}" in template]:
            last = template.endswith(f"{{{name}}}")
            for label, (segment, expect) in _bad_ids(name, last=last).items():
                path = path_of(template, {**ids, name: segment})
                cases.send(operation, f"{name}: {label}", method, path, body=raw, expect=expect)


async def test_invalid_ids_in_every_path(bad: BadInput) -> None:
    await bad.run(_invalid_ids)


# --- multipart ----------------------------------------------------------------------------------

BOUNDARY = "fuzzboundary"


def _part(name: str, value: bytes, filename: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    return f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + value + b"\r\n"


def _form(*parts: bytes, end: bool = True) -> bytes:
    return b"".join(parts) + (f"--{BOUNDARY}--\r\n".encode() if end else b"")


FILE = _part("file", b"hello", "a.txt")
PURPOSE = _part("purpose", b"assistants")
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def _uploads() -> dict[str, tuple[bytes, str, Expect]]:
    """label -> (body, content type, expected answer)."""
    missing = "missing_required_parameter"
    seconds = "expires_after[seconds]"
    return {
        "missing file part": (_form(PURPOSE), MULTIPART, Expect(param="file", code=missing)),
        "missing purpose": (_form(FILE), MULTIPART, Expect(param="purpose", code=missing)),
        "bad purpose": (_form(FILE, _part("purpose", b"nonsense")), MULTIPART,
                        Expect(param="purpose", code="invalid_value")),
        "purpose evals": (_form(FILE, _part("purpose", b"evals")), MULTIPART,
                          Expect(param="purpose", code="invalid_value")),
        "purpose as a file": (_form(FILE, _part("purpose", b"assistants", "p.txt")), MULTIPART,
                              Expect(param="purpose")),
        "file as a plain field": (_form(_part("file", b"hello"), PURPOSE), MULTIPART,
                                  Expect(param="file")),
        "only expires anchor": (_form(FILE, PURPOSE, _part("expires_after[anchor]", b"created_at")),
                                MULTIPART, Expect(param=seconds, code=missing)),
        "expires seconds too small": (
            _form(FILE, PURPOSE, _part("expires_after[anchor]", b"created_at"),
                  _part(seconds, b"60")), MULTIPART, Expect(param=seconds)),
        "expires seconds not a number": (
            _form(FILE, PURPOSE, _part("expires_after[anchor]", b"created_at"),
                  _part(seconds, b"soon")), MULTIPART, Expect(param=seconds)),
        "bad expires anchor": (
            _form(FILE, PURPOSE, _part("expires_after[anchor]", b"last_active_at"),
                  _part(seconds, b"3600")), MULTIPART, Expect(param="expires_after[anchor]")),
        "not multipart: JSON": (b'{"purpose": "assistants"}', "application/json", Expect()),
        "not multipart: urlencoded": (b"purpose=assistants", "application/x-www-form-urlencoded",
                                      Expect()),
        "no content type": (_form(FILE, PURPOSE), "", Expect()),
        "no boundary parameter": (_form(FILE, PURPOSE), "multipart/form-data", Expect()),
        "wrong boundary": (_form(FILE, PURPOSE), "multipart/form-data; boundary=other", Expect()),
        "truncated after a part": (_form(FILE, PURPOSE, end=False), MULTIPART, Expect()),
        "truncated mid-part": (_form(FILE, PURPOSE)[:40], MULTIPART, Expect()),
        "truncated boundary": (_form(FILE, PURPOSE)[:-8], MULTIPART, Expect()),
        "garbage": (b"\x00\xff" * 64, MULTIPART, Expect()),
        "empty body": (b"", MULTIPART, Expect()),
    }  # fmt: skip


def _bad_uploads(cases: Cases, ids: Ids, document: Document) -> None:
    for label, (body, content_type, expect) in _uploads().items():
        headers = {"Content-Type": content_type} if content_type else {}
        cases.send(
            "POST /v1/files", label, "POST", "/v1/files", body=body, headers=headers,
            content_type=None, expect=expect,
        )  # fmt: skip


async def test_bad_multipart_uploads(bad: BadInput) -> None:
    await bad.run(_bad_uploads)


async def test_upload_over_the_size_cap(bad: BadInput, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past MAX_FILE_BYTES (512 MB; lowered here to 64 KiB) the upload is refused and its
    partial blob removed."""
    monkeypatch.setattr(files_route, "MAX_FILE_BYTES", 64 * 1024)

    def over_cap(cases: Cases, ids: Ids, document: Document) -> None:
        body = _form(_part("file", b"x" * (64 * 1024 + 1), "big.bin"), PURPOSE)
        cases.send(
            "POST /v1/files", "over the cap", "POST", "/v1/files", body=body,
            content_type=MULTIPART, expect=Expect(param="file"),
        )  # fmt: skip

    await bad.run(over_cap)


# --- query strings and headers ------------------------------------------------------------------


def _pagination(query: set[str]) -> dict[str, tuple[str, Expect]]:
    limit = Expect(param="limit")
    cases = {
        "limit=0": ("limit=0", limit),
        "limit=101": ("limit=101", limit) if "before" in query else ("limit=10001", limit),
        "limit=-1": ("limit=-1", limit),
        "limit=abc": ("limit=abc", Expect(param="limit", code="invalid_type")),
        "limit=1.5": ("limit=1.5", limit),
        "limit empty": ("limit=", limit),
        "order=sideways": ("order=sideways", Expect(param="order", code="invalid_value")),
        "order invalid UTF-8": ("order=%FF%FE", Expect(param="order")),
        "after=unknown": ("after=asst_unknown", Expect(param="after")),
        "after invalid UTF-8": ("after=%FF", Expect(param="after")),
    }
    if "before" in query:
        cases["before=unknown"] = ("before=msg_unknown", Expect(param="before"))
    if "filter" in query:
        cases["filter=sideways"] = ("filter=sideways", Expect(param="filter"))
    if "run_id" in query:
        cases["run_id wrong prefix"] = ("run_id=thread_x", Expect(param="run_id"))
    if "include[]" in query:
        cases["include[]=bogus"] = ("include%5B%5D=bogus", Expect(param="include[0]"))
    return cases


def _bad_pagination(cases: Cases, ids: Ids, document: Document) -> None:
    for operation, query in list_operations(document).items():
        path = path_of(operation.split(" ")[1], ids)
        for label, (string, expect) in _pagination(query).items():
            cases.send(operation, label, "GET", f"{path}?{string}", expect=expect)


async def test_bad_pagination(bad: BadInput) -> None:
    await bad.run(_bad_pagination)


def _raw_bytes_in_query(cases: Cases, ids: Ids, document: Document) -> None:
    """Bytes a client would have percent-encoded, sent raw. A request target must be ASCII
    (RFC 9112), so uvicorn's HTTP parser refuses it with a plain-text 400 before the app runs:
    no envelope, but no 5xx and nothing written. (Percent-encoded invalid UTF-8 reaches the app:
    see test_bad_pagination.)"""
    for operation in list_operations(document):
        path = path_of(operation.split(" ")[1], ids).encode()
        target = path + b"?order=\xff\xfe&after=\xc3"
        label = "raw invalid UTF-8 in the query"
        cases.send(operation, label, "GET", target, expect=Expect(), http_layer=True)


async def test_raw_invalid_utf8_in_query(bad: BadInput) -> None:
    await bad.run(_raw_bytes_in_query)


CONTENT_TYPES = (
    "text/plain",
    "application/x-www-form-urlencoded",
    "application/xml",
    f"multipart/form-data; boundary={BOUNDARY}",
)


def _wrong_content_types(cases: Cases, ids: Ids, document: Document) -> None:
    for operation, body in VALID_BODIES.items():
        path = path_of(operation.split(" ")[1], ids)
        raw = str(body(ids)).encode()  # Python's repr: not JSON either
        for content_type in CONTENT_TYPES:
            cases.send(operation, content_type, "POST", path, body=raw, content_type=content_type)


async def test_wrong_content_types(bad: BadInput) -> None:
    await bad.run(_wrong_content_types)


def _auth_and_beta(cases: Cases, ids: Ids, document: Document) -> None:
    unauthorized = Expect(status=401)
    keys = {
        "no key": {},
        "unknown key": {"Authorization": "Bearer sk-unknown"},
        "basic auth": {"Authorization": "Basic c2stdGVzdC1hOg=="},
        "empty bearer": {"Authorization": "Bearer "},
        "latin-1 key": {"Authorization": "Bearer sk-t\xe9st"},
    }
    for operation, spec in _operations(document).items():
        method, template = operation.split(" ")
        path = path_of(template, ids)
        body = b"{}" if method == "POST" else b""
        for label, headers in keys.items():
            cases.send(operation, label, method, path, body=body, headers=headers, auth=False,
                       expect=unauthorized)  # fmt: skip
        if any(p["name"] == "OpenAI-Beta" for p in spec.get("parameters", [])):
            beta = {"OpenAI-Beta": "assistants=v1"}
            cases.send(operation, "assistants=v1", method, path, body=body, headers=beta,
                       expect=Expect(code="invalid_beta"))  # fmt: skip


async def test_auth_and_beta_headers_on_every_operation(bad: BadInput) -> None:
    await bad.run(_auth_and_beta)


def _bad_resume_cursors(cases: Cases, ids: Ids, document: Document) -> None:
    operation = "GET /v1/threads/{thread_id}/runs/{run_id}/events"
    path = path_of(operation.split(" ")[1], ids)
    for label, headers, query in [
        ("Last-Event-ID not a number", {"Last-Event-ID": "abc"}, ""),
        ("Last-Event-ID negative", {"Last-Event-ID": "-5"}, ""),
        ("after=-1", {}, "?after=-1"),
        ("after=abc", {}, "?after=abc"),
    ]:
        cases.send(operation, label, "GET", path + query, headers=headers, expect=Expect())


async def test_bad_resume_cursors(bad: BadInput) -> None:
    await bad.run(_bad_resume_cursors)


async def test_the_snapshot_sees_every_write(bad: BadInput) -> None:
    """The instrument itself: a successful create changes its table's digest, an upload the
    blob listing; a read changes nothing."""
    target, client = bad.target, bad.target.api.client
    await asyncio.to_thread(target.settle)
    before = await asyncio.to_thread(target.snapshot)
    await client.beta.assistants.list()
    assert changes(before, await asyncio.to_thread(target.snapshot)) == []
    await client.beta.assistants.create(model="gpt-4o-mini")
    created = changes(before, await asyncio.to_thread(target.snapshot))
    assert [line.split(":")[0] for line in created] == ["table assistants"]
    file = await client.files.create(file=("a.txt", b"abc"), purpose="assistants")
    uploaded = changes(before, await asyncio.to_thread(target.snapshot))
    assert f"blob {file.id}: absent -> 3:" in "\n".join(uploaded)


def test_the_judge_flags_what_it_must() -> None:
    """The checks every case goes through: a 5xx, a missing request id, a bare or partial error
    body are each reported; OpenAI's envelope with a request id is not."""
    ok = (
        b'{"error": {"message": "m", "type": "invalid_request_error", "param": null, "code": null}}'
    )
    request_id = {"x-request-id": "req_1"}
    assert response_problems(400, request_id, ok) == []
    assert response_problems(500, request_id, ok) == ["server error 500"]
    assert response_problems(400, {}, ok) == ["no x-request-id header"]
    assert response_problems(422, request_id, b'{"detail": []}')
    assert response_problems(400, request_id, b"Bad Request")
    partial = b'{"error": {"message": "", "type": "invalid_request_error"}}'
    assert response_problems(404, request_id, partial)
    empty = b'{"error": {"message": "", "type": "t", "param": null, "code": null}}'
    assert response_problems(404, request_id, empty) == [
        "error.message is not a non-empty string: ''"
    ]
