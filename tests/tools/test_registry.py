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


async def test_input_schemas_are_closed_objects_with_described_parameters() -> None:
    for tool in await listed_tools():
        schema = tool["inputSchema"]
        assert schema["type"] == "object"
        assert schema["additionalProperties"] is False
        assert not {"anyOf", "oneOf", "allOf", "$defs", "$ref"} & set(schema), tool["name"]
        for name, prop in schema["properties"].items():
            assert prop.get("description"), f"{tool['name']}.{name} has no description"
            assert "title" not in prop


async def test_every_tool_has_an_output_schema() -> None:
    for tool in await listed_tools():
        assert tool["outputSchema"]["type"] == "object", tool["name"]


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
    from pydantic import BaseModel

    from pimelo_mcp.tools.schema import compact_schema

    class Inner(BaseModel):
        code: str

    class Outer(BaseModel):
        inner: Inner | None = None
        labels: dict[str, str | None] = {}

    schema = compact_schema(Outer.model_json_schema(), closed=True)
    assert schema["properties"]["inner"] == {
        "properties": {"code": {"type": "string"}},
        "required": ["code"],
        "type": "object",
    }
    assert schema["properties"]["labels"]["additionalProperties"] == {
        "anyOf": [{"type": "string"}, {"type": "null"}]
    }
    assert "$ref" not in str(schema)
