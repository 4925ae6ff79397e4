"""The generated catalog the server lists tools from: it matches the registry, tool by tool.

`pimelo_mcp/tools/definitions.json` is what every model reads; a change to a tool's name,
description or schemas fails here until the file is regenerated, which makes the diff a
reviewed decision:
    python scripts/update_tool_definitions.py
"""

import json
from typing import Any

import pytest

from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server, catalog_entry
from pimelo_mcp.tools.all_tools import ALL_TOOLS
from pimelo_mcp.tools.catalog import DEFINITIONS_PATH, load_catalog, render_catalog

REGENERATE = "run: python scripts/update_tool_definitions.py"


def test_the_file_is_exactly_what_the_generator_writes() -> None:
    expected = render_catalog([catalog_entry(spec) for spec in ALL_TOOLS])
    assert DEFINITIONS_PATH.read_text(encoding="utf-8") == expected, REGENERATE


@pytest.mark.parametrize("spec", ALL_TOOLS, ids=lambda spec: spec.name)
def test_each_tool_is_listed_as_its_registry_entry_builds_it(spec: Any) -> None:
    stored = {entry.name: entry for entry in load_catalog()}.get(spec.name)
    assert stored is not None, f"{spec.name} is not in the catalog; {REGENERATE}"
    built = catalog_entry(spec)
    assert json.dumps(stored.definition, sort_keys=True) == json.dumps(
        built.definition, sort_keys=True
    ), f"{spec.name} changed: review the diff, then {REGENERATE}"
    assert stored.scopes == spec.scopes
    assert stored.read_only == spec.read_only
    assert stored.spec() is spec  # the module named finds the very same spec


def test_the_catalog_holds_the_registry_in_order() -> None:
    assert [entry.name for entry in load_catalog()] == [spec.name for spec in ALL_TOOLS]


async def test_the_server_lists_the_catalog_and_builds_nothing_until_a_call() -> None:
    server = build_server(Settings(api_token="pim_catalog_test", audit_path=None))
    listed = [
        tool.model_dump(by_alias=True, mode="json", exclude_none=True)
        for tool in await server.list_tools()
    ]
    assert listed == [entry.definition for entry in load_catalog()]
    tool = server.built_tool("get_product")
    assert tool is not None
    assert tool.parameters == load_catalog()[2].input_schema
    assert server.built_tool("get_product") is tool  # built once
    assert server.built_tool("no_such_tool") is None
