"""JSON Schemas as a model should read them: pydantic's output without what costs tokens and says nothing.

`tools/list` is read by the model on every turn, so its size is a running cost. Pydantic
writes a `title` for every property, wraps each optional field in `anyOf: [X, null]` with
`default: null`, says `default: false` for every flag, `additionalProperties: true` for
every open object, and moves nested models into `$defs`. None of that helps a model:
optional fields are simply not required, flags are off unless given, objects are open
unless closed, and a nested model used once reads better inline.

Nor does `additionalProperties: false` on an argument object: the server refuses an unknown
name itself, at any depth, before any request, naming the ones that object takes
(`PimeloMCPServer.call_tool`, `pimelo_mcp.arguments`). No client acts on it, and saying it
costs every object six tokens (21 objects across the 14 tools, docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

_NULL = {"type": "null"}


def compact_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The same constraints in fewer tokens; unknown names are refused by the server, not here."""
    definitions = cast(Mapping[str, Any], schema.get("$defs", {}))
    return _compact(schema, definitions)


def output_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """A result's schema as a client needs it: its shape, not that the server adds nothing.

    A client validates what it receives against this; that an object is closed tells it
    nothing it could act on, and costs every tool's entry in `tools/list` a few tokens.
    """
    return compact_schema(schema)


def _compact(node: Any, definitions: Mapping[str, Any]) -> Any:
    if isinstance(node, list):
        return [_compact(item, definitions) for item in cast(list[Any], node)]
    if not isinstance(node, Mapping):
        return node
    schema = _resolve(dict(cast(Mapping[str, Any], node)), definitions)
    schema.pop("$defs", None)
    schema.pop("title", None)
    if isinstance(schema.get("additionalProperties"), bool):
        # true is JSON Schema's default; false is the server's to enforce (see the docstring)
        del schema["additionalProperties"]
    if "enum" in schema and schema.get("type") == "string":
        del schema["type"]  # the listed strings say it
    compacted: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "properties":
            compacted[key] = {
                name: _compact(prop, definitions)
                for name, prop in cast(Mapping[str, Any], value).items()
            }
        else:
            compacted[key] = _compact(value, definitions)
    return compacted


def _resolve(schema: dict[str, Any], definitions: Mapping[str, Any]) -> dict[str, Any]:
    """Inline `$ref`s and drop the null arm of an optional field, until neither is left on top.

    Only a field that is optional (`default: null`) loses its null arm: there, null and
    "not given" mean the same. Elsewhere (a map whose values may be null) null stays.
    """
    while True:
        ref = schema.pop("$ref", None)
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            schema = {**definitions[ref.removeprefix("#/$defs/")], **schema}
            continue
        variants = schema.get("anyOf")
        optional = "default" in schema and schema["default"] is None
        if optional and isinstance(variants, list) and _NULL in variants:
            rest = [variant for variant in cast(list[Any], variants) if variant != _NULL]
            del schema["anyOf"], schema["default"]
            if len(rest) == 1:
                schema = {**cast(Mapping[str, Any], rest[0]), **schema}
            elif rest:
                schema["anyOf"] = rest
            continue
        if "default" in schema and (
            schema["default"] is None
            or (schema["default"] is False and schema.get("type") == "boolean")
        ):
            del schema["default"]  # an omitted optional value is null, an omitted flag is off
        return schema
