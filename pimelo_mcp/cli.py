"""The `pimelo-mcp` command: parses arguments and hands over to the part that does the work.

Sub-commands import their machinery lazily, so that a command never pays for another's
imports (the MCP server started by Claude Desktop must not import the sandbox).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pimelo_mcp import __version__


def _add_server_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags that override the PIMELO_* environment variables (see pimelo_mcp/config.py)."""
    parser.add_argument(
        "--token",
        help="Pimelo API token (default: $PIMELO_API_TOKEN; the variable keeps it out of the process list)",
    )
    parser.add_argument(
        "--base-url", help="Pimelo API base URL (default: $PIMELO_BASE_URL or Pimelo's)"
    )
    parser.add_argument(
        "--read-only",
        action="store_true",
        default=None,
        help="list only read tools (default: $PIMELO_READ_ONLY)",
    )
    parser.add_argument(
        "--audit-log",
        metavar="PATH|off",
        help="audit journal of every write (default: $PIMELO_AUDIT_LOG or ~/.local/state/pimelo-mcp/audit.jsonl)",
    )
    parser.add_argument(
        "--upload-dir",
        action="append",
        metavar="DIR",
        help="a folder upload_media may read files from (repeatable; default: $PIMELO_UPLOAD_DIRS)",
    )
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        help="log level on stderr (default: $PIMELO_LOG_LEVEL or WARNING)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pimelo-mcp",
        description="MCP server for the Pimelo PIM, and a local Pimelo-compatible sandbox. "
        "Without a command, serves MCP over stdio (what Claude Desktop runs).",
    )
    parser.add_argument("--version", action="version", version=f"pimelo-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve MCP over stdio (the default command)")
    _add_server_arguments(serve)

    tools = commands.add_parser("tools", help="list the tools this token can use")
    _add_server_arguments(tools)
    tools.add_argument(
        "--json", action="store_true", help="print the full tool definitions as JSON"
    )

    call = commands.add_parser("call", help="call one tool from the shell and print its answer")
    _add_server_arguments(call)
    call.add_argument("name", help="tool name, e.g. search_products")
    call.add_argument("arguments", nargs="?", default="{}", help="the arguments as a JSON object")
    call.add_argument("--json", action="store_true", help="print the structured result as JSON")

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
    if args.command is None:
        args = parser.parse_args(["serve", *(argv or sys.argv[1:])])
    from pimelo_mcp.commands import run_command

    return run_command(args)
