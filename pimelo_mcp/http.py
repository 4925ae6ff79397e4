"""`pimelo-mcp serve --transport http`: the MCP server over streamable HTTP, for remote clients.

- `/mcp`: the SDK's streamable HTTP app, stateless (any replica answers any request) with
  JSON responses; it speaks the 2025-11-25 and 2026-07-28 protocol revisions as the SDK does.
- `/healthz`: the process is up. `/readyz`: Pimelo answers `GET /me` with the server's
  token (the answer is cached a few seconds). Both are open: load balancers and container
  health checks call them without a key and with whatever Host they like.
- Client authentication: every other path needs `Authorization: Bearer <key>`, one of the
  static keys of the configuration, compared in constant time; otherwise 401 with
  `WWW-Authenticate: Bearer`. The Pimelo token stays the server's own and never leaves it.
- Host/Origin validation (DNS-rebinding protection) is always on, whatever the bind
  address: the loopback names plus the configured hosts and origins; the SDK answers 421
  for another Host and 403 for another Origin.

Imported only in HTTP mode: stdio never pays for uvicorn.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

import anyio
import httpx2
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route, Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pimelo_mcp.api_keys import ApiKeys
from pimelo_mcp.client import (
    APIConnectionError,
    APIStatusError,
    AuthenticationError,
    PimeloClient,
    PimeloError,
)
from pimelo_mcp.config import ConfigError, HttpSettings, Settings, is_loopback
from pimelo_mcp.http_limits import MAX_REQUEST_BODY_BYTES, BodyLimit, bounded_protocol
from pimelo_mcp.listening import listen_tcp, url_host
from pimelo_mcp.oauth import OAUTH_SCOPE
from pimelo_mcp.stopping import server_took_a_signal

if TYPE_CHECKING:
    from pimelo_mcp.oauth.assembly import AuthorizationServer


logger = logging.getLogger(__name__)

MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
PUBLIC_PATHS = frozenset({HEALTH_PATH, READY_PATH})
READY_PREFIX = "pimelo-mcp HTTP server ready at "
REALM = "pimelo-mcp"
STORE_RETRY_AFTER_SECONDS = 2

LOOPBACK_ALLOWED_HOSTS = ("127.0.0.1", "localhost", "[::1]")
LOOPBACK_ALLOWED_ORIGINS = ("http://127.0.0.1", "http://localhost", "http://[::1]")


# -- client authentication ---------------------------------------------------------------


class ApiKeyAuth:
    """ASGI middleware: every path but the public ones needs `Authorization: Bearer <key>`.

    Keys are compared in constant time (`ApiKeys`).
    """

    def __init__(
        self, app: ASGIApp, keys: Sequence[str], public_paths: Iterable[str] = PUBLIC_PATHS
    ) -> None:
        if not keys:
            raise ValueError("ApiKeyAuth needs at least one key")
        self.app = app
        self._keys = ApiKeys(keys)
        self._public = frozenset(public_paths)

    def accepts(self, authorization: bytes | None) -> bool:
        if not authorization:
            return False
        scheme, _, value = authorization.strip().partition(b" ")
        if scheme.lower() != b"bearer":
            return False
        return self._keys.match(value.strip())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._public:
            await self.app(scope, receive, send)
            return
        authorization: bytes | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = bytes(value)
                break
        if self.accepts(authorization):
            await self.app(scope, receive, send)
            return
        if authorization is None:
            challenge = f'Bearer realm="{REALM}"'
            body = {
                "error": "unauthorized",
                "error_description": "Send Authorization: Bearer <API key of this MCP server>.",
            }
        else:
            challenge = (
                f'Bearer realm="{REALM}", error="invalid_token", '
                'error_description="The API key is not valid"'
            )
            body = {"error": "invalid_token", "error_description": "The API key is not valid."}
        response = JSONResponse(body, status_code=401, headers={"WWW-Authenticate": challenge})
        await response(scope, receive, send)


# -- Host / Origin -----------------------------------------------------------------------


def _has_port(value: str) -> bool:
    """`host:8000`, `[::1]:8000`, `https://x:443` have a port; `host`, `[::1]`, `https://x` not."""
    tail = value.rsplit("]", 1)[-1] if "[" in value else value.split("://", 1)[-1]
    return ":" in tail


def _with_any_port(values: Iterable[str]) -> list[str]:
    """Each value as given, and, when it names no port, the same with any port."""
    result: list[str] = []
    for value in values:
        value = value.strip().rstrip("/")
        if not value:
            continue
        result.append(value)
        if not _has_port(value):
            result.append(value + ":*")
    return list(dict.fromkeys(result))


def transport_security(http: HttpSettings) -> TransportSecuritySettings:
    """DNS-rebinding protection ON for every bind address: loopback names + the configured ones."""
    hosts = [*LOOPBACK_ALLOWED_HOSTS, *http.allowed_hosts]
    if http.host not in ("", "0.0.0.0", "::") and not is_loopback(http.host):
        hosts.append(f"[{http.host}]" if ":" in http.host else http.host)  # a specific address
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=_with_any_port(hosts),
        allowed_origins=_with_any_port([*LOOPBACK_ALLOWED_ORIGINS, *http.allowed_origins]),
    )


# -- readiness ---------------------------------------------------------------------------

Probe = Callable[[], Awaitable[str | None]]  # None: ready; else the reason it is not


def pimelo_probe(settings: Settings, http_client: httpx2.AsyncClient | None = None) -> Probe:
    """Ready when Pimelo answers `GET /me` with the server's token.

    Without a token of its own (OAuth, every request on a user's token), ready when Pimelo
    answers at all: its 401 to a request without a token says it is there."""
    if not settings.api_token:
        return _reachability_probe(settings.base_url, http_client)

    async def probe() -> str | None:
        try:
            async with PimeloClient(
                settings.base_url,
                settings.require_token(),
                http_client=http_client,
                max_retries=0,
                call_budget_seconds=10,
            ) as client:
                await client.me.retrieve()
        except AuthenticationError:
            return "Pimelo refuses the server's API token (unknown, revoked or expired)"
        except APIConnectionError:
            return "Pimelo cannot be reached (network, DNS or base URL)"
        except APIStatusError as error:
            return f"Pimelo answered GET /me with HTTP {error.status_code}"
        except (PimeloError, ValueError) as error:
            return f"Pimelo's answer to GET /me is unusable ({type(error).__name__})"
        return None

    return probe


def _reachability_probe(base_url: str, http_client: httpx2.AsyncClient | None) -> Probe:
    async def probe() -> str | None:
        url = base_url.rstrip("/") + "/me"
        try:
            if http_client is not None:
                response = await http_client.get(url, timeout=10)
            else:
                async with httpx2.AsyncClient(timeout=10) as client:
                    response = await client.get(url)
        except httpx2.HTTPError:
            return "Pimelo cannot be reached (network, DNS or base URL)"
        if response.status_code in (200, 401, 403):
            return None
        return f"Pimelo answered GET /me with HTTP {response.status_code}"

    return probe


def combined_probe(*probes: Probe) -> Probe:
    """Ready when every probe is; else the first reason it is not."""

    async def probe() -> str | None:
        for each in probes:
            reason = await each()
            if reason is not None:
                return reason
        return None

    return probe


class Readiness:
    """The probe's answer, cached: `ok_ttl` seconds when ready, `fail_ttl` when not.

    Concurrent calls share one probe, so a burst of health checks costs one request.
    """

    def __init__(
        self,
        probe: Probe,
        *,
        ok_ttl: float = 10.0,
        fail_ttl: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probe = probe
        self._ok_ttl = ok_ttl
        self._fail_ttl = fail_ttl
        self._clock = clock
        self._lock = anyio.Lock()
        self._answer: str | None = None
        self._expires = float("-inf")

    async def check(self) -> str | None:
        async with self._lock:
            if self._clock() >= self._expires:
                self._answer = await self._probe()
                ttl = self._ok_ttl if self._answer is None else self._fail_ttl
                self._expires = self._clock() + ttl
            return self._answer


# -- GET /mcp ----------------------------------------------------------------------------

GET_ANSWER = (
    "This is the MCP endpoint of pimelo-mcp (streamable HTTP, stateless, JSON responses).\n"
    "MCP clients send their JSON-RPC requests here with POST; this server opens no event\n"
    "stream, so a GET has nothing to wait for. Health: /healthz. Readiness: /readyz.\n"
)


class NoStreamOnGet:
    """ASGI middleware: GET (or HEAD) on the MCP path answers 405 with what the URL is for.

    The SDK, stateless, would answer a GET that accepts `*/*` (curl, a browser) with an event
    stream on which nothing can ever come: the request hangs. The protocol lets a server
    without such a stream answer 405.
    """

    def __init__(self, app: ASGIApp, path: str = MCP_PATH) -> None:
        self.app = app
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in ("GET", "HEAD")
            and scope["path"].rstrip("/") == self.path
        ):
            response = PlainTextResponse(GET_ANSWER, status_code=405, headers={"Allow": "POST"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


# -- the app -----------------------------------------------------------------------------


class StoreOutageAnswers:
    """ASGI: a request that needs the shared store while it is unreachable gets a clear 503.

    Checking a token, signing in and redeeming a code all need the store; when Redis is
    down they fail with `StoreUnavailable`. Instead of a 500 and a traceback in the log, the
    client gets 503 with Retry-After and what happened, and the next request, once the
    store answers again, simply works (no restart)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from pimelo_mcp.oauth.store import StoreUnavailable

        started = False
        # Starlette's error middleware sends its 500 and then re-raises: a 500 is held back
        # until we know whether a store outage caused it.
        held: list[Message] = []

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                if message["status"] == 500:
                    held.append(message)
                    return
                started = True
            if held:
                held.append(message)
                return
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except StoreUnavailable as error:
            if started:
                raise
            logger.warning("answered 503: %s", error)
            body = {
                "error": "temporarily_unavailable",
                "error_description": f"{error}. Try again in a few seconds.",
            }
            response = JSONResponse(
                body,
                status_code=503,
                headers={
                    "Retry-After": str(STORE_RETRY_AFTER_SECONDS),
                    "Cache-Control": "no-store",
                },
            )
            await response(scope, receive, send)
            return
        for message in held:
            await send(message)


# A registration, a token request or the sign-in form is a few kilobytes at most; the MCP
# app's own limit (uploads of 10 MiB) is no bound for endpoints anyone may call unsigned.
OAUTH_BODY_LIMIT = 64 * 1024


class _BodyTooLarge(Exception):
    pass


async def _within_form_limit(app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
    """`app`, with a request body over OAUTH_BODY_LIMIT refused (413) before it is all read."""
    declared = dict(scope["headers"]).get(b"content-length", b"")
    too_large = PlainTextResponse(
        f"Request body over {OAUTH_BODY_LIMIT:,} bytes: not an OAuth request.", status_code=413
    )
    if declared.isdigit() and int(declared) > OAUTH_BODY_LIMIT:
        await too_large(scope, receive, send)
        return
    received = 0
    started = False

    async def capped_receive() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > OAUTH_BODY_LIMIT:
                raise _BodyTooLarge
        return message

    async def noting_send(message: Message) -> None:
        nonlocal started
        started = started or message["type"] == "http.response.start"
        await send(message)

    try:
        await app(scope, capped_receive, noting_send)
    except _BodyTooLarge:
        if not started:
            await too_large(scope, receive, send)


class WithAuthorizationServer:
    """ASGI: the OAuth endpoints (open: they are how a client gets in) beside the MCP app.

    The MCP app checks bearer tokens itself (the SDK's middleware with our verifier, API keys
    included). Its 401 names the scope to ask for, as the MCP authorization spec advises.
    """

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute], scope: str) -> None:
        self.app = app
        self._router = Router(list(routes))
        self._paths = frozenset(route.path for route in routes if isinstance(route, Route))
        self._scope_hint = f', scope="{scope}"'.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] in self._paths:
            await _within_form_limit(self._router, scope, receive, send)
            return

        async def send_with_scope(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                message["headers"] = [
                    (name, value + self._scope_hint if name == b"www-authenticate" else value)
                    for name, value in message["headers"]
                ]
            await send(message)

        await self.app(scope, receive, send_with_scope)


def build_http_app(
    server: MCPServer[Any],
    http: HttpSettings,
    readiness: Readiness,
    oauth: AuthorizationServer | None = None,
) -> ASGIApp:
    """The ASGI app: /mcp (stateless, JSON responses; GET answers 405), /healthz, /readyz, behind ApiKeyAuth,
    or with `oauth`, beside the authorization server's endpoints (the server then has the
    OAuth token verifier, which knows the API keys too)."""

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(request: Request) -> Response:
        reason = await readiness.check()
        if reason is None:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "not ready", "reason": reason}, status_code=503)

    server.custom_route(HEALTH_PATH, methods=["GET"], include_in_schema=False)(healthz)
    server.custom_route(READY_PATH, methods=["GET"], include_in_schema=False)(readyz)
    # The SDK's own limit (a bare 413) is set just above ours, which answers in words.
    app: ASGIApp = BodyLimit(
        server.streamable_http_app(
            streamable_http_path=MCP_PATH,
            stateless_http=True,
            json_response=True,
            transport_security=transport_security(http),
            host=http.host,
            max_request_body_size=MAX_REQUEST_BODY_BYTES + 1,
        )
    )
    app = NoStreamOnGet(app)
    if oauth is not None:
        return StoreOutageAnswers(WithAuthorizationServer(app, oauth.routes, OAUTH_SCOPE))
    return app if http.no_auth else ApiKeyAuth(app, http.api_keys)


