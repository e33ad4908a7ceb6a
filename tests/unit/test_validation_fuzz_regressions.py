"""Regressions found by tests/reliability fuzzing: the `param` of validation errors."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.validation_errors import param_path, to_invalid_request
from core.objects.params import RunCreateParams


def test_a_field_named_like_the_objects_type_is_kept() -> None:
    """`{"type": "last_messages", "last_messages": 0}`: the last segment is the field, not a
    union tag (it was dropped, and the error named only `truncation_strategy`)."""
    body = {"truncation_strategy": {"type": "last_messages", "last_messages": 0}}
    loc = ("truncation_strategy", "last_messages")
    assert param_path(loc, body) == "truncation_strategy.last_messages"


def test_a_union_tag_is_still_dropped() -> None:
    tool = {"type": "function", "function": {"name": "bad name!"}}
    loc = ("tools", 0, "function", "function", "name")
    assert param_path(loc, {"tools": [tool]}) == "tools[0].function.name"
    # An unknown field beside the member's own same-named field.
    loc = ("tools", 0, "function", "bogus")
    assert param_path(loc, {"tools": [{**tool, "bogus": 1}]}) == "tools[0].bogus"
    # The member's field itself is the last segment, after the tag.
    loc = ("tools", 0, "function", "function")
    assert param_path(loc, {"tools": [{"type": "function", "function": 5}]}) == "tools[0].function"


def test_truncation_last_messages_below_one_names_the_field() -> None:
    body = {
        "assistant_id": "asst_x",
        "truncation_strategy": {"type": "last_messages", "last_messages": 0},
    }
    with pytest.raises(ValidationError) as raised:
        RunCreateParams.model_validate(body)
    # FastAPI reports body errors under a leading "body" segment.
    errors = [{**error, "loc": ("body", *error["loc"])} for error in raised.value.errors()]
    error = to_invalid_request(errors, body)
    assert (error.param, error.code) == (
        "truncation_strategy.last_messages",
        "integer_below_min_value",
    )
