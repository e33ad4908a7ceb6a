"""Pydantic validation errors, reworded as OpenAI words them (SPEC §1.1).

OpenAI answers every malformed request with a 400 `invalid_request_error` whose `param` is a
dotted path (`tools[0].function.name`) and whose `code` names the failed rule
(`string_above_max_length`, `unknown_parameter`, ...). Only the first, most specific error is
reported, as OpenAI does. Unmapped error types keep pydantic's message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from core.errors import InvalidRequestError

__all__ = ["to_invalid_request"]

# Error types raised as `PydanticCustomError` by our request models; the type is OpenAI's code.
_CUSTOM_CODES: Final = frozenset(
    {
        "object_above_max_properties",
        "property_name_above_max_length",
        "string_above_max_length",
        "unsupported_parameter",
    }
)

_TYPE_ERRORS: Final = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "a boolean",
    "bool_parsing": "a boolean",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "an array",
}

_JSON_INVALID: Final = (
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
    "using your HTTP library correctly. The API expects a JSON payload, but what was sent was "
    "not valid JSON.)"
)

# Segments pydantic adds to a location for the member of a union it tried: a bare type name, or
# a schema name such as `list[...]`, `literal['auto']`, `tagged-union[...]` (never a field name:
# those have no brackets, or, like the form field `expires_after[anchor]`, an underscore).
_UNION_MEMBERS: Final = frozenset({"str", "int", "float", "bool", "dict", "list", "none"})
_UNION_SCHEMA: Final = re.compile(r"^[a-z-]+\[.*\]$")


def to_invalid_request(errors: Sequence[Any], body: Any) -> InvalidRequestError:
    """The 400 for a request that failed validation (`errors` from `RequestValidationError`)."""
    if not errors:
        return InvalidRequestError("Invalid request.")
    # Unions report one error per member; the deepest is the member the client meant.
    error = max(errors, key=lambda err: len(err.get("loc", ())))
    if error["type"] == "json_invalid":
        return InvalidRequestError(_JSON_INVALID)
    loc = tuple(error.get("loc", ()))
    source = loc[0] if loc else None
    param = param_path(loc[1:], body if source == "body" else None)
    return _describe(error, param)


def param_path(loc: Sequence[Any], body: Any) -> str | None:
    """`("tools", 0, "function", "function", "name")` -> `tools[0].function.name`.

    Drops what pydantic adds for unions: member names (`str`, `list[...]`) and the tag of a
    discriminated union, recognised as the `type` of the object at that point of `body`.
    """
    path = ""
    node, tag_dropped_at = body, None
    for index, part in enumerate(loc):
        if isinstance(part, int):
            path += f"[{part}]"
            node = node[part] if isinstance(node, list) and part < len(node) else None
            continue
        if part in _UNION_MEMBERS or _UNION_SCHEMA.match(part):
            continue
        # A tag is followed by the member's fields; a last segment that the object has is the
        # field itself (`{"type": "last_messages", "last_messages": 0}`).
        is_field = index == len(loc) - 1 and isinstance(node, dict) and part in node
        if (
            isinstance(node, dict)
            and node.get("type") == part
            and tag_dropped_at is not node
            and not is_field
        ):
            tag_dropped_at = node
            continue
        path += f".{part}" if path else part
        node = node.get(part) if isinstance(node, dict) else None
    return path or None


def _describe(error: dict[str, Any], param: str | None) -> InvalidRequestError:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind in {"missing", "union_tag_not_found"}:
        # A union without its `type` tag is missing that field.
        return _missing(param if kind == "missing" else _join(param, "type"))
    if kind == "extra_forbidden":
        return _error(f"Unknown parameter: '{param}'.", param, "unknown_parameter")
    if kind in _CUSTOM_CODES:
        return _error(f"Invalid '{param}': {error['msg']}.", param, kind)
    if kind in _TYPE_ERRORS:
        target = f"'{param}'" if param else "the request body"
        message = (
            f"Invalid type for {target}: expected {_TYPE_ERRORS[kind]}, "
            f"but got {_json_kind(value)}."
        )
        return _error(message, param, "invalid_type")
    described = _describe_limit(kind, ctx, value, param) or _describe_choice(
        kind, ctx, value, param
    )
    if described is not None:
        return described
    target = f"Invalid '{param}'" if param else "Invalid request body"
    return _error(f"{target}: {error['msg']}.", param, "invalid_value")


def _missing(param: str | None) -> InvalidRequestError:
    if param is None:
        return InvalidRequestError("The request body is missing: a JSON object is expected.")
    return _error(f"Missing required parameter: '{param}'.", param, "missing_required_parameter")


def _describe_choice(
    kind: str, ctx: dict[str, Any], value: Any, param: str | None
) -> InvalidRequestError | None:
    """A value outside a closed set (a literal, or the `type` tag of a union)."""
    if kind in {"literal_error", "enum"}:
        expected = str(ctx.get("expected", "")).replace(" or ", " and ")
        message = f"Invalid value: {_show(value)}. Supported values are: {expected}."
        return _error(message, param, "invalid_value")
    if kind == "union_tag_invalid":
        message = (
            f"Invalid value: '{ctx.get('tag')}'. Supported values are: {ctx['expected_tags']}."
        )
        return _error(message, _join(param, "type"), "invalid_value")
    return None


def _describe_limit(
    kind: str, ctx: dict[str, Any], value: Any, param: str | None
) -> InvalidRequestError | None:
    """Length and range errors, in OpenAI's `..._above_max_...` wording."""
    if kind in {"string_too_long", "string_too_short", "too_long", "too_short"}:
        subject = "string" if kind.startswith("string") else "array"
        longer = kind.endswith("too_long")
        bound = ctx["max_length" if longer else "min_length"]
        actual = ctx.get("actual_length", len(value) if isinstance(value, str | list) else "?")
        word, size = ("long", "maximum") if longer else ("short", "minimum")
        message = (
            f"Invalid '{param}': {subject} too {word}. Expected {_article(subject)} with {size} "
            f"length {bound}, but got {_article(subject)} with length {actual} instead."
        )
        code = f"{subject}_{'above_max' if longer else 'below_min'}_length"
        return _error(message, param, code)
    if kind in {"less_than_equal", "less_than", "greater_than_equal", "greater_than"}:
        return _describe_range(kind, ctx, value, param)
    if kind == "string_pattern_mismatch":
        message = (
            f"Invalid '{param}': string does not match pattern. Expected a string that matches "
            f"the pattern '{ctx.get('pattern')}'."
        )
        return _error(message, param, "invalid_value")
    return None


