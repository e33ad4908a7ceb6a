"""RunInput refuses bad input in the caller's process, before any workflow starts."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from workflows.types import RunInput

GOOD: dict[str, Any] = {
    "run_id": "run_abc",
    "thread_id": "thread_abc",
    "assistant_id": "asst_abc",
    "project_id": "proj",
    "model": "gpt-4o",
    "created_at": 1_700_000_000,
    "expires_at": 1_700_000_600,
}


def test_a_well_formed_input_is_accepted() -> None:
    assert RunInput(**GOOD).run_id == "run_abc"


@pytest.mark.parametrize(
    "change",
    [
        {"run_id": "thread_abc"},
        {"thread_id": "undefined"},
        {"assistant_id": ""},
        {"model": ""},
        {"expires_at": 1_699_999_999},
        {"max_prompt_tokens": 0},
        {"max_completion_tokens": -5},
    ],
    ids=[
        "run-prefix",
        "thread-prefix",
        "assistant-empty",
        "model",
        "expiry",
        "prompt",
        "completion",
    ],
)
def test_bad_input_is_refused(change: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RunInput(**{**GOOD, **change})


def test_unknown_fields_from_a_newer_caller_are_ignored() -> None:
    """Payloads are forward compatible: an older worker accepts a newer API's extra field."""
    assert RunInput(**GOOD, future_field=1).model_dump().get("future_field") is None
