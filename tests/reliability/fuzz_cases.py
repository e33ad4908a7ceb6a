"""Hand-written bad-input cases: send exact bytes, say what the answer must be.

`Cases.send(operation, label, method, target, ...)` sends one request through `fuzz_http` and
judges it twice: by `CaseRunner` (no 5xx, the envelope, `x-request-id`, a rejected request leaves
the store unchanged) and by the `Expect`ed status, `param` and `code`. Problems go to the tally;
each test asserts that it added none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tests.reliability.fuzz_http import Reply, send
from tests.reliability.fuzz_stack import CaseRunner, FuzzTarget
from tests.reliability.fuzz_tally import FuzzTally

__all__ = ["ANY", "Cases", "Expect"]

ANY: Any = object()
"""Any value is fine."""


@dataclass(frozen=True)
class Expect:
    status: int | None = 400
    """The status; None: any 4xx."""
    param: Any = ANY
    """The error's `param` exactly, or ANY."""
    param_under: str | None = None
    """The error's `param` is this one or one inside it (`tools[0].type` is under `tools`)."""
    code: Any = ANY

    def problems(self, reply: Reply) -> list[str]:
        if self.status is None:
            ok = 400 <= reply.status < 500
            return [] if ok else [f"expected a 4xx, got {reply.status}"]
        if reply.status != self.status:
            return [f"expected {self.status}, got {reply.status}"]
        if reply.status < 400:
            return []
        return self._error_problems(_error_of(reply))

    def _error_problems(self, error: dict[str, Any]) -> list[str]:
        param, code = error.get("param"), error.get("code")
        problems = []
        if self.param is not ANY and param != self.param:
            problems.append(f"expected param {self.param!r}, got {param!r}")
        if self.param_under is not None and not _under(param, self.param_under):
            problems.append(f"expected a param under {self.param_under!r}, got {param!r}")
        if self.code is not ANY and code != self.code:
            problems.append(f"expected code {self.code!r}, got {code!r}")
        return problems


def _error_of(reply: Reply) -> dict[str, Any]:
    try:
        document = json.loads(reply.body)
    except ValueError:
        return {}
    error = document.get("error") if isinstance(document, dict) else None
    return error if isinstance(error, dict) else {}


def _under(param: Any, root: str) -> bool:
    return isinstance(param, str) and (
        param == root or param.startswith(f"{root}.") or param.startswith(f"{root}[")
    )


class Cases:
    """Sends hand-written cases one by one through a `CaseRunner` (call from a worker thread)."""

    def __init__(self, target: FuzzTarget, tally: FuzzTally) -> None:
        self.target = target
        self.tally = tally
        self.runner = CaseRunner(target, tally)

    def send(
        self,
        operation: str,
        label: str,
        method: str,
        path: str | bytes,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        content_type: str | None = "application/json",
        auth: bool = True,
        expect: Expect = Expect(),
        http_layer: bool = False,
    ) -> Reply:
        sent = {**(self.target.auth if auth else {}), **(headers or {})}
        if content_type is not None and (body or method == "POST"):
            sent.setdefault("Content-Type", content_type)
        reply = self.runner.check(
            operation,
            label,
            lambda: send(self.target.origin, method, path, headers=sent, body=body),
            http_layer=http_layer,
        )
        problems = expect.problems(reply)
        if problems:
            detail = f"{reply.status} {reply.body[:300]!r}"
            self.tally.problems.append(f"{operation} [{label}] -> {detail}: {problems}")
        return reply

    def json(
        self,
        operation: str,
        label: str,
        path: str,
        value: Any,
        expect: Expect = Expect(),
    ) -> Reply:
        """POST `value` as JSON to `path`."""
        return self.send(
            operation, label, "POST", path, body=json.dumps(value).encode(), expect=expect
        )
