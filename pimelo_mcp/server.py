"""`build_server(settings)`: the MCP server, with the tools the caller's scopes allow.

Tools are listed from the generated catalog and built at their first call, so start-up
imports none of them (see tools/catalog.py). Each request acts as a principal: the user of
its OAuth access token (`get_access_token()` gives a `PrincipalAccessToken`), otherwise the
server itself with its own `PIMELO_API_TOKEN` (stdio, static API keys). `tools/list` shows
what that principal's scopes allow, and its calls go through its own PimeloClient and
caches (tools/principals.py), opened at the first call that needs them. Each tool is
registered with its annotations, a strict input schema (unknown arguments are refused, not
ignored) and a wrapper that turns every expected failure into a message written for the model.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncGenerator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import anyio
import httpx2
from mcp.server.apps import client_supports_apps
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import TokenVerifier
from mcp.server.auth.settings import AuthSettings
from mcp.server.context import ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.mcpserver.tools import Tool
from mcp.server.request_state import RequestStateSecurity
from mcp.shared.exceptions import MCPError
from mcp.types import (
    INVALID_REQUEST,
    CallToolResult,
    ContentBlock,
    ListToolsResult,
    PaginatedRequestParams,
    TextContent,
)
from mcp.types import Tool as MCPTool
from pydantic import ValidationError as ArgumentsError

from pimelo_mcp import __version__
from pimelo_mcp.arguments import format_argument_errors, strict_arguments
from pimelo_mcp.audit import AuditJournal
from pimelo_mcp.config import Settings
from pimelo_mcp.principal import (
    SERVER_KEY,
    Principal,
    PrincipalAccessToken,
    PrincipalRevoker,
)
from pimelo_mcp.review.pane import REVIEWED_TOOLS, review_apps
from pimelo_mcp.tools.catalog import (
    APPS,
    CHATGPT_SEARCH,
    CatalogEntry,
    app_tools,
    load_catalog,
    load_full_catalog,
    missing_scopes,
    select_tools,
)
from pimelo_mcp.tools.principals import PrincipalPool, PrincipalResources
from pimelo_mcp.tools.state import ToolState, current_call, current_resources

if TYPE_CHECKING:
    from pimelo_mcp.client import PimeloClient
    from pimelo_mcp.oauth.store import OAuthStore
    from pimelo_mcp.review.desk import ReviewDesk
    from pimelo_mcp.tools.registry import ToolOutput, ToolSpec

logger = logging.getLogger(__name__)


INSTRUCTIONS = (
    "Tools for a Pimelo product catalog (PIM). Codes are lowercase (attributes, options, "
    "channels); products are keyed by identifier (SKU). Call list_channels for locales and "
    "channels, search_attributes for attribute codes and types. Write values as you would "
    "say them; writes take up to 100 items and dry_run shows the change without writing."
)


NO_PRINCIPAL_MESSAGE = (
    "This request acts as nobody: it carries no signed-in user, and this server has no Pimelo "
    "token of its own (PIMELO_API_TOKEN is not set). Connect with OAuth (add the server as a "
    "connector and sign in with your Pimelo token), or ask the operator to set PIMELO_API_TOKEN "
    "for clients that use a static API key."
)


RECONNECT_MESSAGE = (
    "Pimelo refused the token this connection signed in with (revoked or expired), so the "
    "connection has been signed out. Ask the user to reconnect the connector (sign in again "
    "with a valid Pimelo token from Settings > API Tokens), then call again."
)

MAX_CACHED_OFFERS = 64


def request_principal() -> Principal | None:
    """The signed-in user this request acts as, or None: the server's own principal."""
    token = get_access_token()
    return token.principal if isinstance(token, PrincipalAccessToken) else None


class _Offer:
    """The tools one principal may call, and why each other tool is left out.

    `apps`: the client negotiated MCP Apps, so the review pane's app-only tool is added
    when the principal may use one of the writes it applies (never in read-only mode).
    """

    def __init__(
        self,
        catalog: Sequence[CatalogEntry],
        unavailable: Mapping[str, str],
        scopes: Collection[str] | None,
        *,
        apps: bool = False,
        read_only: bool = False,
    ) -> None:
        reason = app_tools_refusal(catalog, apps=apps, read_only=read_only)
        if reason is None:
            catalog = [*catalog, *app_tools()]
        self.catalog = {entry.name: entry for entry in catalog}
        self.unavailable = dict(unavailable)
        if reason is not None:
            self.unavailable.update({entry.name: reason for entry in app_tools()})
        # Each description names the parts these scopes leave out (CatalogEntry.listed).
        self.listed = [entry.listed(scopes) for entry in catalog]


