"""The review pane's HTML resource and the `_meta` that points the write tools at it."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING, Any

from pimelo_mcp.tools.catalog import APPS

if TYPE_CHECKING:
    from mcp.server.apps import Apps

RESOURCE_URI = "ui://pimelo/review-pane.html"

# The dry runs the pane shows, and the tool that applies what a person approved there.
REVIEWED_TOOLS = ("create_products", "update_products", "create_entities", "update_entities")
APPLY_TOOL = "apply_reviewed_changes"
# The catalog's switch of the apply tool: listed only to clients that negotiated MCP Apps.
APPS_SWITCH = APPS

# `_meta` of each reviewed tool in tools/list, for every client (hosts without apps ignore it).
REVIEWED_TOOL_META: dict[str, Any] = {"ui": {"resourceUri": RESOURCE_URI}}
# ... and of the apply tool: called by the pane, never offered to the model.
APPLY_TOOL_META: dict[str, Any] = {"ui": {"resourceUri": RESOURCE_URI, "visibility": ["app"]}}


def pane_html() -> str:
    """The pane's self-contained page, as shipped in the package."""
    return files("pimelo_mcp.review").joinpath("pane.html").read_text(encoding="utf-8")


def review_apps() -> Apps:
    """The MCP Apps extension with the pane registered: `MCPServer(extensions=[...])`.

    Its tools are not the SDK's: the server lists and calls its own catalog, where the four
    write tools and the apply tool carry their `_meta.ui` (see `REVIEWED_TOOL_META`).
    """
    from mcp.server.apps import Apps

    apps = Apps()
    apps.add_html_resource(
        RESOURCE_URI,
        pane_html(),
        name="review-pane",
        title="Review changes",
        description="A dry run's changes, item by item, to approve or untick before they are written.",
        prefers_border=True,
    )
    return apps
