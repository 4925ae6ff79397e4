"""`pimelo-mcp serve | tools | call | check`: settings from environment and flags, scopes from /me, then work.

`--sandbox` swaps Pimelo for the embedded sandbox (in memory, in process, reached through
an ASGI transport: no port, no uvicorn). The sandbox and the HTTP machinery are imported
only by the commands that use them, and the MCP SDK only once the settings are known: the
stdio server reads its token's scopes while the SDK loads.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import secrets
import socket
import sys
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import anyio
import httpx2

from pimelo_mcp.audit import AuditJournal
from pimelo_mcp.config import (
    ENV_WORKER_SOCKET,
    ConfigError,
    HttpSettings,
    OAuthSettings,
    Settings,
    is_loopback,
    parse_workers,
    read_api_key_file,
)
from pimelo_mcp.console import say
from pimelo_mcp.scopes import discover_scopes, read_scopes_while

if TYPE_CHECKING:
    from pimelo_mcp.oauth.assembly import AuthorizationServer
    from pimelo_mcp.sharing import SharedState

# Never resolved: with --sandbox every request goes to the in-process app.
SANDBOX_BASE_URL = "http://sandbox.invalid/api/v1/"


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The environment's settings with the flags that were given laid over them."""
    settings = Settings.from_env().with_overrides(
        api_token=args.token,
        base_url=args.base_url,
        read_only=args.read_only,
        chatgpt_search=args.chatgpt_search,
        upload_dirs=tuple(Path(d).expanduser().resolve() for d in args.upload_dir)
        if args.upload_dir
        else None,
        log_level=args.log_level,
        call_deadline_seconds=getattr(args, "call_deadline", None),
    )
    if args.audit_log is not None:
        text = args.audit_log.strip()
        settings = replace(
            settings, audit_path=None if text.lower() == "off" else Path(text).expanduser()
        )
    return settings


def http_settings_from_args(args: argparse.Namespace) -> HttpSettings:
    """The PIMELO_MCP_* variables with the HTTP flags laid over them (keys and lists add up)."""
    http = HttpSettings.from_env()
    keys: list[str] = [*http.api_keys, *(args.api_key or [])]
    key_files: list[str] = args.api_key_file or []
    for path in key_files:
        keys += read_api_key_file(Path(path))
    return http.with_overrides(
        host=args.host,
        port=args.port,
        api_keys=tuple(dict.fromkeys(keys)),
        allowed_hosts=http.allowed_hosts + tuple(args.allowed_host or ()),
        allowed_origins=http.allowed_origins + tuple(args.allowed_origin or ()),
        no_auth=args.no_auth or None,
        workers=parse_workers(args.workers, "--workers") if args.workers is not None else None,
    )


SANDBOX_JOURNAL_NAME = "sandbox-audit.jsonl"


def sandbox_journal(path: Path | None) -> Path | None:
    """Where `--sandbox` journals its writes: a journal of its own beside the configured one.

    The demo catalog's writes never mix with the journal of a real catalog; `off` stays off.
    """
    return None if path is None else path.with_name(SANDBOX_JOURNAL_NAME)


def check_journal(settings: Settings) -> None:
    """Create the audit journal now: a path that cannot be written stops the start with a message."""
    try:
        AuditJournal(settings.audit_path, api=settings.base_url).check_writable()
    except OSError as error:
        raise ConfigError(
            f"cannot write the audit journal {str(settings.audit_path)!r} "
            f"({error.strerror or error}): give a writable file with --audit-log or "
            "PIMELO_AUDIT_LOG, or 'off' to keep no journal"
        ) from None


def check_upload_dirs(settings: Settings) -> None:
    """Each folder upload_media may read from exists: a typo is told at start, not at an upload."""
    for folder in settings.upload_dirs:
        if not folder.is_dir():
            raise ConfigError(
                f"the upload folder {str(folder)!r} does not exist or is not a folder: fix "
                "--upload-dir or PIMELO_UPLOAD_DIRS"
            )