class PimeloMCPServer(MCPServer[ToolState]):
    """MCPServer that lists tools from the catalog, builds each at its first call, checks a
    call's arguments strictly and says what is wrong in plain words.

    `catalog` and `unavailable` are the server principal's offer (its token's scopes); a
    signed-in user's offer is computed from their grant's scopes, with the same read-only mode.
    """

    def __init__(
        self,
        *,
        catalog: Sequence[CatalogEntry],
        unavailable: Mapping[str, str] | None = None,
        scopes: Collection[str] | None = None,
        read_only: bool = False,
        chatgpt_search: bool = False,
        has_server_token: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        # Tools of pimelo-mcp not served to the server principal, and why (scopes, read-only
        # mode), for a client without MCP Apps and for one with.
        self._server_offers = {
            apps: _Offer(catalog, unavailable or {}, scopes, apps=apps, read_only=read_only)
            for apps in (False, True)
        }
        self._read_only = read_only
        self._chatgpt_search = chatgpt_search
        self._has_server_token = has_server_token
        # Every tool some principal may call: pimelo-mcp's, and any given in `catalog`.
        self._every_tool = {
            entry.name: entry for entry in load_catalog(chatgpt_search=chatgpt_search)
        }
        self._every_tool.update({entry.name: entry for entry in app_tools()})
        self._every_tool.update(self._server_offers[False].catalog)
        self._built: dict[str, Tool] = {}
        self._grant_offers: dict[tuple[frozenset[str] | None, bool], _Offer] = {}
        self._state: ToolState | None = None  # set by the lifespan, for the principals' pool

    def attach(self, state: ToolState) -> None:
        """The lifespan's state: the pool a signed-in user's token scopes are read through."""
        self._state = state

    async def _grant_scopes(self, principal: Principal) -> frozenset[str] | None:
        """The grant's scopes; for a grant of "whatever the token allows", the token's own.

        Read once per pooled client with `GET /me`; None (list everything, Pimelo decides)
        when Pimelo cannot tell. A token Pimelo refuses ends the grant (_GrantEnded).
        """
        if principal.scopes is not None or self._state is None:
            return principal.scopes
        from pimelo_mcp.client import AuthenticationError, PimeloError

        async with self._state.pool.lease(principal) as resources:
            try:
                return await resources.token_scopes()
            except AuthenticationError:
                with anyio.CancelScope(shield=True):
                    await self._state.pool.refused(resources)
                raise _GrantEnded from None
            except (PimeloError, ValueError) as error:
                logger.warning(
                    "could not read a signed-in token's scopes (%s)", type(error).__name__
                )
                return None

    async def offer(self, principal: Principal | None, *, apps: bool = False) -> _Offer:
        """What `principal` (None: the server itself) may call; `apps`: from a client that
        negotiated MCP Apps.

        Raises _NoPrincipal when the request acts as nobody, _GrantEnded when Pimelo refused
        the user's token.
        """
        if principal is None:
            if not self._has_server_token:
                raise _NoPrincipal
            return self._server_offers[apps]
        scopes = await self._grant_scopes(principal)
        offer = self._grant_offers.get((scopes, apps))
        if offer is None:
            # Grants name a few scope sets (read, full, per token): a handful of entries;
            # the bound only keeps odd tokens' scope sets from piling up.
            if len(self._grant_offers) >= MAX_CACHED_OFFERS:
                self._grant_offers.clear()
            offer = self._grant_offers[(scopes, apps)] = _Offer(
                select_tools(
                    load_catalog(chatgpt_search=self._chatgpt_search),
                    scopes=scopes,
                    read_only=self._read_only,
                ),
                unavailable_tools(
                    scopes=scopes,
                    read_only=self._read_only,
                    signed_in=True,
                    chatgpt_search=self._chatgpt_search,
                ),
                scopes,
                apps=apps,
                read_only=self._read_only,
            )
        return offer

    async def _handle_list_tools(
        self, ctx: ServerRequestContext[ToolState], params: PaginatedRequestParams | None
    ) -> ListToolsResult:
        # The SDK's handler calls list_tools() without the request; whether the client
        # negotiated MCP Apps (declared per request in protocol 2026-07-28) is in it.
        return ListToolsResult(tools=await self.list_tools(apps=client_supports_apps(ctx)))

    async def list_tools(self, *, apps: bool = False) -> list[MCPTool]:
        try:
            offer = await self.offer(request_principal(), apps=apps)
        except _NoPrincipal:
            raise MCPError(INVALID_REQUEST, NO_PRINCIPAL_MESSAGE) from None
        except _GrantEnded:
            raise MCPError(INVALID_REQUEST, RECONNECT_MESSAGE) from None
        return [tool.model_copy(deep=True) for tool in offer.listed]

    def _tool_input_schema(self, name: str) -> dict[str, Any] | None:
        entry = self._every_tool.get(name)
        return None if entry is None else entry.input_schema

    def built_tool(self, name: str) -> Tool | None:
        """The SDK Tool of a pimelo-mcp tool, built (and its module imported) the first time."""
        tool = self._built.get(name)
        if tool is None and name in self._every_tool:
            try:
                tool = self._built[name] = mcp_tool(self._every_tool[name].spec())
            except Exception as error:  # a broken install: say so, not "No module named ..."
                logger.exception("could not build the tool %s", name)
                raise ToolError(
                    f"pimelo-mcp could not load its tool {name} ({type(error).__name__}: "
                    f"{error}); the installation looks broken: reinstall or upgrade pimelo-mcp."
                ) from error
        return tool

    def build_all_tools(self) -> None:
        """Build every tool now (the HTTP server: a broken install fails at start)."""
        for name in self._every_tool:
            self.built_tool(name)

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[ToolState, Any] | None = None
    ) -> Any:
        principal = request_principal()
        apps = context is not None and client_supports_apps(context)
        try:
            offer = await self.offer(principal, apps=apps)
        except _NoPrincipal:
            raise ToolError(NO_PRINCIPAL_MESSAGE) from None
        except _GrantEnded:
            raise ToolError(RECONNECT_MESSAGE) from None
        tool = self.built_tool(name) if name in offer.catalog else None
        if tool is None:
            raise ToolError(self._unknown_tool_message(name, offer))
        known = set(tool.fn_metadata.arg_model.model_fields)
        unknown = sorted(set(arguments) - known)
        if unknown:
            raise ToolError(
                f"Unknown argument(s) for {name}: {', '.join(unknown)}; it takes "
                f"{', '.join(sorted(known - {tool.context_kwarg or ''}))}."
            )
        try:
            strict_arguments(arguments, tool.fn_metadata.arg_model, tool.fn_metadata.pre_parse_json)
        except ArgumentsError as error:
            raise ToolError(
                format_argument_errors(name, error, tool.fn_metadata.arg_model)
            ) from None
        except ValueError:  # NaN or infinity: not JSON at all
            raise ToolError(
                f"Invalid arguments for {name}, nothing was sent: numbers must be finite JSON numbers."
            ) from None
        if context is None:  # a direct call, outside any request
            context = Context(mcp_server=self, subscriptions=self._subscriptions)
            return await tool.run(arguments, context, convert_result=True)
        state = context.request_context.lifespan_context
        if principal is None:
            server = state.pool.server
            assert server is not None  # offer() refused a call that acts as nobody
            principal = server.principal
        async with state.pool.lease(principal) as resources:
            bound = current_resources.set(resources)
            try:
                return await tool.run(arguments, context, convert_result=True)
            finally:
                current_resources.reset(bound)

    def _unknown_tool_message(self, name: str, offer: _Offer) -> str:
        offered = ", ".join(offer.catalog) or "no tools"
        why = offer.unavailable.get(name)
        if why is not None:
            return f"{name} is not available on this server: {why}. Its tools: {offered}."
        return f"Unknown tool: {name}. This server's tools: {offered}."


