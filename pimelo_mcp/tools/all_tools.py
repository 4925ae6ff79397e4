"""ALL_TOOLS: the registry, in the order clients list them (importing it imports every tool).

The running server does not import this: it lists tools from the generated catalog
(`catalog.py`) and imports a tool's module at its first call. The generators and the
tests use it. SWITCHED_TOOLS are listed only when a setting turns them on
(`--chatgpt-search`), APP_TOOLS only to clients that negotiated MCP Apps; the catalog
holds them all.
"""

from pimelo_mcp.review import apply
from pimelo_mcp.tools import attributes, channels, chatgpt, entities, media, products
from pimelo_mcp.tools.registry import ToolSpec

ALL_TOOLS: tuple[ToolSpec, ...] = (
    *channels.TOOLS,
    *products.TOOLS,
    *entities.TOOLS,
    *attributes.TOOLS,
    *media.TOOLS,
)
SWITCHED_TOOLS: tuple[ToolSpec, ...] = (*chatgpt.TOOLS,)
# Listed only to clients that negotiated MCP Apps: the review pane's Apply.
APP_TOOLS: tuple[ToolSpec, ...] = (*apply.TOOLS,)