def oauth_settings_from_args(args: argparse.Namespace) -> OAuthSettings:
    """The OAuth variables with the flags laid over them (allowed redirects add up)."""
    oauth = OAuthSettings.from_env()
    return oauth.with_overrides(
        enabled=args.oauth,
        public_url=args.public_url,
        allowed_redirects=oauth.allowed_redirects + tuple(args.allowed_redirect or ()),
    ).with_store(args.store)


HTTP_FLAGS = (
    "host",
    "port",
    "api_key",
    "api_key_file",
    "allowed_host",
    "allowed_origin",
    "no_auth",
    "oauth",
    "public_url",
    "store",
    "allowed_redirect",
    "workers",
)


def _refuse_http_flags(args: argparse.Namespace) -> None:
    given = [name for name in HTTP_FLAGS if getattr(args, name, None)]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise ConfigError(f"{flags}: only for --transport http (this serves stdio)")


def config_error_messages(group: BaseExceptionGroup[BaseException]) -> list[str] | None:
    """The messages of a group made only of ConfigErrors (however nested), else None."""
    messages: list[str] = []
    for error in group.exceptions:
        if isinstance(error, ConfigError):
            messages.append(str(error))
        elif isinstance(error, BaseExceptionGroup):
            inner = config_error_messages(error)  # pyright: ignore[reportUnknownArgumentType]
            if inner is None:
                return None
            messages += inner
        else:
            return None
    return list(dict.fromkeys(messages))


def _fail(command: str, message: str) -> int:
    say(f"pimelo-mcp {command}: {message}")
    return 2


def _say(message: str) -> None:
    """A line for the person who started the command (stderr: stdout may be the protocol)."""
    say(f"pimelo-mcp: {message}")


@contextmanager
def uvicorn_hidden() -> Generator[None]:
    """While active, `import uvicorn` fails; afterwards uvicorn is importable again.

    The SDK imports sse_starlette, which imports uvicorn if it can (only to hook its
    shutdown): about a sixth of a stdio server's start-up, for a server that never runs
    uvicorn. Every command but the HTTP transport loads the SDK under this.
    """
    modules: dict[str, object] = sys.modules  # type: ignore[assignment]  # None is allowed
    hidden = "uvicorn" not in modules
    if hidden:
        modules["uvicorn"] = None  # makes `import uvicorn` fail
    try:
        yield
    finally:
        if hidden and modules.get("uvicorn", False) is None:
            del modules["uvicorn"]


def load_server_without_uvicorn() -> None:
    """Import the MCP SDK and the server (the bulk of start-up) with uvicorn hidden."""
    with uvicorn_hidden():
        importlib.import_module("pimelo_mcp.server")


