"""The MCP tools, one module per area (channels, products, entities, attributes, media).

Importing this package imports no tool: `all_tools.ALL_TOOLS` is the registry, and
`catalog` lists the tools from their generated definitions without importing them.
"""
