"""`pimelo-mcp serve | tools | call`: settings from environment and flags, scopes from /me, then work."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import anyio

from pimelo_mcp.config import ConfigError, Settings
from pimelo_mcp.server import build_server, discover_scopes


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The environment's settings with the flags that were given laid over them."""
    settings = Settings.from_env().with_overrides(
        api_token=args.token,
        base_url=args.base_url,
        read_only=args.read_only,
        upload_dirs=tuple(Path(d).expanduser().resolve() for d in args.upload_dir)
        if args.upload_dir
        else None,
        log_level=args.log_level,
    )
    if args.audit_log is not None:
        text = args.audit_log.strip()
        settings = replace(
            settings, audit_path=None if text.lower() == "off" else Path(text).expanduser()
        )
    return settings


def _fail(command: str, message: str) -> int:
    print(f"pimelo-mcp {command}: {message}", file=sys.stderr, flush=True)
    return 2


def run_command(args: argparse.Namespace) -> int:
    try:
        settings = settings_from_args(args)
        settings.require_token()
    except ConfigError as error:
        return _fail(args.command, str(error))
    # Logs go to stderr: in stdio mode stdout carries only JSON-RPC.
    logging.basicConfig(
        level=settings.log_level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        if args.command == "serve":
            anyio.run(_serve_stdio, settings)
            return 0
        if args.command == "tools":
            return anyio.run(_list_tools, settings, args.json)
        return anyio.run(_call_tool, settings, args.name, args.arguments, args.json)
    except ConfigError as error:
        return _fail(args.command, str(error))
    except KeyboardInterrupt:
        return 130


async def _serve_stdio(settings: Settings) -> None:
    scopes = await discover_scopes(settings)
    await build_server(settings, scopes=scopes).run_stdio_async()


async def _list_tools(settings: Settings, as_json: bool) -> int:
    from mcp import Client

    scopes = await discover_scopes(settings)
    async with Client(build_server(settings, scopes=scopes)) as client:
        listed = (await client.list_tools()).tools
    if as_json:
        print(
            json.dumps(
                [t.model_dump(by_alias=True, mode="json", exclude_none=True) for t in listed],
                indent=2,
            )
        )
        return 0
    width = max((len(t.name) for t in listed), default=0)
    for t in listed:
        kind = "read " if t.annotations and t.annotations.read_only_hint else "write"
        print(f"{t.name:<{width}}  {kind}  {t.title or ''}")
    if scopes is not None:
        print(f"\nToken scopes: {', '.join(sorted(scopes))}", file=sys.stderr)
    return 0


async def _call_tool(settings: Settings, name: str, raw_arguments: str, as_json: bool) -> int:
    from mcp import Client

    try:
        arguments: Any = json.loads(raw_arguments)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"the arguments must be a JSON object, e.g. '{{\"limit\": 5}}' ({error})"
        ) from None
    if not isinstance(arguments, dict):
        raise ConfigError("the arguments must be a JSON object, e.g. '{\"limit\": 5}'")
    scopes = await discover_scopes(settings)
    async with Client(build_server(settings, scopes=scopes)) as client:
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
