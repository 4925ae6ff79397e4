"""Registry-wide rules every tool keeps: names, metadata, annotations, schema shape, scopes."""

import re
from typing import Any

import pytest

from pimelo_mcp.config import Settings
from pimelo_mcp.sandbox.settings import SCOPES
from pimelo_mcp.server import build_server
from pimelo_mcp.tools.all_tools import ALL_TOOLS
from pimelo_mcp.tools.catalog import select_tools

EXPECTED = [
    "list_channels",
    "search_products",
    "get_product",
    "create_products",
    "update_products",
    "search_entities",
    "get_entity",
    "create_entities",
    "update_entities",
    "search_attributes",
    "create_attribute",
    "update_attribute",
    "search_media",
    "upload_media",
]
BATCH_WRITES = {"create_products", "update_products", "create_entities", "update_entities"}


async def listed_tools(**settings: Any) -> list[dict[str, Any]]:
    server = build_server(Settings(api_token="pim_registry_test", audit_path=None, **settings))
    return [
        t.model_dump(by_alias=True, mode="json", exclude_none=True)
        for t in await server.list_tools()
    ]


def test_the_fourteen_tools_are_registered_in_order() -> None:
    assert [spec.name for spec in ALL_TOOLS] == EXPECTED


def test_names_are_unique_verb_noun() -> None:
    names = [spec.name for spec in ALL_TOOLS]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z]+_[a-z_]+", name) for name in names)


@pytest.mark.parametrize("spec", ALL_TOOLS, ids=lambda spec: spec.name)
def test_scopes_are_pimelo_scopes_and_match_the_kind_of_tool(spec: Any) -> None:
    assert spec.scope in SCOPES
    assert set(spec.needs) <= set(SCOPES)
    assert all(scope.endswith(":read") for scope in spec.needs)
    assert spec.scope.endswith(":read") == spec.read_only
    extras = {extra.scope for extra in spec.extras}
    assert extras <= set(SCOPES)
    assert not extras & set(spec.scopes), "a scope is either needed or extra, not both"
    if spec.read_only:
        assert spec.needs == (), "a read tool works with its own scope alone"


async def test_every_tool_has_title_description_and_all_four_annotations() -> None:
    for tool in await listed_tools():
        assert tool["title"]
        assert 20 <= len(tool["description"]) <= 400, tool["name"]
        assert set(tool["annotations"]) >= {
            "readOnlyHint",
            "destructiveHint",
            "idempotentHint",
            "openWorldHint",
        }
        if tool["annotations"]["readOnlyHint"]:
            assert tool["annotations"]["destructiveHint"] is False


# Parameters whose name says what to give, and why that is enough. Any other parameter, at
# any depth, carries a description; each description is read on every turn, so none repeats
# what its name, its schema (enum, pattern, bounds) or its tool's description already says.
SELF_EXPLANATORY: dict[str, str] = {
    "query": "free text; search_products' description says how it matches",
    "limit": "a page size; its bounds and default are in the schema",
    "cursor": "the next_cursor of the previous page",
    "dry_run": "a preview that writes nothing",
    "items": "the batch; its bounds are in the schema and its fields are described below it",
    "locale": "a code from list_channels, whose description says other tools take them",
    "channel": "a code from list_channels, whose description says other tools take them",
    "identifier": "a product's identifier (SKU), as every product answer names it",
    "code": "the code answers name a record by; a new one shows its pattern",
    "codes": "attribute codes",
    "entity_type": "a type code, as search_entities lists them",
    "attribute": "an attribute code",
    "attribute_set": "an attribute set code, as search_attributes lists them",
    "attribute_sets": "the attribute sets the new attribute joins",
    "categories": "category codes",
    "status": "its enum lists the three statuses",
    "op": "its enum lists the operators; search_products says which fit which type",
    "value": "the operand of op",
    "fields": "attribute codes whose values to show",
    "full": "get_product's description says full shows every locale and channel",
    "with_completeness": "adds completeness to the answer",
    "type": "an attribute type; create_attribute's enum lists them, update_attribute says fixed",
    "group": "an attribute group code",
    "labels": "labels by locale (create_attribute and update_entities say so)",
    "values": "create_entities' description points to update_entities, which describes them",
    "localizable": "whether values differ per locale",
    "validation": "update_attribute's description says maps merge",
    "include_image": "search_media's description says it goes with code",
    "mime_type": "a file type, as media answers name it",
    "content_base64": "the file's bytes in base64; upload_media takes one of url, path or it",
}