def run_command(args: argparse.Namespace) -> int:
    use_sandbox: bool = getattr(args, "sandbox", False)
    http_mode = args.command == "serve" and args.transport == "http"
    generated_key: str | None = None
    try:
        if args.command == "serve" and not http_mode:
            _refuse_http_flags(args)
        settings = settings_from_args(args)
        http = http_settings_from_args(args) if http_mode else None
        oauth = oauth_settings_from_args(args) if http_mode else None
        store_settings = oauth  # the store and secret serve more than OAuth (rate budgets)
        if oauth is not None and not oauth.enabled:
            oauth = None
        if not use_sandbox:
            if oauth is None:
                settings.require_token()
            elif http is not None and http.api_keys and not settings.api_token:
                raise ConfigError(
                    "with --oauth, API key clients act with the server's own Pimelo token: set "
                    "PIMELO_API_TOKEN, or give no API key (each signed-in user brings their own)"
                )
        if use_sandbox:
            settings = replace(settings, audit_path=sandbox_journal(settings.audit_path))
        if args.command in ("serve", "tools", "call"):
            check_journal(settings)
            check_upload_dirs(settings)
        if http is not None:
            if use_sandbox and not http.api_keys and not http.no_auth and oauth is None:
                # The newcomer's one command: a key made for this run, shown once below.
                generated_key = secrets.token_urlsafe(24)
                http = replace(http, api_keys=(generated_key,))
            http.validate(oauth=oauth is not None)
            if use_sandbox and http.workers > 1:
                raise ConfigError(
                    "--sandbox keeps its catalog in the memory of one process: run it with one "
                    "worker, or run `pimelo-mcp sandbox` apart and point the workers at it"
                )
            # A local sandbox without --public-url is its own public URL, once it listens.
            if oauth is not None and not (
                use_sandbox and not oauth.public_url and is_loopback(http.host)
            ):
                oauth.validate()
                # Clients reach the server by its public name: accept that Host at /mcp.
                public_host = urlsplit(oauth.issuer()).netloc
                http = replace(http, allowed_hosts=(*http.allowed_hosts, public_host))
    except ConfigError as error:
        return _fail(args.command, str(error))
    # Logs go to stderr: in stdio mode stdout carries only JSON-RPC.
    logging.basicConfig(
        level=settings.log_level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        if http is not None:
            assert store_settings is not None
            if http.workers > 1 and not os.environ.get(ENV_WORKER_SOCKET):  # not in a worker
                from pimelo_mcp.workers import run_workers

                return run_workers(http, store_settings, args)
            anyio.run(
                _serve_http, settings, http, use_sandbox, generated_key, oauth, store_settings
            )
            return 0
        if args.command == "serve" and not use_sandbox:
            # What Claude Desktop starts on every launch: GET /me while the SDK loads.
            scopes, _ = read_scopes_while(settings, load_server_without_uvicorn)
            anyio.run(_serve_stdio, settings, scopes)
            return 0
        load_server_without_uvicorn()
        if args.command == "check":
            return anyio.run(_check, settings, use_sandbox)
        if args.command == "serve":
            anyio.run(_serve_stdio_on_sandbox, settings)
            return 0
        if args.command == "tools":
            return anyio.run(_list_tools, settings, use_sandbox, args.json)
        return anyio.run(_call_tool, settings, use_sandbox, args.name, args.arguments, args.json)
    except ConfigError as error:
        return _fail(args.command, str(error))
    except BaseExceptionGroup as group:
        # A setting found wrong inside a task group (the SDK's client and server run in
        # them) arrives wrapped; its message is still all a person needs.
        messages = config_error_messages(group)
        if messages is None:
            raise
        return _fail(args.command, "; ".join(messages))
    except KeyboardInterrupt:
        return 130


@asynccontextmanager
async def pimelo_target(
    settings: Settings, use_sandbox: bool, demo_tokens: list[tuple[str, str]] | None = None
) -> AsyncGenerator[tuple[Settings, httpx2.AsyncClient | None]]:
    """The settings and HTTP client to reach Pimelo with: as given, or the embedded sandbox.

    The sandbox is a fresh in-memory demo catalog; a full-access token is minted for it, and
    into `demo_tokens` (name, value) the sandbox's demo tokens, for people to sign in with.
    """
    if not use_sandbox:
        yield settings, None
        return
    from pimelo_mcp.sandbox.app import create_app
    from pimelo_mcp.sandbox.settings import SCOPES, SandboxSettings

    sandbox_settings = SandboxSettings()
    _say(
        f"SANDBOX: loading a local demo catalog ({sandbox_settings.products} products, in "
        "memory, gone at exit); nothing is sent to Pimelo."
    )
    if settings.audit_path is not None:
        _say(f"SANDBOX: its writes are journaled apart, in {settings.audit_path}")
    app = create_app(sandbox_settings)
    token = app.state.sandbox.store.mint_token("pimelo-mcp --sandbox", SCOPES)
    if demo_tokens is not None:
        from pimelo_mcp.sandbox.auth import mint_demo_tokens

        demo_tokens.extend(
            (name, value) for name, value, _ in mint_demo_tokens(app.state.sandbox.store)
        )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url=SANDBOX_BASE_URL
    ) as http_client:
        yield replace(settings, api_token=token, base_url=SANDBOX_BASE_URL), http_client


