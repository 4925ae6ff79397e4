"""pimelo-mcp: the Model Context Protocol server for the Pimelo PIM, and a local Pimelo-compatible sandbox."""

__version__ = "0.1.0"

__all__ = ["__version__"]