def parameters(schema: dict[str, Any], path: str = "") -> list[tuple[str, str, dict[str, Any]]]:
    """(path, name, schema) of every parameter, nested ones (items, objects) included."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for name, prop in schema.get("properties", {}).items():
        found.append((f"{path}{name}", name, prop))
        found += parameters(prop, f"{path}{name}.")
        if isinstance(prop.get("items"), dict):
            found += parameters(prop["items"], f"{path}{name}[].")
    return found


async def test_input_schemas_are_plain_objects_without_titles() -> None:
    for tool in await listed_tools():
        schema = tool["inputSchema"]
        assert schema["type"] == "object"
        assert not {"anyOf", "oneOf", "allOf", "$defs", "$ref"} & set(schema), tool["name"]
        for path, _, prop in parameters(schema):
            assert "title" not in prop, f"{tool['name']}.{path}"


async def test_every_parameter_is_described_or_self_explanatory() -> None:
    undescribed: set[str] = set()
    for tool in await listed_tools():
        for path, name, prop in parameters(tool["inputSchema"]):
            if not prop.get("description"):
                assert name in SELF_EXPLANATORY, f"{tool['name']}.{path} has no description"
                undescribed.add(name)
    # Each name listed is one the tools use undescribed: the list holds no stale excuse.
    assert set(SELF_EXPLANATORY) == undescribed


async def test_reads_declare_an_output_schema_and_only_writes_leave_it_out() -> None:
    specs = {spec.name: spec for spec in ALL_TOOLS}
    for tool in await listed_tools():
        if specs[tool["name"]].declares_output:
            assert tool["outputSchema"]["type"] == "object", tool["name"]
        else:
            assert "outputSchema" not in tool, tool["name"]
            assert not tool["annotations"]["readOnlyHint"], tool["name"]
    assert all(spec.declares_output for spec in ALL_TOOLS if spec.read_only)


async def test_batch_writes_take_one_to_a_hundred_items_and_a_dry_run() -> None:
    for tool in await listed_tools():
        if tool["name"] in BATCH_WRITES:
            items = tool["inputSchema"]["properties"]["items"]
            assert (items["minItems"], items["maxItems"]) == (1, 100)
            assert "dry_run" in tool["inputSchema"]["properties"]


async def test_read_only_mode_lists_only_read_tools() -> None:
    tools = await listed_tools(read_only=True)
    assert tools
    assert all(tool["annotations"]["readOnlyHint"] for tool in tools)


def test_scopes_select_the_tools_a_token_can_use() -> None:
    # Product reads do without definitions (issue: a token without attributes:read got none).
    chosen = select_tools(ALL_TOOLS, scopes={"products:read", "settings:read"}, read_only=False)
    assert {spec.name for spec in chosen} == {"list_channels", "search_products", "get_product"}
    chosen = select_tools(ALL_TOOLS, scopes={"products:read"}, read_only=False)
    assert {spec.name for spec in chosen} == {"search_products", "get_product"}
    chosen = select_tools(ALL_TOOLS, scopes={"entities:read"}, read_only=False)
    assert {spec.name for spec in chosen} == {"search_entities", "get_entity"}
    # Writes still need the definitions their values are written against.
    chosen = select_tools(
        ALL_TOOLS, scopes={"products:read", "products:write", "settings:read"}, read_only=False
    )
    assert {spec.name for spec in chosen} == {"list_channels", "search_products", "get_product"}
    assert select_tools(ALL_TOOLS, scopes=None, read_only=False) == list(ALL_TOOLS)


def test_compaction_inlines_optional_nested_models_and_keeps_nullable_map_values() -> None:
    from pydantic import BaseModel, ConfigDict

    from pimelo_mcp.tools.schema import compact_schema

    class Inner(BaseModel):
        model_config = ConfigDict(extra="forbid")  # the server refuses other names itself
        code: str

    class Outer(BaseModel):
        model_config = ConfigDict(extra="forbid")
        inner: Inner | None = None
        labels: dict[str, str | None] = {}

    schema = compact_schema(Outer.model_json_schema())
    assert "additionalProperties" not in schema
    assert schema["properties"]["inner"] == {
        "properties": {"code": {"type": "string"}},
        "required": ["code"],
        "type": "object",
    }
    assert schema["properties"]["labels"]["additionalProperties"] == {
        "anyOf": [{"type": "string"}, {"type": "null"}]
    }
    assert "$ref" not in str(schema)
