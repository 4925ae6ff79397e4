"""The MCP tools, one module per area; ALL_TOOLS is the registry in the order clients list them."""

from pimelo_mcp.tools import attributes, channels, entities, media, products
from pimelo_mcp.tools.registry import ToolOutput, ToolSpec

ALL_TOOLS: tuple[ToolSpec, ...] = (
    *channels.TOOLS,
    *products.TOOLS,
    *entities.TOOLS,
    *attributes.TOOLS,
    *media.TOOLS,
)

__all__ = ["ALL_TOOLS", "ToolOutput", "ToolSpec"]
