"""ALL_TOOLS: the registry, in the order clients list them (importing it imports every tool).

The running server does not import this: it lists tools from the generated catalog
(`catalog.py`) and imports a tool's module at its first call. The generators and the
tests use it.
"""

from pimelo_mcp.tools import attributes, channels, entities, media, products
from pimelo_mcp.tools.registry import ToolSpec

ALL_TOOLS: tuple[ToolSpec, ...] = (
    *channels.TOOLS,
    *products.TOOLS,
    *entities.TOOLS,
    *attributes.TOOLS,
    *media.TOOLS,
)
