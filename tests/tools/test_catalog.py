"""The generated catalog the server lists tools from: it matches the registry, tool by tool.

`pimelo_mcp/tools/definitions.json` is what every model reads; a change to a tool's name,
description or schemas fails here until the file is regenerated, which makes the diff a
reviewed decision:
    python scripts/update_tool_definitions.py
"""

import json
import subprocess
import sys
from typing import Any

import pytest
from mcp.server.mcpserver.exceptions import ToolError

from pimelo_mcp.config import Settings
from pimelo_mcp.server import PimeloMCPServer, build_server, catalog_entry
from pimelo_mcp.tools.all_tools import ALL_TOOLS, APP_TOOLS, SWITCHED_TOOLS
from pimelo_mcp.tools.catalog import (
    DEFINITIONS_PATH,
    CatalogEntry,
    load_catalog,
    load_full_catalog,
    render_catalog,
)

REGENERATE = "run: python scripts/update_tool_definitions.py"


def test_the_file_is_exactly_what_the_generator_writes() -> None:
    expected = render_catalog(
        [catalog_entry(spec) for spec in (*ALL_TOOLS, *SWITCHED_TOOLS, *APP_TOOLS)]
    )
    assert DEFINITIONS_PATH.read_text(encoding="utf-8") == expected, REGENERATE


@pytest.mark.parametrize(
    "spec", [*ALL_TOOLS, *SWITCHED_TOOLS, *APP_TOOLS], ids=lambda spec: spec.name
)
def test_each_tool_is_listed_as_its_registry_entry_builds_it(spec: Any) -> None:
    stored = {entry.name: entry for entry in load_full_catalog()}.get(spec.name)
    assert stored is not None, f"{spec.name} is not in the catalog; {REGENERATE}"
    built = catalog_entry(spec)
    assert json.dumps(stored.definition, sort_keys=True) == json.dumps(
        built.definition, sort_keys=True
    ), f"{spec.name} changed: review the diff, then {REGENERATE}"
    assert stored.scopes == spec.scopes
    assert stored.extras == spec.extras
    assert stored.switch == spec.switch
    assert stored.read_only == spec.read_only
    assert stored.spec() is spec  # the module named finds the very same spec


def test_the_catalog_holds_the_registry_in_order() -> None:
    assert [entry.name for entry in load_catalog()] == [spec.name for spec in ALL_TOOLS]
    assert [entry.name for entry in load_catalog(chatgpt_search=True)] == [
        spec.name for spec in (*ALL_TOOLS, *SWITCHED_TOOLS)
    ]


async def test_the_server_lists_the_catalog_and_builds_a_tool_once_at_its_first_use() -> None:
    server = build_server(Settings(api_token="pim_catalog_test", audit_path=None))
    listed = [
        tool.model_dump(by_alias=True, mode="json", exclude_none=True)
        for tool in await server.list_tools()
    ]
    assert listed == [entry.definition for entry in load_catalog()]
    tool = server.built_tool("get_product")
    assert tool is not None
    stored = next(entry for entry in load_catalog() if entry.name == "get_product")
    assert tool.parameters == stored.input_schema
    assert server.built_tool("get_product") is tool  # built once
    assert server.built_tool("no_such_tool") is None


def test_every_tool_builds_in_a_fresh_process_of_its_own() -> None:
    # A tool is imported at its first call, in whatever order calls come: each module must
    # import and build without another tool module having been imported first.
    script = (
        "import sys\n"
        "from pimelo_mcp.server import mcp_tool\n"
        "from pimelo_mcp.tools.catalog import load_full_catalog\n"
        "entry = next(e for e in load_full_catalog() if e.name == sys.argv[1])\n"
        "assert mcp_tool(entry.spec()).parameters == entry.input_schema\n"
    )
    for entry in load_full_catalog():
        done = subprocess.run(
            [sys.executable, "-c", script, entry.name],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{entry.name}: {done.stderr[-2000:]}"


async def test_a_tool_left_out_says_why_when_called_anyway() -> None:
    read_only = build_server(
        Settings(api_token="pim_catalog_test", audit_path=None, read_only=True)
    )
    with pytest.raises(ToolError, match="read-only mode is on"):
        await read_only.call_tool("create_products", {"items": []})
    reading = build_server(
        Settings(api_token="pim_catalog_test", audit_path=None),
        scopes={"products:read", "attributes:read", "settings:read"},
    )
    with pytest.raises(ToolError, match=r"lacks the scope products:write .*Settings > API Tokens"):
        await reading.call_tool("update_products", {"items": []})
    with pytest.raises(ToolError, match=r"Unknown tool: delete_products\. This server's tools: "):
        await reading.call_tool("delete_products", {})


async def test_a_tool_that_cannot_be_built_says_the_install_is_broken() -> None:
    listed = next(entry for entry in load_catalog() if entry.name == "list_channels")
    ghost = CatalogEntry(
        module="pimelo_mcp.tools.channels",
        scopes=listed.scopes,
        read_only=True,
        definition={**listed.definition, "name": "list_ghosts"},
    )
    server = PimeloMCPServer(catalog=[ghost], name="test")
    with pytest.raises(ToolError, match=r"could not load its tool list_ghosts .*reinstall"):
        await server.call_tool("list_ghosts", {})
