"""Schema-driven fuzzing of every operation in the OpenAPI document the API serves.

schemathesis generates requests from `GET /openapi.json` (valid ones, and ones that break the
schema on purpose), sent to the real stack on loopback with project A's key. Path parameters are
random, or the ids of real seeded objects (`fuzz_seeds`), so cases reach past the id checks; ids
in bodies (`assistant_id`, `file_id(s)`) are swapped for seeded ones in half the cases. Every case
is judged by `CaseRunner`: no 5xx, `x-request-id`, errors in the OpenAI envelope, and a rejected
request leaves the store byte-for-byte unchanged; a successful one's body must match the schema
(schemathesis' `response_schema_conformance`). A test also checks the served document is complete:
every `/v1` route of the app is in it.

Profile (RUNWRIGHT_RELIABILITY_PROFILE): `short` sends a few derandomized cases per operation
(the file stays well under 90 s), `full` many random ones. The summary line and the markdown row
(RUNWRIGHT_FUZZ_REPORT) come from `fuzz_tally.publish`.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import requests
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.app import create_app
from core.settings import Settings
from tests.reliability.fuzz_http import Reply
from tests.reliability.fuzz_seeds import Seeds
from tests.reliability.fuzz_stack import CaseRunner, FuzzTarget
from tests.reliability.fuzz_tally import FuzzTally, publish
from tests.reliability.ledger import PROFILE

EXAMPLES = int(os.environ.get("RUNWRIGHT_FUZZ_EXAMPLES") or {"short": 6, "full": 150}[PROFILE])
"""Cases per operation (RUNWRIGHT_FUZZ_EXAMPLES overrides the profile's number)."""

FRAMEWORK_ROUTES = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}
OPERATIONAL_ROUTES = {"/health", "/metrics"}
"""Outside `/v1` and deliberately not in the schema: probes and scrapes, not the Assistants API."""


def _app() -> FastAPI:
    return create_app(Settings())


def _operations(document: dict[str, Any]) -> list[str]:
    return [
        f"{method.upper()} {path}" for path, item in document["paths"].items() for method in item
    ]


OPERATIONS = _operations(_app().openapi())


def app_routes(app: FastAPI) -> set[str]:
    """`METHOD /path` of every route the app serves, included routers' under their prefix."""
    found = set()
    for route in app.routes:
        included = getattr(route, "original_router", None)
        prefix = route.include_context.prefix if included is not None else ""  # type: ignore[attr-defined]
        for served in included.routes if included is not None else [route]:
            path = prefix + getattr(served, "path_format", getattr(served, "path", ""))
            methods = getattr(served, "methods", None) or set()
            found |= {f"{method} {path}" for method in methods if method != "HEAD"}
    return found


class Fuzzing:
    """The served schema, the seeds and the tally of this module's cases."""

    def __init__(self, target: FuzzTarget, schema: Any, seeds: Seeds) -> None:
        self.target = target
        self.schema = schema
        self.seeds = seeds
        self.tally = FuzzTally("fuzzing")
        self.session = requests.Session()

    def fuzz(self, label: str) -> list[str]:
        """Send `EXAMPLES` cases of one operation (synchronously); the problems found."""
        operation = self.schema.find_operation_by_label(label)
        assert operation is not None, label
        runner = CaseRunner(self.target, self.tally)
        seen = len(self.tally.problems)
        scenarios = self.seeds.scenarios()

        @settings(
            max_examples=EXAMPLES, deadline=None, database=None, derandomize=PROFILE == "short",
            suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
        )  # fmt: skip
        @given(case=_strategy(operation, scenarios), swap=st.booleans())
        def one_case(case: Any, swap: bool) -> None:
            if swap:
                _refer_to_seeds(case, scenarios)
            responses: list[Any] = []
            reply = runner.check(label, self._curl(case), lambda: self._call(case, responses))
            if 200 <= reply.status < 300:
                self._check_conformance(label, case, responses[0])

        one_case()
        return self.tally.problems[seen:]

    def _call(self, case: Any, responses: list[Any]) -> Reply:
        response = case.call(
            base_url=self.target.origin, session=self.session, headers=self.target.auth, timeout=60
        )
        responses.append(response)
        headers = {name.lower(): values[-1] for name, values in response.headers.items()}
        return Reply(response.status_code, headers, response.content)

    def _check_conformance(self, label: str, case: Any, response: Any) -> None:
        """A successful response's body matches what the served schema declares for it."""
        try:
            case.validate_response(response, checks=[response_schema_conformance])
        except Exception as failure:  # schemathesis raises its own failure group
            self.tally.problems.append(f"{label} [{self._curl(case)}] -> {failure}")

    def _curl(self, case: Any) -> str:
        """The case as a curl command, to reproduce it (cut short past 2,000 characters)."""
        command = str(case.as_curl_command(headers=self.target.auth, base_url=self.target.origin))
        return command if len(command) <= 2000 else f"{command[:2000]}..."