async def _serve_stdio(settings: Settings, scopes: frozenset[str] | None) -> None:
    from pimelo_mcp.server import build_server

    await build_server(settings, scopes=scopes).run_stdio_async()


async def _serve_stdio_on_sandbox(settings: Settings) -> None:
    from pimelo_mcp.server import build_server

    async with pimelo_target(settings, True) as (settings, http_client):
        scopes = await discover_scopes(settings, http_client=http_client)
        await build_server(settings, scopes=scopes, http_client=http_client).run_stdio_async()


async def _serve_http(
    settings: Settings,
    http: HttpSettings,
    use_sandbox: bool,
    generated_key: str | None,
    oauth: OAuthSettings | None,
    store_settings: OAuthSettings,
) -> None:
    from mcp.server.mcpserver.exceptions import ToolError

    from pimelo_mcp import http as remote
    from pimelo_mcp.server import build_server
    from pimelo_mcp.sharing import open_shared_state
    from pimelo_mcp.workers import inherited_socket, prints_the_banner, worker_index

    sock = inherited_socket() or remote.listen(http)
    first_worker = prints_the_banner()
    demo_tokens: list[tuple[str, str]] | None = [] if oauth is not None else None
    shared: SharedState | None
    try:
        async with (
            pimelo_target(settings, use_sandbox, demo_tokens) as (settings, http_client),
            open_shared_state(
                store_settings, http, oauth=oauth is not None, in_memory=use_sandbox
            ) as shared,
            _authorization_server(
                _public_url_of(oauth, sock), settings, http, http_client, shared
            ) as authorization,
        ):
            scopes = (
                await discover_scopes(settings, http_client=http_client)
                if settings.api_token
                else None
            )
            server = build_server(
                settings,
                scopes=scopes,
                http_client=http_client,
                token_verifier=authorization.verifier if authorization else None,
                auth=authorization.auth if authorization else None,
                revoke_principal=authorization.revoker if authorization else None,
                request_state_keys=shared.request_state_keys() if shared else None,
                review_key=shared.keys.review_key if shared else None,
                review_store=shared.store if shared else None,
            )
            try:
                # Unlike stdio's, this start-up is paid once: build every tool now, so a broken
                # install fails here and no first call waits for its tool to be built.
                server.build_all_tools()
            except ToolError as error:
                raise ConfigError(str(error)) from None
            probe = remote.pimelo_probe(settings, http_client)
            if shared is not None:
                probe = remote.combined_probe(shared.store.ping, probe)
            readiness = remote.Readiness(probe)
            app = remote.build_http_app(server, http, readiness, authorization)

            def on_ready(url: str) -> None:
                if not first_worker:
                    _say(f"worker {worker_index()} ready")
                    return
                issuer = authorization.provider.issuer if authorization else None
                for line in remote.describe_security(http, issuer):
                    _say(line)
                if shared is not None:
                    _say(shared.describe())
                if generated_key is not None:
                    _say(f"API key made for this run: {generated_key}")
                    _say(f"clients send the header 'Authorization: Bearer {generated_key}'")
                for name, value in demo_tokens or []:
                    _say(f"sandbox token to paste on the sign-in page ({name}): {value}")
                say(remote.READY_PREFIX + url)

            await remote.serve(app, sock, log_level=settings.log_level, on_ready=on_ready)
    finally:
        sock.close()
    _say("HTTP server stopped.")


def _public_url_of(oauth: OAuthSettings | None, sock: socket.socket) -> OAuthSettings | None:
    """`oauth`, its public URL the listening address when none was given (a local sandbox)."""
    if oauth is None or oauth.public_url:
        return oauth
    from pimelo_mcp.listening import url_host

    host, port = sock.getsockname()[:2]
    local = replace(oauth, public_url=f"http://{url_host(str(host))}:{port}")
    local.validate()
    return local


