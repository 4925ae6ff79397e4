"""Load pimelo-mcp's tools and call a read tool through agent frameworks' own MCP clients.

Runs in the frameworks' venv (`.ci/agents-venv`, from `agents-requirements.txt`), never in
the project's: the frameworks pin their own `mcp`, and the server runs from the project's
venv as a subprocess (stdio) or a URL (HTTP): the protocol is the contract. No LLM is
called; the frameworks' MCP server objects are used directly, as an agent would use them.

    python agent_frameworks.py stdio -- /path/to/pimelo-mcp      (env: PIMELO_*)
    python agent_frameworks.py http http://127.0.0.1:PORT/mcp --header "Authorization: Bearer KEY"

Prints one JSON object per framework on stdout: its name and version, the tool names it
loaded, and what `search_products {"limit": 2}` returned.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from importlib.metadata import version
from typing import Any

CALL = ("search_products", {"limit": 2})


def structured(result: Any) -> dict[str, Any] | None:
    """The structured content of a tool result, whichever shape the framework gives it."""
    for name in ("structured_content", "structuredContent", "data"):
        value = getattr(result, name, None)
        if isinstance(value, dict):
            return value
    if isinstance(result, dict):
        return result
    if isinstance(result, str):
        try:
            value = json.loads(result)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None
    return None


async def openai_agents(args: argparse.Namespace) -> dict[str, Any]:
    from agents.mcp import MCPServerStdio, MCPServerStreamableHttp

    if args.transport == "stdio":
        server: Any = MCPServerStdio(
            params={"command": args.target[0], "args": args.target[1:], "env": dict(os.environ)},
            client_session_timeout_seconds=60,
        )
    else:
        server = MCPServerStreamableHttp(
            params={"url": args.target[0], "headers": args.headers, "timeout": 60},
            client_session_timeout_seconds=60,
        )
    async with server:
        tools = await server.list_tools()
        result = await server.call_tool(*CALL)
    return {
        "framework": "openai-agents",
        "version": version("openai-agents"),
        "tools": [tool.name for tool in tools],
        "is_error": bool(getattr(result, "isError", False)),
        "result": structured(result),
    }


async def pydantic_ai(args: argparse.Namespace) -> dict[str, Any]:
    from pydantic_ai.mcp import MCPToolset

    if args.transport == "stdio":
        from fastmcp.client.transports import StdioTransport

        toolset: Any = MCPToolset(
            StdioTransport(command=args.target[0], args=args.target[1:], env=dict(os.environ)),
            tool_error_behavior="error",
        )
    else:
        toolset = MCPToolset(args.target[0], headers=args.headers, tool_error_behavior="error")
    async with toolset:
        tools = await toolset.list_tools()
        result = await toolset.direct_call_tool(*CALL)
    return {
        "framework": "pydantic-ai",
        "version": version("pydantic-ai-slim"),
        "tools": [tool.name for tool in tools],
        "is_error": False,  # tool_error_behavior="error": a tool error raises
        "result": structured(result),
    }


FRAMEWORKS = {"openai-agents": openai_agents, "pydantic-ai": pydantic_ai}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("transport", choices=("stdio", "http"))
    parser.add_argument("target", nargs="+", help="the server command (stdio) or its URL (http)")
    parser.add_argument("--header", action="append", default=[], help="NAME: VALUE (http)")
    parser.add_argument("--framework", action="append", choices=sorted(FRAMEWORKS))
    args = parser.parse_args()
    args.headers = dict(h.split(": ", 1) for h in args.header)
    failed = 0
    for name in args.framework or sorted(FRAMEWORKS):
        try:
            report = asyncio.run(FRAMEWORKS[name](args))
        except Exception as error:  # report every framework, then fail
            report = {"framework": name, "error": f"{type(error).__name__}: {error}"}
            failed += 1
        print(json.dumps(report), flush=True)
    print(f"{len(FRAMEWORKS) - failed} passed, {failed} failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
