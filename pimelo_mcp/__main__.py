"""`python -m pimelo_mcp` is the `pimelo-mcp` command."""

from pimelo_mcp.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
