"""Rewrite the generated parts of manifest.json (version, tools) from the code.

The MCP Bundle manifest lists the tools Claude Desktop shows before it starts the server;
they must be the registry's. Run after changing a tool or the version; a test checks it.
"""

import json
from pathlib import Path
from typing import Any

from pimelo_mcp import __version__
from pimelo_mcp.tools.all_tools import ALL_TOOLS
from pimelo_mcp.tools.registry import ToolSpec

MANIFEST = Path(__file__).resolve().parent.parent / "manifest.json"


def summary(spec: ToolSpec) -> str:
    """The first sentence of the tool's description, as in the README's table."""
    return spec.description.split(". ")[0].rstrip(".") + "."


def with_generated_parts(manifest: dict[str, Any]) -> dict[str, Any]:
    tools = [{"name": spec.name, "description": summary(spec)} for spec in ALL_TOOLS]
    return {**manifest, "version": __version__, "tools": tools}


def render(manifest: dict[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    current = json.loads(MANIFEST.read_text(encoding="utf-8"))
    MANIFEST.write_text(render(with_generated_parts(current)), encoding="utf-8")
