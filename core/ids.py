"""Object ids. The prefix table lives here and nowhere else (SPEC §1)."""

from __future__ import annotations

import uuid as uuid_module
from typing import Final, Literal

IdKind = Literal[
    "assistant", "thread", "message", "run", "step", "call", "file", "vector_store", "file_batch"
]

PREFIXES: Final[dict[IdKind, str]] = {
    "assistant": "asst_",
    "thread": "thread_",
    "message": "msg_",
    "run": "run_",
    "step": "step_",
    "call": "call_",
    # OpenAI's file ids use a hyphen, not an underscore.
    "file": "file-",
    "vector_store": "vs_",
    "file_batch": "vsfb_",
}


def new_id(kind: IdKind, *, uuid: uuid_module.UUID | None = None) -> str:
    """Mint an id of `kind`. Workflows pass `workflow.uuid4()` so replays mint the same id."""
    value = uuid if uuid is not None else uuid_module.uuid4()
    return PREFIXES[kind] + value.hex[:24]


def has_prefix(kind: IdKind, value: str) -> bool:
    """Whether `value` looks like an id of `kind` (prefix plus at least one character)."""
    prefix = PREFIXES[kind]
    return value.startswith(prefix) and len(value) > len(prefix)
