"""OpenAI wire payloads for the scripted model server: completions, chunks, errors, models.

Pure functions from a request body and a script entry to JSON-ready dicts, so the HTTP layer in
`model_http.py` only decides *how* to send them (whole, streamed, cut off).
"""

from __future__ import annotations

import secrets
import string
import time
import uuid
from dataclasses import dataclass
from typing import Any

from tests.fakes.model_script import Fail, MidStreamReset, Reply, ToolCall, ToolCalls, usage_dict
from tests.fakes.model_tokens import completion_cap, decode, encode, prompt_tokens

# Defaults OpenAI uses per status when a Fail leaves message/type unset.
_ERROR_DEFAULTS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request."),
    401: ("invalid_request_error", "Incorrect API key provided."),
    403: ("invalid_request_error", "You are not allowed to access this resource."),
    404: ("invalid_request_error", "The model does not exist or you do not have access to it."),
    409: ("invalid_request_error", "The request conflicted with another request."),
    429: ("requests", "Rate limit reached for requests. Please try again in 1s."),
    500: ("server_error", "The server had an error while processing your request. Sorry!"),
    503: ("server_error", "The engine is currently overloaded, please try again later."),
}


# --- chat completions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Completion:
    """One planned answer: the output after the token cap, with ids and usage resolved."""

    id: str
    created: int
    model: str
    text: str | None
    tool_calls: tuple[ToolCall, ...]
    finish_reason: str
    usage: dict[str, Any]


def plan_completion(entry: Reply | ToolCalls | MidStreamReset, body: dict[str, Any]) -> Completion:
    text, calls, finish = _entry_output(entry)
    budget = _Budget(completion_cap(body))
    text = budget.take(text) if text is not None else None
    calls = _capped_calls(calls, budget)
    explicit = None if isinstance(entry, MidStreamReset) else entry.usage
    usage = explicit.as_dict() if explicit else usage_dict(prompt_tokens(body), budget.spent)
    return Completion(
        id=f"chatcmpl-{uuid.uuid4().hex[:24]}",
        created=int(time.time()),
        model=str(body.get("model", "")),
        text=text,
        tool_calls=calls,
        finish_reason="length" if budget.exhausted else finish,
        usage=usage,
    )


def _entry_output(
    entry: Reply | ToolCalls | MidStreamReset,
) -> tuple[str | None, tuple[ToolCall, ...], str]:
    if isinstance(entry, ToolCalls):
        calls = tuple(
            ToolCall(c.name, c.arguments, c.id or f"call_{_random_id(24)}") for c in entry.calls
        )
        return entry.text, calls, entry.finish_reason
    if isinstance(entry, Reply):
        return entry.text, (), entry.finish_reason
    return entry.text, (), "stop"


class _Budget:
    """Completion tokens spent so far against max_completion_tokens (None: no cap)."""

    def __init__(self, cap: int | None) -> None:
        self.remaining = cap
        self.spent = 0
        self.exhausted = False

    def take(self, text: str) -> str:
        tokens = encode(text)
        if self.remaining is not None and len(tokens) > self.remaining:
            tokens, self.exhausted = tokens[: self.remaining], True
            text = decode(tokens)
        self.spent += len(tokens)
        if self.remaining is not None:
            self.remaining -= len(tokens)
        return text


def _capped_calls(calls: tuple[ToolCall, ...], budget: _Budget) -> tuple[ToolCall, ...]:
    kept: list[ToolCall] = []
    for call in calls:
        arguments = budget.take(call.arguments)
        if budget.exhausted and not arguments:
            break  # the cap hit before this call started: the model never emitted it
        kept.append(ToolCall(call.name, arguments, call.id))
    return tuple(kept)


def completion_body(c: Completion) -> dict[str, Any]:
    message: dict[str, Any] = {
        "role": "assistant",
        "content": c.text,
        "refusal": None,
        "annotations": [],
    }
    if c.tool_calls:
        message["tool_calls"] = [
            {"id": t.id, "type": "function", "function": {"name": t.name, "arguments": t.arguments}}
            for t in c.tool_calls
        ]
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": c.finish_reason}
    return {**_envelope(c, "chat.completion"), "choices": [choice], "usage": c.usage}


def stream_chunks(c: Completion, *, chunk_size: int, include_usage: bool) -> list[dict[str, Any]]:
    """The chunks OpenAI would send, in order; the [DONE] sentinel is the transport's job."""
    chunks = [_chunk(c, delta, None) for delta in _deltas(c, max(1, chunk_size))]
    chunks.append(_chunk(c, {}, c.finish_reason))
    if include_usage:
        # OpenAI sends "usage": null on every chunk, then one usage chunk with no choices.
        for chunk in chunks:
            chunk["usage"] = None
        chunks.append({**_envelope(c, "chat.completion.chunk"), "choices": [], "usage": c.usage})
    return chunks


def _deltas(c: Completion, size: int) -> list[dict[str, Any]]:
    deltas: list[dict[str, Any]] = []
    if c.text is not None or not c.tool_calls:
        deltas.append({"role": "assistant", "content": "", "refusal": None})
        deltas.extend({"content": piece} for piece in _pieces(c.text or "", size))
    for index, call in enumerate(c.tool_calls):
        header: dict[str, Any] = {
            "tool_calls": [
                {
                    "index": index,
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": ""},
                }
            ]
        }
        if not deltas:
            # Without text, OpenAI puts the role on the first tool call's chunk.
            header = {"role": "assistant", "content": None, **header, "refusal": None}
        deltas.append(header)
        deltas.extend(
            {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}
            for piece in _pieces(call.arguments, size)
        )
    return deltas


def _chunk(c: Completion, delta: dict[str, Any], finish_reason: str | None) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
    return {**_envelope(c, "chat.completion.chunk"), "choices": [choice]}


def _envelope(c: Completion, obj: str) -> dict[str, Any]:
    return {
        "id": c.id,
        "object": obj,
        "created": c.created,
        "model": c.model,
        "service_tier": "default",
        "system_fingerprint": "fp_scripted",
    }


def _pieces(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)]


def _random_id(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


# --- errors -------------------------------------------------------------------------------------


def error_body(
    message: str, type_: str, *, param: str | None = None, code: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def fail_body(fail: Fail) -> dict[str, Any]:
    fallback = "invalid_request_error" if fail.status < 500 else "server_error"
    default_type, default_message = _ERROR_DEFAULTS.get(fail.status, (fallback, "Request failed."))
    return error_body(
        fail.message or default_message,
        fail.type or default_type,
        param=fail.param,
        code=fail.code,
    )


def chat_request_error(body: dict[str, Any]) -> dict[str, Any] | None:
    """The 400 OpenAI returns for a structurally invalid chat request, else None."""
    for required in ("model", "messages"):
        if required not in body:
            message = f"Missing required parameter: '{required}'."
            return error_body(message, "invalid_request_error", param=required)
    if body.get("stream_options") is not None and not body.get("stream"):
        message = "The 'stream_options' parameter is only allowed when 'stream' is enabled."
        return error_body(message, "invalid_request_error", param="stream_options")
    return None


# --- models --------------------------------------------------------------------------------------


def models_body(model_ids: tuple[str, ...]) -> dict[str, Any]:
    data = [{"id": m, "object": "model", "created": 0, "owned_by": "scripted"} for m in model_ids]
    return {"object": "list", "data": data}
