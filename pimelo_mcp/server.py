"""`build_server(settings)`: the MCP server, with the tools the token's scopes allow.

One PimeloClient per process lives in the lifespan state; each tool is registered with
its annotations, a strict input schema (unknown arguments are refused, not ignored) and
a wrapper that turns every expected failure into a message written for the model.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncGenerator, Collection, Sequence
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, ContentBlock, TextContent
from pydantic import ValidationError as ArgumentsError

from pimelo_mcp import __version__
from pimelo_mcp.audit import AuditJournal
from pimelo_mcp.client import AuthenticationError, PimeloClient, PimeloError
from pimelo_mcp.config import ConfigError, Settings
from pimelo_mcp.tools import ALL_TOOLS
from pimelo_mcp.tools.errors import describe_failure
from pimelo_mcp.tools.registry import ToolOutput, ToolSpec
from pimelo_mcp.tools.schema import compact_schema
from pimelo_mcp.tools.state import EntityLookup, SchemaCache, ToolState, current_call

logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "Tools for a Pimelo product catalog (PIM). Codes are lowercase (attributes, options, "
    "channels); products are keyed by identifier (SKU). Call list_channels for locales and "
    "channels, search_attributes for attribute codes and types. Write values as you would "
    "say them; writes take up to 100 items and dry_run shows the change without writing."
)


def select_tools(
    tools: Sequence[ToolSpec], *, scopes: Collection[str] | None, read_only: bool
) -> list[ToolSpec]:
    """The tools this token can use: all when its scopes are unknown; read tools in read-only mode."""
    return [
        spec
        for spec in tools
        if (scopes is None or all(scope in scopes for scope in spec.scopes))
        and (spec.read_only or not read_only)
    ]


def _format_argument_errors(tool: str, error: ArgumentsError) -> str:
    lines: list[str] = []
    for item in error.errors(include_url=False):
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"])
        given = repr(item.get("input"))
        given = given if len(given) <= 60 else given[:57] + "..."
        lines.append(f"{path.lstrip('.') or 'arguments'}: {item['msg']} (got {given})")
    return f"Invalid arguments for {tool}, nothing was sent: " + "; ".join(lines)


class PimeloMCPServer(MCPServer[ToolState]):
    """MCPServer that checks a call's arguments strictly and says what is wrong in plain words."""

    def __init__(self, *, tools: Sequence[Tool], **kwargs: Any) -> None:
        super().__init__(tools=list(tools), **kwargs)
        self._tools_by_name = {tool.name: tool for tool in tools}

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[ToolState, Any] | None = None
    ) -> Any:
        tool = self._tools_by_name.get(name)
        if tool is not None:
            known = set(tool.fn_metadata.arg_model.model_fields)
            unknown = sorted(set(arguments) - known)
            if unknown:
                raise ToolError(
                    f"Unknown argument(s) for {name}: {', '.join(unknown)}; it takes "
                    f"{', '.join(sorted(known - {tool.context_kwarg or ''}))}."
                )
            try:
                tool.fn_metadata.validate_arguments(arguments)
            except ArgumentsError as error:
                raise ToolError(_format_argument_errors(name, error)) from None
        return await super().call_tool(name, arguments, context)


def _wrap(spec: ToolSpec) -> Any:
    """The function registered with the SDK: same signature, failures become model-facing messages."""

    @functools.wraps(spec.fn)
    async def run(*args: Any, **kwargs: Any) -> CallToolResult:
        current_call.set(object())  # caches refresh at most once within this call
        try:
            output: ToolOutput = await spec.fn(*args, **kwargs)
        except Exception as error:  # each expected failure becomes a message; others re-raise
            raise ToolError(describe_failure(error, tool=spec.name, scope=spec.scope)) from error
        content: list[ContentBlock] = [TextContent(type="text", text=output.text())]
        content.extend(output.content_blocks())
        return CallToolResult(
            content=content,
            structured_content=output.model_dump(mode="json", by_alias=True, exclude_none=True),
        )

    return run


async def discover_scopes(
    settings: Settings, *, http_client: httpx2.AsyncClient | None = None
) -> frozenset[str] | None:
    """The token's scopes from GET /me; None when the service cannot tell (then all tools are listed).

    A refused token stops the start with a clear message: every call would fail anyway.
    """
    async with PimeloClient(
        settings.base_url, settings.require_token(), http_client=http_client, max_retries=1
    ) as client:
        try:
            me = await client.me.retrieve()
        except AuthenticationError:
            raise ConfigError(
                "Pimelo refused the API token (unknown, revoked or expired): create a new one in "
                "Pimelo (Settings > API Tokens) and set PIMELO_API_TOKEN."
            ) from None
        except (PimeloError, ValueError) as error:
            logger.warning("could not read the token's scopes (%s); listing every tool", error)
            return None
    return frozenset(me.token.scopes)


def mcp_tool(spec: ToolSpec) -> Tool:
    """The SDK's Tool for a spec, with compact schemas and strict top-level arguments."""
    tool = Tool.from_function(
        _wrap(spec),
        name=spec.name,
        title=spec.title,
        description=spec.description,
        annotations=spec.annotations,
        structured_output=True,
    )
    tool.parameters = compact_schema(tool.parameters, closed=True)
    if tool.fn_metadata.output_schema is not None:
        tool.fn_metadata.output_schema = compact_schema(tool.fn_metadata.output_schema)
    return tool


def build_server(
    settings: Settings,
    *,
    scopes: Collection[str] | None = None,
    http_client: httpx2.AsyncClient | None = None,
    tools: Sequence[ToolSpec] = ALL_TOOLS,
) -> PimeloMCPServer:
    """The MCP server for `settings`; `scopes` (from GET /me) limits the tools listed."""
    token = settings.require_token()

    @asynccontextmanager
    async def lifespan(_: MCPServer[ToolState]) -> AsyncGenerator[ToolState]:
        audit = AuditJournal(settings.audit_path)
        audit.check_writable()
        async with PimeloClient(settings.base_url, token, http_client=http_client) as client:
            yield ToolState(
                settings=settings,
                client=client,
                schema=SchemaCache(client),
                entities=EntityLookup(client),
                audit=audit,
            )

    return PimeloMCPServer(
        tools=[
            mcp_tool(spec)
            for spec in select_tools(tools, scopes=scopes, read_only=settings.read_only)
        ],
        name="pimelo",
        title="Pimelo PIM",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://www.pimelo.app",
        lifespan=lifespan,
        log_level=settings.log_level,  # type: ignore[arg-type]  # checked by Settings
    )