class _NoPrincipal(Exception):
    """The request acts as nobody (no signed-in user, no server token)."""


class _GrantEnded(Exception):
    """Pimelo refused the signed-in user's token; their grant has been ended."""


def app_tools_refusal(
    catalog: Sequence[CatalogEntry], *, apps: bool, read_only: bool
) -> str | None:
    """Why the app-only tools are not offered with `catalog`, or None when they are."""
    if not apps:
        return (
            "it is the review pane's Apply, called by a client that shows MCP Apps when a person "
            "approves a dry run there; to write, call the write tool itself without dry_run"
        )
    if read_only:
        return "read-only mode is on (PIMELO_READ_ONLY or --read-only)"
    if not any(entry.name in REVIEWED_TOOLS for entry in catalog):
        return (
            f"it applies {', '.join(REVIEWED_TOOLS)}, and the access of this connection allows "
            "none of them"
        )
    return None


def unavailable_tools(
    *,
    scopes: Collection[str] | None,
    read_only: bool,
    signed_in: bool = False,
    chatgpt_search: bool = False,
) -> dict[str, str]:
    """Every pimelo-mcp tool `select_tools` leaves out, with the reason a person can act on.

    `signed_in`: the scopes are a signed-in user's grant, which they change by signing in
    again, not by restarting the server.
    """
    reasons: dict[str, str] = {}
    for entry in load_full_catalog():
        if entry.switch == APPS:
            continue  # offered by client, not by scopes alone: see _Offer and app_tools_refusal
        if entry.switch == CHATGPT_SEARCH and not chatgpt_search:
            reasons[entry.name] = (
                "ChatGPT's search and fetch are off (turn them on with --chatgpt-search or "
                "PIMELO_MCP_CHATGPT_SEARCH=1); search_products and get_product do the same"
            )
        elif read_only and not entry.read_only:
            reasons[entry.name] = "read-only mode is on (PIMELO_READ_ONLY or --read-only)"
        elif (missing := missing_scopes(entry, scopes)) and signed_in:
            reasons[entry.name] = (
                f"the access granted to this connection lacks the scope {', '.join(missing)} "
                "(reconnect the connector and sign in with a Pimelo token that has it, "
                "granting everything it allows)"
            )
        elif missing:
            reasons[entry.name] = (
                f"the Pimelo API token lacks the scope {', '.join(missing)} (add it in Pimelo, "
                "Settings > API Tokens, then restart the server)"
            )
    return reasons


