"""Object ids: one prefix table (SPEC §1), deterministic with an injected uuid."""

from __future__ import annotations

import re
import uuid
from typing import get_args

import pytest

from core import ids

EXPECTED_PREFIXES = {
    "assistant": "asst_",
    "thread": "thread_",
    "message": "msg_",
    "run": "run_",
    "step": "step_",
    "call": "call_",
    "file": "file-",
    "vector_store": "vs_",
    "file_batch": "vsfb_",
}
FIXED = uuid.UUID("12345678-1234-5678-1234-567812345678")


def test_prefix_table_matches_spec() -> None:
    """Every kind has the prefix OpenAI uses; files take a hyphen, not an underscore."""
    assert ids.PREFIXES == EXPECTED_PREFIXES
    assert set(get_args(ids.IdKind)) == set(ids.PREFIXES)


@pytest.mark.parametrize("kind", list(EXPECTED_PREFIXES))
def test_new_id_with_injected_uuid_is_deterministic(kind: ids.IdKind) -> None:
    """Workflows pass `workflow.uuid4()`; replaying must mint the very same id."""
    first = ids.new_id(kind, uuid=FIXED)
    assert first == ids.new_id(kind, uuid=FIXED)
    assert first == EXPECTED_PREFIXES[kind] + FIXED.hex[:24]
    assert ids.new_id(kind, uuid=uuid.UUID("87654321-4321-8765-4321-876543218765")) != first


@pytest.mark.parametrize("kind", list(EXPECTED_PREFIXES))
def test_new_id_without_uuid_is_random_and_well_formed(kind: ids.IdKind) -> None:
    minted = {ids.new_id(kind) for _ in range(50)}
    assert len(minted) == 50
    pattern = re.compile(re.escape(EXPECTED_PREFIXES[kind]) + r"[0-9a-f]{24}")
    assert all(pattern.fullmatch(value) for value in minted)


@pytest.mark.parametrize("kind", list(EXPECTED_PREFIXES))
def test_minted_ids_have_their_own_prefix(kind: ids.IdKind) -> None:
    assert ids.has_prefix(kind, ids.new_id(kind))


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        ("thread", "thread_abc", True),
        ("thread", "thread_", False),
        ("thread", "undefined", False),
        ("thread", "run_abc", False),
        ("file", "file-abc", True),
        ("file", "file_abc", False),
        ("vector_store", "vsfb_abc", False),
        ("file_batch", "vsfb_abc", True),
        ("assistant", "", False),
    ],
    ids=lambda v: repr(v) if isinstance(v, str) else None,
)
def test_has_prefix(kind: ids.IdKind, value: str, expected: bool) -> None:
    """Ids are checked by prefix, as OpenAI does (`Expected an ID that begins with 'thread'`)."""
    assert ids.has_prefix(kind, value) is expected
