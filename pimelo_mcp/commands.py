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
import secrets
import signal
import sys
from collections.abc import AsyncGenerator, Generator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio
import httpx2

from pimelo_mcp.config import ConfigError, HttpSettings, Settings, read_api_key_file
from pimelo_mcp.scopes import discover_scopes, read_scopes_while

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
    )


HTTP_FLAGS = (
    "host",
    "port",
    "api_key",
    "api_key_file",
    "allowed_host",
    "allowed_origin",
    "no_auth",
)


def _refuse_http_flags(args: argparse.Namespace) -> None:
    given = [name for name in HTTP_FLAGS if getattr(args, name, None)]
    if given:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise ConfigError(f"{flags}: only for --transport http (this serves stdio)")


def _fail(command: str, message: str) -> int:
    print(f"pimelo-mcp {command}: {message}", file=sys.stderr, flush=True)
    return 2


def _say(message: str) -> None:
    """A line for the person who started the command (stderr: stdout may be the protocol)."""
    print(f"pimelo-mcp: {message}", file=sys.stderr, flush=True)


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
        if not use_sandbox:
            settings.require_token()
        http = http_settings_from_args(args) if http_mode else None
        if http is not None:
            if use_sandbox and not http.api_keys and not http.no_auth:
                # The newcomer's one command: a key made for this run, shown once below.
                generated_key = secrets.token_urlsafe(24)
                http = replace(http, api_keys=(generated_key,))
            http.validate()
    except ConfigError as error:
        return _fail(args.command, str(error))
    # Logs go to stderr: in stdio mode stdout carries only JSON-RPC.
    logging.basicConfig(
        level=settings.log_level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        if http is not None:
            _quiet_signals_after_uvicorn()
            anyio.run(_serve_http, settings, http, use_sandbox, generated_key)
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
    except KeyboardInterrupt:
        return 130


@asynccontextmanager
async def pimelo_target(
    settings: Settings, use_sandbox: bool
) -> AsyncGenerator[tuple[Settings, httpx2.AsyncClient | None]]:
    """The settings and HTTP client to reach Pimelo with: as given, or the embedded sandbox.

    The sandbox is a fresh in-memory demo catalog; a full-access token is minted for it.
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
    app = create_app(sandbox_settings)
    token = app.state.sandbox.store.mint_token("pimelo-mcp --sandbox", SCOPES)
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


def _ignore_signal(signum: int, frame: object) -> None:
    """Stands in for the default handler that uvicorn re-raises into after a graceful stop."""


def _quiet_signals_after_uvicorn() -> None:
    # uvicorn re-raises the signal that stopped it once it has shut down; a no-op handler
    # makes that a clean exit 0 instead of a KeyboardInterrupt or a kill.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _ignore_signal)


async def _serve_http(
    settings: Settings, http: HttpSettings, use_sandbox: bool, generated_key: str | None
) -> None:
    from mcp.server.mcpserver.exceptions import ToolError

    from pimelo_mcp import http as remote
    from pimelo_mcp.server import build_server

    sock = remote.listen(http)
    try:
        async with pimelo_target(settings, use_sandbox) as (settings, http_client):
            scopes = await discover_scopes(settings, http_client=http_client)
            server = build_server(settings, scopes=scopes, http_client=http_client)
            try:
                # Unlike stdio's, this start-up is paid once: build every tool now, so a broken
                # install fails here and no first call waits for its tool to be built.
                server.build_all_tools()
            except ToolError as error:
                raise ConfigError(str(error)) from None
            readiness = remote.Readiness(remote.pimelo_probe(settings, http_client))
            app = remote.build_http_app(server, http, readiness)

            def on_ready(url: str) -> None:
                for line in remote.describe_security(http):
                    _say(line)
                if generated_key is not None:
                    _say(f"API key made for this run: {generated_key}")
                    _say(f"clients send the header 'Authorization: Bearer {generated_key}'")
                print(remote.READY_PREFIX + url, file=sys.stderr, flush=True)

            await remote.serve(app, sock, log_level=settings.log_level, on_ready=on_ready)
    finally:
        sock.close()
    _say("HTTP server stopped.")


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
            if name not in known:
                raise ConfigError(f"no tool {name!r} for this token; `pimelo-mcp tools` lists them")
            result = await client.call_tool(name, arguments)  # pyright: ignore[reportUnknownArgumentType]
    if as_json and result.structured_content is not None:
        print(json.dumps(result.structured_content, indent=2, ensure_ascii=False))
    else:
        for block in result.content:
            if block.type == "text":
                print(block.text)
            else:
                print(f"[{block.type} content]")
    return 1 if result.is_error else 0