# -- serving -----------------------------------------------------------------------------


def listen(
    http: HttpSettings, *, reuse_port: bool = False, listening: bool = True
) -> socket.socket:
    """The listening socket, bound before the server starts so that port 0 is known.

    For workers (see `pimelo_mcp.workers`): `reuse_port`, and `listening=False` to hold the
    port for workers that each listen on it."""
    try:
        return listen_tcp(http.host, http.port, reuse_port=reuse_port, listening=listening)
    except (OSError, OverflowError) as error:
        raise ConfigError(f"cannot listen on {http.host}:{http.port}: {error}") from None


async def serve(
    app: ASGIApp, sock: socket.socket, *, log_level: str, on_ready: Callable[[str], None]
) -> None:
    """Serve `app` on `sock` until SIGINT/SIGTERM; `on_ready(url)` once it really listens."""
    import uvicorn

    host, port = sock.getsockname()[:2]
    url = f"http://{url_host(str(host))}:{port}{MCP_PATH}"

    class ReadyServer(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                on_ready(url)

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            server_took_a_signal()  # uvicorn stops gracefully, then raises the signal again
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        http=bounded_protocol(),  # slow clients are cut (http_limits.py)
        log_level=log_level.lower(),
        lifespan="on",
        access_log=log_level == "DEBUG",
        server_header=False,
    )
    await ReadyServer(config).serve(sockets=[sock])


def describe_security(http: HttpSettings, issuer: str | None = None) -> list[str]:
    """Lines for stderr: who may call, which Host/Origin values pass."""
    security = transport_security(http)
    if issuer is not None:
        auth = (
            f"auth: OAuth 2.1 sign-in (issuer {issuer}; connector URL {issuer}{MCP_PATH})"
            f", and {len(http.api_keys)} static API key(s)"
        )
    elif http.no_auth:
        auth = "auth: NONE (--no-auth, loopback only)"
    else:
        auth = f"auth: Bearer API key ({len(http.api_keys)} configured)"
    lines = [
        auth,
        "allowed Host: " + ", ".join(security.allowed_hosts),
        "allowed Origin: " + ", ".join(security.allowed_origins) + " (or none)",
    ]
    if http.host in ("0.0.0.0", "::") and not http.allowed_hosts:
        lines.append(
            "note: bound to every interface, but only loopback Host names are accepted; name "
            "the host clients use with --allowed-host or PIMELO_MCP_ALLOWED_HOSTS"
        )
    return lines