def _strategy(operation: Any, scenarios: list[dict[str, str]]) -> Any:
    """Valid and invalid cases, with generated path parameters or a seeded scenario's."""
    names = {parameter.name for parameter in operation.path_parameters}
    fixed: list[dict[str, str] | None] = [None]
    fixed += [{name: ids[name] for name in names} for ids in scenarios] if names else []
    return st.one_of(
        operation.as_strategy(generation_mode=mode, path_parameters=path)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for path in fixed
    )


def _refer_to_seeds(case: Any, scenarios: list[dict[str, str]]) -> None:
    """Ids in the body name real objects (those of the seeded run the path names, if it names
    one), so a valid body can get past its 404s and a tool output can match the pending call."""
    body = case.body
    if not isinstance(body, dict):
        return
    path = case.path_parameters or {}
    ids = next((s for s in scenarios if s["run_id"] == path.get("run_id")), scenarios[0])
    for field, value in (
        ("assistant_id", ids["assistant_id"]),
        ("file_id", ids["file_id"]),
        ("file_ids", [ids["file_id"]]),
    ):
        if field in body:
            body[field] = value
    outputs = body.get("tool_outputs")
    if isinstance(outputs, list) and outputs and isinstance(outputs[0], dict):
        body["tool_outputs"] = [{**outputs[0], "tool_call_id": ids["tool_call_id"]}]


@pytest.fixture(scope="module")
async def fuzzing(
    fuzz_target: FuzzTarget, request: pytest.FixtureRequest
) -> AsyncIterator[Fuzzing]:
    schema = await asyncio.to_thread(
        schemathesis.openapi.from_url, f"{fuzz_target.origin}/openapi.json"
    )
    fuzzing = Fuzzing(fuzz_target, schema, Seeds(fuzz_target))
    yield fuzzing
    fuzzing.session.close()
    publish(fuzzing.tally, request.config)


async def test_openapi_document_is_served_and_complete(fuzz_target: FuzzTarget) -> None:
    """The served document is the app's, and names every `/v1` route (multipart and SSE ones
    too); only framework and operational routes stay out of it."""
    async with httpx.AsyncClient(base_url=fuzz_target.origin) as http:
        served = (await http.get("/openapi.json")).json()
    app = _app()
    assert served == app.openapi()
    in_schema = set(_operations(served))
    routes = app_routes(app)
    assert {route for route in routes if route.split(" ")[1].startswith("/v1/")} == in_schema
    outside = {route.split(" ")[1] for route in routes} - {op.split(" ")[1] for op in in_schema}
    assert outside == FRAMEWORK_ROUTES | OPERATIONAL_ROUTES


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_fuzz_operation(fuzzing: Fuzzing, operation: str) -> None:
    await fuzzing.seeds.refresh()
    problems = await asyncio.to_thread(fuzzing.fuzz, operation)
    assert not problems, "\n".join(problems)
