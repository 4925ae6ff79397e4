"""The `pimelo-mcp` command: parses arguments and hands over to the part that does the work.

Sub-commands import their machinery lazily, so that a command never pays for another's
imports (the MCP server started by Claude Desktop must not import the sandbox).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pimelo_mcp import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pimelo-mcp",
        description="MCP server for the Pimelo PIM, and a local Pimelo-compatible sandbox.",
    )
    parser.add_argument("--version", action="version", version=f"pimelo-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox = commands.add_parser(
        "sandbox",
        help="run a local Pimelo-compatible API with a demo catalog",
        description="Run a local Pimelo-compatible API (SQLite storage, demo catalog).",
    )
    from pimelo_mcp.sandbox.cli_args import add_sandbox_arguments

    add_sandbox_arguments(sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "sandbox":
        from pimelo_mcp.sandbox.runner import run_sandbox

        return run_sandbox(args)
    parser.print_help(sys.stderr)
    return 2
