"""Regenerate pimelo_mcp/tools/definitions.json from the registry (run after changing a tool).

The server lists tools from that file; tests/tools/test_catalog.py fails until it is
regenerated, so every change to what a model reads shows up as a reviewed diff.
"""

from pimelo_mcp.server import catalog_entry
from pimelo_mcp.tools.all_tools import ALL_TOOLS, APP_TOOLS, SWITCHED_TOOLS
from pimelo_mcp.tools.catalog import DEFINITIONS_PATH, render_catalog


def current_definitions() -> str:
    return render_catalog(
        [catalog_entry(spec) for spec in (*ALL_TOOLS, *SWITCHED_TOOLS, *APP_TOOLS)]
    )


if __name__ == "__main__":
    DEFINITIONS_PATH.write_text(current_definitions(), encoding="utf-8")
    print(f"wrote {DEFINITIONS_PATH}")
