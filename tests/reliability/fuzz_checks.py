"""What every response must satisfy, whatever was sent (SPEC §1.1, DESIGN "API specifics").

- never a 5xx: bad input is the client's error, and the server says so;
- an `x-request-id` header, which the SDK shows as `request_id`;
- every error in OpenAI's envelope: `{"error": {"message", "type", "param", "code"}}` and nothing
  else, with a non-empty `message` and `type`, and `param` / `code` strings or null.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = ["envelope_problems", "response_problems"]

ENVELOPE_FIELDS = frozenset({"message", "type", "param", "code"})


def response_problems(status: int, headers: Mapping[str, str], body: bytes) -> list[str]:
    """Everything wrong with one response; empty when it is fine. `headers` lookups must be
    case-insensitive (requests' and httpx's are; `fuzz_http.Reply` lower-cases them)."""
    problems = [f"server error {status}"] if status >= 500 else []
    if not headers.get("x-request-id"):
        problems.append("no x-request-id header")
    if status >= 400:
        problems += envelope_problems(body)
    return problems


def envelope_problems(body: bytes) -> list[str]:
    """What keeps `body` from being OpenAI's error envelope."""
    try:
        document: Any = json.loads(body)
    except ValueError:
        return [f"error body is not JSON: {body[:200]!r}"]
    if not isinstance(document, dict) or set(document) != {"error"}:
        return [f"error body is not {{'error': ...}}: {document!r:.200}"]
    error = document["error"]
    if not isinstance(error, dict) or set(error) != ENVELOPE_FIELDS:
        return [f"error object lacks or adds fields: {error!r:.200}"]
    problems = [
        f"error.{name} is not a non-empty string: {error[name]!r:.100}"
        for name in ("message", "type")
        if not (isinstance(error[name], str) and error[name])
    ]
    problems += [
        f"error.{name} is neither a string nor null: {error[name]!r:.100}"
        for name in ("param", "code")
        if error[name] is not None and not isinstance(error[name], str)
    ]
    return problems