@asynccontextmanager
async def _authorization_server(
    oauth: OAuthSettings | None,
    settings: Settings,
    http: HttpSettings,
    http_client: httpx2.AsyncClient | None,
    shared: SharedState | None,
) -> AsyncGenerator[AuthorizationServer | None]:
    """The OAuth authorization server for `oauth` (None without it), on the shared store."""
    if oauth is None or shared is None:
        yield None
        return
    from pimelo_mcp.oauth.assembly import build_authorization_server

    yield build_authorization_server(
        oauth,
        pimelo_base_url=settings.base_url,
        http_client=http_client,
        api_keys=http.api_keys,
        store=shared.store,
        keys=shared.keys,
    )


async def _check(settings: Settings, use_sandbox: bool) -> int:
    from pimelo_mcp.check import run_check

    async with pimelo_target(settings, use_sandbox) as (settings, http_client):
        report = await run_check(settings, http_client=http_client)
    print(report.render())
    return 0 if report.usable else 1


async def _list_tools(settings: Settings, use_sandbox: bool, as_json: bool) -> int:
    from mcp import Client

    from pimelo_mcp.server import build_server

    async with pimelo_target(settings, use_sandbox) as (settings, http_client):
        scopes = await discover_scopes(settings, http_client=http_client)
        async with Client(build_server(settings, scopes=scopes, http_client=http_client)) as client:
            listed = (await client.list_tools()).tools
    if as_json:
        print(
            json.dumps(
                [t.model_dump(by_alias=True, mode="json", exclude_none=True) for t in listed],
                indent=2,
            )
        )
        return 0
    from pimelo_mcp.check import lacking_lines
    from pimelo_mcp.tools.catalog import load_catalog

    entries = {entry.name: entry for entry in load_catalog(chatgpt_search=True)}
    width = max((len(t.name) for t in listed), default=0)
    title_width = max((len(t.title or "") for t in listed), default=0)
    for t in listed:
        kind = "read " if t.annotations and t.annotations.read_only_hint else "write"
        entry = entries.get(t.name)
        needs = f"  needs {', '.join(entry.scopes)}" if entry else ""
        print(f"{t.name:<{width}}  {kind}  {t.title or '':<{title_width}}{needs}".rstrip())
        if entry is not None:
            for line in lacking_lines(entry, scopes, indent=width + 9):
                print(line)
    if scopes is not None:
        print(f"\nToken scopes: {', '.join(sorted(scopes))}", file=sys.stderr)
    return 0


async def _call_tool(
    settings: Settings, use_sandbox: bool, name: str, raw_arguments: str, as_json: bool
) -> int:
    from mcp import Client

    from pimelo_mcp.server import build_server

    try:
        arguments: Any = json.loads(raw_arguments)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"the arguments must be a JSON object, e.g. '{{\"limit\": 5}}' ({error})"
        ) from None
    if not isinstance(arguments, dict):
        raise ConfigError("the arguments must be a JSON object, e.g. '{\"limit\": 5}'")
    async with pimelo_target(settings, use_sandbox) as (settings, http_client):
        scopes = await discover_scopes(settings, http_client=http_client)
        async with Client(build_server(settings, scopes=scopes, http_client=http_client)) as client:
            known = {t.name for t in (await client.list_tools()).tools}
            result = (
                await client.call_tool(name, arguments)  # pyright: ignore[reportUnknownArgumentType]
                if name in known
                else None
            )
    if result is None:
        # Raised out here: inside the client's task group it would reach the person as an
        # ExceptionGroup traceback.
        raise ConfigError(f"no tool {name!r} for this token; `pimelo-mcp tools` lists them")
    if as_json and result.structured_content is not None:
        print(json.dumps(result.structured_content, indent=2, ensure_ascii=False))
    else:
        for block in result.content:
            if block.type == "text":
                print(block.text)
            else:
                print(f"[{block.type} content]")
    return 1 if result.is_error else 0
