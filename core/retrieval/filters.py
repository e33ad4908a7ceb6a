"""Attribute filters (OpenAI's ComparisonFilter / CompoundFilter) and their evaluation.

Semantics, applied to a vector-store file's `attributes`:
- `eq`/`ne` compare values of the same kind: strings with strings, numbers with numbers (ints and
  floats alike), booleans with booleans. A boolean is never a number here, although Python says
  `True == 1`.
- `gt`/`gte`/`lt`/`lte` order numbers, or strings (by code point); other kinds do not match.
- `in`/`nin` take a list of values: `in` matches when `eq` matches one of them.
- A file without the key, or with a value of another kind, does not match a comparison, except
  `ne` and `nin`, which are the exact negations of `eq` and `in`: `ne` matches every file that
  `eq` does not, including files without the key ("not equal to 'x'" holds for no value at all).
- `and`/`or` combine at least one filter each, nested at most `MAX_DEPTH` levels.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias, cast

from core.errors import InvalidRequestError
from core.retrieval.types import AttributeValue

__all__ = [
    "MAX_DEPTH",
    "AttributeFilter",
    "ComparisonFilter",
    "CompoundFilter",
    "parse_filters",
]

MAX_DEPTH = 10
"""Nesting limit of compound filters, so a hostile request cannot exhaust the stack."""

ComparisonType: TypeAlias = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin"]
Attributes: TypeAlias = Mapping[str, AttributeValue] | None

_ORDERINGS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
_COMPARISON_TYPES = frozenset({"eq", "ne", "in", "nin", *_ORDERINGS})


@dataclass(frozen=True)
class ComparisonFilter:
    """`{"type": "eq", "key": "author", "value": "Ada"}` and the other comparisons."""

    type: ComparisonType
    key: str
    value: AttributeValue | tuple[AttributeValue, ...]

    def matches(self, attributes: Attributes) -> bool:
        """Whether a file with these attributes passes the comparison."""
        if self.type in ("ne", "nin"):
            positive: ComparisonType = "eq" if self.type == "ne" else "in"
            return not ComparisonFilter(positive, self.key, self.value).matches(attributes)
        if attributes is None or self.key not in attributes:
            return False
        actual = attributes[self.key]
        if isinstance(self.value, tuple):
            return any(_equal(actual, option) for option in self.value)
        if self.type == "eq":
            return _equal(actual, self.value)
        if _kind(actual) != _kind(self.value) or _kind(actual) == "bool":
            return False
        return _ORDERINGS[self.type](actual, self.value)


@dataclass(frozen=True)
class CompoundFilter:
    """`{"type": "and" | "or", "filters": [...]}`."""

    type: Literal["and", "or"]
    filters: tuple[AttributeFilter, ...]

    def matches(self, attributes: Attributes) -> bool:
        """Whether a file with these attributes passes all (`and`) or any (`or`) filters."""
        results = (f.matches(attributes) for f in self.filters)
        return all(results) if self.type == "and" else any(results)


AttributeFilter: TypeAlias = ComparisonFilter | CompoundFilter
"""A parsed `filters` value."""


def parse_filters(raw: Mapping[str, Any] | None) -> AttributeFilter | None:
    """The filter a request's `filters` describes, or None for none.

    Raises:
        InvalidRequestError: (param `filters`) the shape is not a comparison or compound filter.
    """
    if raw is None:
        return None
    return _parse(raw, "filters", 0)


def _parse(raw: object, path: str, depth: int) -> AttributeFilter:
    if not isinstance(raw, Mapping):
        raise _invalid(f"{path} must be an object")
    kind = raw.get("type")
    if kind in ("and", "or"):
        return _compound(raw, kind, path, depth)
    if kind in _COMPARISON_TYPES:
        return _comparison(raw, cast(ComparisonType, kind), path)
    raise _invalid(
        f"{path}.type must be one of and, or, {', '.join(sorted(_COMPARISON_TYPES))}; got {kind!r}"
    )


def _compound(
    raw: Mapping[str, Any], kind: Literal["and", "or"], path: str, depth: int
) -> CompoundFilter:
    _only_keys(raw, {"type", "filters"}, path)
    if depth >= MAX_DEPTH:
        raise _invalid(f"filters are nested more than {MAX_DEPTH} levels deep")
    children = raw.get("filters")
    if not isinstance(children, Sequence) or isinstance(children, str) or not children:
        raise _invalid(f"{path}.filters must be a non-empty array of filters")
    parsed = tuple(_parse(c, f"{path}.filters[{i}]", depth + 1) for i, c in enumerate(children))
    return CompoundFilter(kind, parsed)


def _comparison(raw: Mapping[str, Any], kind: ComparisonType, path: str) -> ComparisonFilter:
    _only_keys(raw, {"type", "key", "value"}, path)
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        raise _invalid(f"{path}.key must be a non-empty string")
    if "value" not in raw:
        raise _invalid(f"{path}.value is required")
    value = raw["value"]
    if kind in ("in", "nin"):
        if not isinstance(value, Sequence) or isinstance(value, str):
            raise _invalid(f"{path}.value must be an array for '{kind}'")
        return ComparisonFilter(kind, key, tuple(_scalar(v, f"{path}.value") for v in value))
    scalar = _scalar(value, f"{path}.value")
    if kind in _ORDERINGS and isinstance(scalar, bool):
        raise _invalid(f"{path}.value must be a number or a string for '{kind}'")
    return ComparisonFilter(kind, key, scalar)


def _scalar(value: object, path: str) -> AttributeValue:
    if isinstance(value, str | bool | float):
        return value
    if isinstance(value, int):
        return float(value)
    raise _invalid(f"{path} must be a string, a number or a boolean")


def _only_keys(raw: Mapping[str, Any], allowed: set[str], path: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise _invalid(f"{path} has unknown fields: {', '.join(map(str, unknown))}")


def _kind(value: object) -> str:
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, int | float) else "string"


def _equal(actual: object, expected: object) -> bool:
    return _kind(actual) == _kind(expected) and actual == expected


def _invalid(detail: str) -> InvalidRequestError:
    return InvalidRequestError(f"Invalid 'filters': {detail}.", param="filters")
