"""`parse_filters` and filter evaluation, without a database."""

from __future__ import annotations

from typing import Any

import pytest

from core.errors import InvalidRequestError
from core.retrieval import ComparisonFilter, CompoundFilter, parse_filters

ATTRS: dict[str, str | float | bool] = {"genre": "poetry", "pages": 120, "signed": True}


def matches(raw: dict[str, Any], attributes: dict[str, str | float | bool] | None = ATTRS) -> bool:
    parsed = parse_filters(raw)
    assert parsed is not None
    return parsed.matches(attributes)


def test_none_means_no_filter() -> None:
    assert parse_filters(None) is None


def test_parsed_shapes() -> None:
    raw = {"type": "and", "filters": [{"type": "in", "key": "k", "value": ["a", 2]}]}
    assert parse_filters(raw) == CompoundFilter("and", (ComparisonFilter("in", "k", ("a", 2.0)),))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"type": "eq", "key": "genre", "value": "poetry"}, True),
        ({"type": "eq", "key": "genre", "value": "Poetry"}, False),
        ({"type": "eq", "key": "pages", "value": 120.0}, True),
        ({"type": "eq", "key": "pages", "value": "120"}, False),
        ({"type": "eq", "key": "signed", "value": 1}, False),  # a boolean is not a number
        ({"type": "eq", "key": "signed", "value": True}, True),
        ({"type": "ne", "key": "genre", "value": "prose"}, True),
        ({"type": "gt", "key": "pages", "value": 100}, True),
        ({"type": "gte", "key": "pages", "value": 120}, True),
        ({"type": "lt", "key": "pages", "value": 120}, False),
        ({"type": "lte", "key": "pages", "value": 120}, True),
        ({"type": "gt", "key": "genre", "value": "novel"}, True),  # strings order by code point
        ({"type": "gt", "key": "genre", "value": 3}, False),  # other kinds never order
        ({"type": "in", "key": "genre", "value": ["prose", "poetry"]}, True),
        ({"type": "nin", "key": "genre", "value": ["prose", "poetry"]}, False),
    ],
)
def test_comparisons(raw: dict[str, Any], expected: bool) -> None:
    assert matches(raw) is expected


@pytest.mark.parametrize(
    ("kind", "expected"),
    [("eq", False), ("gt", False), ("lte", False), ("in", False), ("ne", True), ("nin", True)],
)
def test_a_missing_key_matches_only_the_negations(kind: str, expected: bool) -> None:
    value: object = ["x"] if kind in ("in", "nin") else 1
    raw = {"type": kind, "key": "absent", "value": value}
    assert matches(raw) is expected
    assert matches(raw, attributes=None) is expected


def test_compounds_nest() -> None:
    inner = {"type": "or", "filters": [
        {"type": "eq", "key": "genre", "value": "prose"},
        {"type": "lt", "key": "pages", "value": 200},
    ]}  # fmt: skip
    assert matches(
        {"type": "and", "filters": [inner, {"type": "eq", "key": "signed", "value": True}]}
    )
    assert not matches(
        {"type": "and", "filters": [inner, {"type": "eq", "key": "signed", "value": False}]}
    )


def _nested(depth: int) -> dict[str, Any]:
    raw: dict[str, Any] = {"type": "eq", "key": "genre", "value": "poetry"}
    for _ in range(depth):
        raw = {"type": "and", "filters": [raw]}
    return raw


@pytest.mark.parametrize(
    "raw",
    [
        "eq",
        {},
        {"type": "like", "key": "genre", "value": "p%"},
        {"type": "eq", "value": "poetry"},
        {"type": "eq", "key": "", "value": "poetry"},
        {"type": "eq", "key": 3, "value": "poetry"},
        {"type": "eq", "key": "genre"},
        {"type": "eq", "key": "genre", "value": None},
        {"type": "eq", "key": "genre", "value": {"nested": 1}},
        {"type": "eq", "key": "genre", "value": ["poetry"]},
        {"type": "gt", "key": "signed", "value": False},
        {"type": "in", "key": "genre", "value": "poetry"},
        {"type": "in", "key": "genre", "value": [None]},
        {"type": "eq", "key": "genre", "value": "poetry", "extra": 1},
        {"type": "and"},
        {"type": "and", "filters": []},
        {"type": "or", "filters": {"type": "eq", "key": "genre", "value": "poetry"}},
        {"type": "or", "filters": ["eq"]},
        {"type": "and", "filters": [{"type": "eq", "key": "genre"}]},
        _nested(11),
    ],
)
def test_bad_shapes_are_invalid_requests(raw: Any) -> None:
    with pytest.raises(InvalidRequestError) as raised:
        parse_filters(raw)
    assert raised.value.param == "filters"
    assert raised.value.message.startswith("Invalid 'filters'")


def test_ten_levels_of_nesting_are_allowed() -> None:
    assert matches(_nested(10))
