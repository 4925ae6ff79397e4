"""`build_server(settings)`: the MCP server, with the tools the token's scopes allow.

Tools are listed from the generated catalog and built at their first call, so start-up
imports none of them (see tools/catalog.py). One PimeloClient per process lives in the
lifespan state, opened at the first call that needs it. Each tool is registered with its
annotations, a strict input schema (unknown arguments are refused, not ignored) and a
wrapper that turns every expected failure into a message written for the model.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncGenerator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx2
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, ContentBlock, TextContent
from mcp.types import Tool as MCPTool
from pydantic import ValidationError as ArgumentsError

from pimelo_mcp import __version__
from pimelo_mcp.audit import AuditJournal
from pimelo_mcp.config import Settings
from pimelo_mcp.tools.catalog import CatalogEntry, load_catalog, missing_scopes, select_tools
from pimelo_mcp.tools.state import ToolState, current_call

if TYPE_CHECKING:
    from pimelo_mcp.client import PimeloClient
    from pimelo_mcp.tools.registry import ToolOutput, ToolSpec

logger = logging.getLogger(__name__)


INSTRUCTIONS = (
    "Tools for a Pimelo product catalog (PIM). Codes are lowercase (attributes, options, "
    "channels); products are keyed by identifier (SKU). Call list_channels for locales and "
    "channels, search_attributes for attribute codes and types. Write values as you would "
    "say them; writes take up to 100 items and dry_run shows the change without writing."
)


def _format_argument_errors(tool: str, error: ArgumentsError) -> str:
    lines: list[str] = []
    for item in error.errors(include_url=False):
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in item["loc"])
        given = repr(item.get("input"))
        given = given if len(given) <= 60 else given[:57] + "..."
        lines.append(f"{path.lstrip('.') or 'arguments'}: {item['msg']} (got {given})")
    return f"Invalid arguments for {tool}, nothing was sent: " + "; ".join(lines)


class PimeloMCPServer(MCPServer[ToolState]):
    """MCPServer that lists tools from the catalog, builds each at its first call, checks a
    call's arguments strictly and says what is wrong in plain words."""

    def __init__(
        self,
        *,
        catalog: Sequence[CatalogEntry],
        unavailable: Mapping[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._catalog = {entry.name: entry for entry in catalog}
        self._listed = [entry.listed() for entry in catalog]
        self._built: dict[str, Tool] = {}
        # Tools of pimelo-mcp not served here, and why (scopes, read-only mode).
        self._unavailable = dict(unavailable or {})

    async def list_tools(self) -> list[MCPTool]:
        return [tool.model_copy(deep=True) for tool in self._listed]

    def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
        entry = self._catalog.get(name)
        return None if entry is None else entry.input_schema

    def built_tool(self, name: str) -> Tool | None:
        """The SDK Tool for a listed tool, built (and its module imported) the first time."""
        tool = self._built.get(name)
        if tool is None and name in self._catalog:
            try:
                tool = self._built[name] = mcp_tool(self._catalog[name].spec())
            except Exception as error:  # a broken install: say so, not "No module named ..."
                logger.exception("could not build the tool %s", name)
                raise ToolError(
                    f"pimelo-mcp could not load its tool {name} ({type(error).__name__}: "
                    f"{error}); the installation looks broken: reinstall or upgrade pimelo-mcp."
                ) from error
        return tool

    def build_all_tools(self) -> None:
        """Build every listed tool now (the HTTP server: a broken install fails at start)."""
        for name in self._catalog:
            self.built_tool(name)

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[ToolState, Any] | None = None
    ) -> Any:
        tool = self.built_tool(name)
        if tool is None:
            raise ToolError(self._unknown_tool_message(name))
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
        if context is None:  # a direct call, outside any request
            context = Context(mcp_server=self, subscriptions=self._subscriptions)
        return await tool.run(arguments, context, convert_result=True)

    def _unknown_tool_message(self, name: str) -> str:
        offered = ", ".join(self._catalog) or "no tools"
        why = self._unavailable.get(name)
        if why is not None:
            return f"{name} is not available on this server: {why}. Its tools: {offered}."
        return f"Unknown tool: {name}. This server's tools: {offered}."


def unavailable_tools(*, scopes: Collection[str] | None, read_only: bool) -> dict[str, str]:
    """Every pimelo-mcp tool `select_tools` leaves out, with the reason a person can act on."""
    reasons: dict[str, str] = {}
    for entry in load_catalog():
        if read_only and not entry.read_only:
            reasons[entry.name] = "read-only mode is on (PIMELO_READ_ONLY or --read-only)"
        elif missing := missing_scopes(entry, scopes):
            reasons[entry.name] = (
                f"the Pimelo API token lacks the scope {', '.join(missing)} (add it in Pimelo, "
                "Settings > API Tokens, then restart the server)"
            )
    return reasons


def _wrap(spec: ToolSpec) -> Any:
    """The function registered with the SDK: same signature, failures become model-facing messages."""
    from pimelo_mcp.tools.errors import describe_failure

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
            is_error=output.is_error(),
        )

    return run


def mcp_tool(spec: ToolSpec) -> Tool:
    """The SDK's Tool for a spec, with compact schemas and strict top-level arguments."""
    from pimelo_mcp.tools.schema import compact_schema

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


def catalog_entry(spec: ToolSpec) -> CatalogEntry:
    """The catalog's record of a spec: what `tools/list` shows, built exactly as a call builds it."""
    tool = mcp_tool(spec)
    listed = MCPTool(
        name=tool.name,
        title=tool.title,
        description=tool.description,
        input_schema=tool.parameters,
        output_schema=tool.output_schema,
        annotations=tool.annotations,
    )
    return CatalogEntry(
        module=spec.fn.__module__,
        scopes=spec.scopes,
        read_only=spec.read_only,
        definition=listed.model_dump(by_alias=True, mode="json", exclude_none=True),
    )


def build_server(
    settings: Settings,
    *,
    scopes: Collection[str] | None = None,
    http_client: httpx2.AsyncClient | None = None,
) -> PimeloMCPServer:
    """The MCP server for `settings`; `scopes` (from GET /me) limits the tools listed."""
    token = settings.require_token()

    def open_client() -> PimeloClient:
        from pimelo_mcp.client import PimeloClient

        return PimeloClient(settings.base_url, token, http_client=http_client)

    @asynccontextmanager
    async def lifespan(_: MCPServer[ToolState]) -> AsyncGenerator[ToolState]:
        audit = AuditJournal(settings.audit_path)
        audit.check_writable()
        state = ToolState(settings, audit, open_client)
        try:
            yield state
        finally:
            await state.aclose()

    return PimeloMCPServer(
        catalog=select_tools(load_catalog(), scopes=scopes, read_only=settings.read_only),
        unavailable=unavailable_tools(scopes=scopes, read_only=settings.read_only),
        name="pimelo",
        title="Pimelo PIM",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://www.pimelo.app",
        lifespan=lifespan,
        log_level=settings.log_level,  # type: ignore[arg-type]  # checked by Settings
    )
