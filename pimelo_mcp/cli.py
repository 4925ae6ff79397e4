"""The `pimelo-mcp` command: parses arguments and hands over to the part that does the work.

Sub-commands import their machinery lazily, so that a command never pays for another's
imports: the stdio server Claude Desktop starts on every launch imports neither the
sandbox nor the HTTP machinery (uvicorn).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pimelo_mcp import __version__
from pimelo_mcp.stopping import stop_at_once_on_signals


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
        "--chatgpt-search",
        action="store_true",
        default=None,
        help="add the search and fetch tools ChatGPT's deep research and company knowledge "
        "use (default: $PIMELO_MCP_CHATGPT_SEARCH)",
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
        "--call-deadline",
        type=float,
        metavar="SECONDS",
        help="wall-clock bound of one tool call, every request, wait and byte included "
        "(default: $PIMELO_CALL_DEADLINE or 40)",
    )
    parser.add_argument(
        "--log-level",
        choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"),
        help="log level on stderr (default: $PIMELO_LOG_LEVEL or WARNING)",
    )


def _add_sandbox_switch(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sandbox",
        action="store_true",
        help="use the embedded sandbox (a local demo catalog in memory, full access) instead of "
        "Pimelo: no account or token needed",
    )


def _add_http_arguments(parser: argparse.ArgumentParser) -> None:
    http = parser.add_argument_group(
        "streamable HTTP (--transport http)",
        "Clients send 'Authorization: Bearer <key>' with one of the API keys; the Host and "
        "Origin headers must be loopback names or allowed ones (DNS-rebinding protection).",
    )
    http.add_argument("--host", help="interface to bind (default: $PIMELO_MCP_HOST or 127.0.0.1)")
    http.add_argument(
        "--port", type=int, help="TCP port (default: $PIMELO_MCP_PORT or 8000; 0 picks a free one)"
    )
    http.add_argument(
        "--api-key",
        action="append",
        metavar="KEY",
        help="a key clients must send (repeatable; adds to $PIMELO_MCP_API_KEYS, comma-separated)",
    )
    http.add_argument(
        "--api-key-file",
        action="append",
        metavar="PATH",
        help="a file of keys, one per line (adds to $PIMELO_MCP_API_KEYS_FILE)",
    )
    http.add_argument(
        "--allowed-host",
        action="append",
        metavar="HOST[:PORT]",
        help="a Host header to accept besides loopback, e.g. mcp.example.com (repeatable; "
        "adds to $PIMELO_MCP_ALLOWED_HOSTS)",
    )
    http.add_argument(
        "--allowed-origin",
        action="append",
        metavar="ORIGIN",
        help="an Origin header to accept besides loopback, e.g. https://chatgpt.com (repeatable; "
        "adds to $PIMELO_MCP_ALLOWED_ORIGINS)",
    )
    http.add_argument(
        "--workers",
        metavar="N",
        help="processes serving the one port, about one per CPU core (default: "
        "$PIMELO_MCP_WORKERS or 1); they share the store and the secret",
    )
    http.add_argument(
        "--no-auth",
        action="store_true",
        help="no client authentication: refused unless bound to a loopback address",
    )
    oauth = parser.add_argument_group(
        "OAuth 2.1 sign-in for remote connectors (ChatGPT, Claude)",
        "Each person signs in once by pasting their own Pimelo token on this server's page; "
        "each request then acts as that person. API keys keep working beside it.",
    )
    oauth.add_argument(
        "--oauth",
        action="store_true",
        default=None,
        help="be an OAuth authorization server for /mcp (default: $PIMELO_MCP_OAUTH)",
    )
    oauth.add_argument(
        "--public-url",
        metavar="URL",
        help="the https address clients reach this server at, e.g. https://mcp.example.com "
        "(default: $PIMELO_MCP_PUBLIC_URL); connectors then use URL/mcp",
    )
    oauth.add_argument(
        "--store",
        metavar="PATH|URL",
        help="the store of OAuth records and rate budgets: a SQLite file, or redis://host:6379/0 "
        "for several replicas (default: $PIMELO_MCP_STORE or "
        "~/.local/state/pimelo-mcp/oauth.sqlite3; the secret key file is made beside a SQLite "
        "store unless $PIMELO_MCP_SECRET_KEY is set)",
    )
    oauth.add_argument(
        "--allowed-redirect",
        action="append",
        metavar="URI",
        help="a redirect URI clients may register besides ChatGPT's, Claude's and loopback "
        "(exact, or a prefix ending in /; repeatable; adds to $PIMELO_MCP_ALLOWED_REDIRECTS)",
    )


def build_parser(*, sandbox_arguments: bool = True) -> argparse.ArgumentParser:
    """The parser; without `sandbox_arguments`, `sandbox`'s own flags are left out (and unimported)."""
    parser = argparse.ArgumentParser(
        prog="pimelo-mcp",
        description="MCP server for the Pimelo PIM, and a local Pimelo-compatible sandbox. "
        "Without a command, serves MCP over stdio (what Claude Desktop runs).",
    )
    parser.add_argument("--version", action="version", version=f"pimelo-mcp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = commands.add_parser(
        "serve", help="serve MCP over stdio (the default command) or streamable HTTP"
    )
    serve.add_argument(
        "--transport",
        choices=("stdio", "http"),
        default="stdio",
        help="stdio (default; what Claude Desktop runs) or streamable HTTP at /mcp",
    )
    _add_server_arguments(serve)
    _add_sandbox_switch(serve)
    _add_http_arguments(serve)

    check = commands.add_parser(
        "check",
        help="check the base URL, the token, its scopes and the rate limit; list what it unlocks",
    )
    _add_server_arguments(check)
    _add_sandbox_switch(check)

    tools = commands.add_parser("tools", help="list the tools this token can use")
    _add_server_arguments(tools)
    _add_sandbox_switch(tools)
    tools.add_argument(
        "--json", action="store_true", help="print the full tool definitions as JSON"
    )

    call = commands.add_parser("call", help="call one tool from the shell and print its answer")
    _add_server_arguments(call)
    _add_sandbox_switch(call)
    call.add_argument("name", help="tool name, e.g. search_products")
    call.add_argument("arguments", nargs="?", default="{}", help="the arguments as a JSON object")
    call.add_argument("--json", action="store_true", help="print the structured result as JSON")

    sandbox = commands.add_parser(
        "sandbox",
        help="run a local Pimelo-compatible API with a demo catalog",
        description="Run a local Pimelo-compatible API (SQLite storage, demo catalog).",
    )
    if sandbox_arguments:
        from pimelo_mcp.sandbox.cli_args import add_sandbox_arguments

        add_sandbox_arguments(sandbox)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # From the first moment, Ctrl-C and SIGTERM end the command (see pimelo_mcp/stopping.py).
    with stop_at_once_on_signals():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    words = [word for word in arguments if not word.startswith("-")]
    parser = build_parser(sandbox_arguments=words[:1] == ["sandbox"])
    args = parser.parse_args(arguments)
    if args.command == "sandbox":
        from pimelo_mcp.sandbox.runner import run_sandbox

        return run_sandbox(args)
    if args.command is None:
        args = parser.parse_args(["serve", *arguments])
    from pimelo_mcp.commands import run_command

    args.argv = arguments  # `--workers N` starts each worker with the same command line
    return run_command(args)
