"""A tool call's arguments, checked strictly: JSON types are never coerced, and each refusal
names the parameter, what it expects and an example.

The SDK validates leniently (`"7"` becomes 7, `"yes"` becomes true). A model that sends a
string where the schema says integer has misread the schema; guessing for it hides the
mistake and, for a write, may change what is written. One leniency is kept, as the SDK
keeps it: an array or object sent as a JSON string (some clients do) is read as that JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as ArgumentsError

# What a type error expects, and an example of a right value (by pydantic's error type).
EXPECTED: Mapping[str, tuple[str, str]] = {
    "int_type": ("an integer (a whole JSON number, not a string)", "20"),
    "int_parsing": ("an integer (a whole JSON number, not a string)", "20"),
    "int_from_float": ("a whole number", "20"),
    "float_type": ("a number (a JSON number, not a string)", "12.5"),
    "float_parsing": ("a number (a JSON number, not a string)", "12.5"),
    "bool_type": ("a boolean: true or false (not a string or a number)", "true"),
    "bool_parsing": ("a boolean: true or false (not a string or a number)", "true"),
    "string_type": ("a string", '"text"'),
    "list_type": ("an array", '["a", "b"]'),
    "dict_type": ("an object", '{"key": "value"}'),
    "model_type": ("an object", '{"key": "value"}'),
    "model_attributes_type": ("an object", '{"key": "value"}'),
}
MAX_SHOWN_INPUT = 60


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _shown(value: object) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= MAX_SHOWN_INPUT else text[: MAX_SHOWN_INPUT - 3] + "..."


def _example(kind: str, given: object) -> str:
    """A right value, close to the given one when it can be (`"7"` → 7)."""
    example = EXPECTED[kind][1]
    if isinstance(given, str):
        text = given.strip()
        if kind in ("int_type", "int_parsing") and text.lstrip("-").isdigit():
            return str(int(text))
        if kind in ("bool_type", "bool_parsing") and text.lower() in ("true", "false"):
            return text.lower()
    return example


def _path(loc: Sequence[int | str]) -> str:
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc).lstrip(".")


def _names_taken(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The names the object at `loc` takes, read from the model's JSON schema (none if unsure)."""
    schema = model.model_json_schema()
    definitions: Mapping[str, Any] = schema.get("$defs", {})

    def holding(node: Mapping[str, Any], key: str) -> Mapping[str, Any] | None:
        # An optional field is anyOf [X, null]; a nested model is a $ref to its definition.
        for variant in (node, *node.get("anyOf", ())):
            ref = variant.get("$ref")
            if isinstance(ref, str):
                variant = definitions.get(ref.removeprefix("#/$defs/"), {})
            if key in variant:
                return variant
        return None

    node: Mapping[str, Any] = schema
    for part in loc:
        holder = holding(node, "items" if isinstance(part, int) else "properties")
        if holder is None:
            return []
        node = holder["items"] if isinstance(part, int) else holder["properties"].get(part, {})
    holder = holding(node, "properties")
    return list(holder["properties"]) if holder is not None else []


def format_argument_errors(
    tool: str, error: ArgumentsError, model: type[BaseModel] | None = None
) -> str:
    """One line per wrong argument: where, what it expects, an example, what was given.

    With the arguments' `model`, an unknown name inside an object also says the names that
    object takes (the listed schema does not say that objects are closed: docs/performance.md).
    """
    lines: list[str] = []
    for item in error.errors(include_url=False):
        path = _path(item["loc"]) or "arguments"
        given = item.get("input")
        kind = item["type"]
        if kind == "extra_forbidden":
            taken = _names_taken(model, item["loc"][:-1]) if model else []
            where = _path(item["loc"][:-1]) or "the arguments"
            lines.append(
                f"{path}: unknown name; {where} takes "
                + (", ".join(taken) if taken else "only the names its schema lists")
            )
        elif kind in EXPECTED:
            expected = EXPECTED[kind][0]
            lines.append(
                f"{path}: expected {expected}, e.g. {_example(kind, given)}; "
                f"got {_shown(given)} ({_json_kind(given)})"
            )
        else:
            lines.append(f"{path}: {item['msg']} (got {_shown(given)})")
    return f"Invalid arguments for {tool}, nothing was sent: " + "; ".join(lines)


def strict_arguments(
    arguments: Mapping[str, Any],
    model: type[BaseModel],
    pre_parse: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """Validate `arguments` against `model` with no coercion between JSON types.

    Raises pydantic's ValidationError (format it with `format_argument_errors`).
    """
    parsed = pre_parse(dict(arguments))
    kept = {
        # An array or object given as a JSON string stays accepted (see the module docstring);
        # a scalar parsed out of a string ("7", "true") does not.
        key: parsed[key]
        if isinstance(value, str) and isinstance(parsed[key], list | dict)
        else value
        for key, value in arguments.items()
    }
    model.model_validate_json(json.dumps(kept, allow_nan=False), strict=True)