def _wrap(spec: ToolSpec) -> Any:
    """The function registered with the SDK: same signature, failures become model-facing messages."""
    from pimelo_mcp.tools.deadline import within_deadline
    from pimelo_mcp.tools.errors import describe_failure, signed_in_scope_message

    @functools.wraps(spec.fn)
    async def run(*args: Any, **kwargs: Any) -> CallToolResult:
        from pimelo_mcp.client import AuthenticationError, InsufficientScopeError

        current_call.set(object())  # caches refresh at most once within this call
        try:
            output: ToolOutput = await within_deadline(spec, kwargs, spec.fn(*args, **kwargs))
        except Exception as error:  # each expected failure becomes a message; others re-raise
            resources = current_resources.get()
            if resources is not None and resources.principal.key != SERVER_KEY:
                # A signed-in user fixes their token by signing in again, not in the server's
                # configuration; a token Pimelo no longer accepts ends their grant here.
                if isinstance(error, AuthenticationError):
                    await _end_grant(resources, kwargs)
                    raise ToolError(RECONNECT_MESSAGE) from error
                if (
                    isinstance(error, InsufficientScopeError)
                    and spec.extra(error.required_scope or "") is None
                ):
                    scope = error.required_scope or spec.scope
                    raise ToolError(signed_in_scope_message(spec.name, scope)) from error
            raise ToolError(
                describe_failure(error, tool=spec.name, scope=spec.scope, extras=spec.extras)
            ) from error
        content: list[ContentBlock] = [TextContent(type="text", text=output.text())]
        content.extend(output.content_blocks())
        return CallToolResult(
            content=content,
            structured_content=output.model_dump(mode="json", by_alias=True, exclude_none=True),
            is_error=output.is_error(),
            _meta=output.result_meta(),
        )

    return run


async def _end_grant(resources: PrincipalResources, kwargs: Mapping[str, Any]) -> None:
    """Drop the principal's pooled client and revoke its grant (through the lifespan's pool)."""
    from pimelo_mcp.tools.deadline import state_in

    state: ToolState | None = state_in(kwargs)
    if state is not None:
        with anyio.CancelScope(shield=True):
            await state.pool.refused(resources)


def mcp_tool(spec: ToolSpec) -> Tool:
    """The SDK's Tool for a spec, with compact schemas (call_tool checks its arguments)."""
    from pimelo_mcp.tools.schema import compact_schema, output_schema

    tool = Tool.from_function(
        _wrap(spec),
        name=spec.name,
        title=spec.title,
        description=spec.description,
        annotations=spec.annotations,
        structured_output=True,
        meta=None if spec.meta is None else dict(spec.meta),
    )
    tool.parameters = compact_schema(tool.parameters)
    if not spec.declares_output:
        # Its structured result is still sent; without a schema the SDK neither lists nor
        # re-validates it (the result is built from the same model that would check it).
        tool.fn_metadata.output_schema = None
    elif tool.fn_metadata.output_schema is not None:
        tool.fn_metadata.output_schema = output_schema(tool.fn_metadata.output_schema)
        # The SDK would validate each result against the model it is the dump of: the same
        # work twice per call. The schema stays listed; clients validate against it.
        tool.fn_metadata.output_model = None
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
        _meta=tool.meta,
    )
    return CatalogEntry(
        module=spec.fn.__module__,
        scopes=spec.scopes,
        read_only=spec.read_only,
        definition=listed.model_dump(by_alias=True, mode="json", exclude_none=True),
        extras=spec.extras,
        switch=spec.switch,
    )