def _describe_range(
    kind: str, ctx: dict[str, Any], value: Any, param: str | None
) -> InvalidRequestError:
    above = kind.startswith("less_than")
    symbol = {"less_than_equal": "<=", "less_than": "<", "greater_than_equal": ">="}.get(kind, ">")
    bound = next(iter(ctx.values()), "?")
    # The bound has the field's type (query values arrive as strings, so not the input's).
    number = "integer" if isinstance(bound, int) else "decimal"
    side = "above maximum" if above else "below minimum"
    message = (
        f"Invalid '{param}': {number} {side} value. Expected a value {symbol} "
        f"{_number(bound)}, but got {value if isinstance(value, str) else _number(value)} "
        "instead."
    )
    return _error(message, param, f"{number}_{'above_max' if above else 'below_min'}_value")


def _error(message: str, param: str | None, code: str) -> InvalidRequestError:
    return InvalidRequestError(message, param=param, code=code)


def _article(subject: str) -> str:
    return f"an {subject}" if subject == "array" else f"a {subject}"


def _join(param: str | None, child: str) -> str:
    return f"{param}.{child}" if param else child


def _number(value: Any) -> str:
    """`2.0` -> `2` (the bound as written in the spec), other values unchanged."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _show(value: Any) -> str:
    return f"'{value}'" if isinstance(value, str) else _number(value)


def _json_kind(value: Any) -> str:
    """How a JSON value's type reads in a message ("an integer", "null", ...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    kinds = {int: "an integer", float: "a number", str: "a string", dict: "an object"}
    return next((name for cls, name in kinds.items() if isinstance(value, cls)), "an array")
