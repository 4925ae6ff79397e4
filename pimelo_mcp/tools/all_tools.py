"""ALL_TOOLS: the registry, in the order clients list them (importing it imports every tool).

The running server does not import this: it lists tools from the generated catalog
(`catalog.py`) and imports a tool's module at its first call. The generators and the
tests use it. SWITCHED_TOOLS are listed only when a setting turns them on
(`--chatgpt-search`); the catalog holds both.
"""

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