def review_desk(settings: Settings, key: bytes | None, store: OAuthStore | None) -> ReviewDesk:
    """The review machinery of this server: shared when given a key (and a store)."""
    from pimelo_mcp.review.applied import MemoryAppliedReviews, StoreAppliedReviews
    from pimelo_mcp.review.desk import ReviewDesk
    from pimelo_mcp.review.handles import HandleSigner

    return ReviewDesk(
        HandleSigner(key, minutes=settings.review_minutes),
        MemoryAppliedReviews() if store is None else StoreAppliedReviews(store),
    )


def build_server(
    settings: Settings,
    *,
    scopes: Collection[str] | None = None,
    http_client: httpx2.AsyncClient | None = None,
    token_verifier: TokenVerifier | None = None,
    auth: AuthSettings | None = None,
    revoke_principal: PrincipalRevoker | None = None,
    request_state_keys: Sequence[bytes] | None = None,
    review_key: bytes | None = None,
    review_store: OAuthStore | None = None,
) -> PimeloMCPServer:
    """The MCP server for `settings`; `scopes` (from GET /me) limits the server token's tools.

    With a `token_verifier` (and its `auth` settings), each request that carries a signed-in
    user's access token acts as that user; the server then needs no Pimelo token of its own
    (`PIMELO_API_TOKEN` serves only the clients that act as the server, e.g. static API keys).
    `revoke_principal` ends a user's grant when Pimelo refuses their token.
    `request_state_keys` seal the SDK's multi-round-trip request state; shared by every
    worker and replica, so that any of them can answer the next round (default: a key of
    this process alone).
    `review_key` signs the review pane's handles and `review_store` remembers which were
    applied; both shared by every worker and replica so that any of them applies a handle
    another made, once (default: a key of this process, applied handles in its memory).
    """
    if token_verifier is None:
        settings.require_token()
    server_principal = (
        None
        if settings.api_token is None
        else Principal(
            key=SERVER_KEY,
            pimelo_token=settings.api_token,
            scopes=None if scopes is None else frozenset(scopes),
        )
    )

    def open_client(principal: Principal) -> PimeloClient:
        from pimelo_mcp.client import PimeloClient

        return PimeloClient(settings.base_url, principal.pimelo_token, http_client=http_client)

    @asynccontextmanager
    async def lifespan(server: MCPServer[ToolState]) -> AsyncGenerator[ToolState]:
        audit = AuditJournal(settings.audit_path, api=settings.base_url)
        audit.check_writable()
        pool = PrincipalPool(
            open_client,
            server=server_principal,
            max_size=settings.client_pool_size,
            idle_seconds=settings.client_idle_seconds,
            revoke=revoke_principal,
        )
        state = ToolState(settings, audit, pool, review_desk(settings, review_key, review_store))
        if isinstance(server, PimeloMCPServer):
            server.attach(state)
        try:
            if token_verifier is None:  # only the server's own client: nothing to close when idle
                yield state
                return
            async with anyio.create_task_group() as sweeps:
                sweeps.start_soon(pool.close_idle_forever)
                try:
                    yield state
                finally:
                    sweeps.cancel_scope.cancel()
        finally:
            await state.aclose()

    return PimeloMCPServer(
        catalog=select_tools(
            load_catalog(chatgpt_search=settings.chatgpt_search),
            scopes=scopes,
            read_only=settings.read_only,
        ),
        unavailable=unavailable_tools(
            scopes=scopes, read_only=settings.read_only, chatgpt_search=settings.chatgpt_search
        ),
        scopes=scopes,
        read_only=settings.read_only,
        chatgpt_search=settings.chatgpt_search,
        has_server_token=server_principal is not None,
        token_verifier=token_verifier,
        auth=auth,
        name="pimelo",
        title="Pimelo PIM",
        version=__version__,
        instructions=INSTRUCTIONS,
        website_url="https://www.pimelo.app",
        lifespan=lifespan,
        extensions=[review_apps()],
        request_state_security=None
        if request_state_keys is None
        else RequestStateSecurity(keys=list(request_state_keys)),
        log_level=settings.log_level,  # type: ignore[arg-type]  # checked by Settings
    )
