"""`pimelo-mcp sandbox`: load the catalog, mint demo tokens, serve on uvicorn, print how to connect."""

from __future__ import annotations

import argparse
import asyncio
import socket
import sqlite3
import sys
import time
from types import FrameType
from typing import Any

from pimelo_mcp.listening import listen_tcp, url_host
from pimelo_mcp.sandbox.settings import SandboxSettings
from pimelo_mcp.stopping import server_took_a_signal

READY_PREFIX = "Pimelo sandbox ready at "


def settings_from_args(args: argparse.Namespace) -> SandboxSettings:
    if not 0 <= args.port <= 65535:
        raise ValueError(f"--port must be from 0 to 65535, got {args.port}")
    return SandboxSettings(
        db_path=args.db,
        products=args.products,
        rate_limit=args.rate_limit,
        tokens=tuple(args.token),
        max_upload_bytes=args.max_upload_bytes,
        faults=getattr(args, "faults", None),
    )


def _error(message: str) -> None:
    print(f"pimelo-mcp sandbox: error: {message}", file=sys.stderr, flush=True)


def run_sandbox(args: argparse.Namespace) -> int:
    """Run until Ctrl-C or SIGTERM; 0 on a clean stop, 2 for a setting that cannot work (an
    argument, a busy port, a database that cannot be opened), as `serve` does, 1 for a broken
    install. The port is taken before the catalog loads: a busy port fails at once.
    """
    try:
        settings = settings_from_args(args)
    except ValueError as error:
        _error(str(error))
        return 2
    try:
        sock = listen_tcp(args.host, args.port)
    except (OSError, OverflowError) as error:
        _error(f"cannot listen on {args.host}:{args.port}: {error}")
        return 2
    try:
        return _load_and_serve(settings, sock, url_host(args.host))
    finally:
        sock.close()


def _load_and_serve(settings: SandboxSettings, sock: socket.socket, host: str) -> int:
    from pimelo_mcp.sandbox.app import create_app
    from pimelo_mcp.sandbox.auth import mint_demo_tokens

    started = time.perf_counter()
    print(
        f"Loading the sandbox catalog ({settings.products} demo products if the database is new)...",
        file=sys.stderr,
        flush=True,
    )
    try:
        app = create_app(settings)
    except ImportError as error:
        _error(f"the demo catalog is not available ({error})")
        return 1
    except (sqlite3.Error, OSError) as error:
        _error(
            f"cannot open the database {settings.db_path!r}: {error}; give --db a SQLite file "
            "in a folder that exists (it is created if missing)"
        )
        return 2
    print(f"Catalog ready in {time.perf_counter() - started:.1f} s.", file=sys.stderr, flush=True)
    if settings.faults is not None:
        print(
            f"FAULTS: injecting network faults ({settings.faults.text}); answers may be slow, "
            "lost or broken on purpose.",
            file=sys.stderr,
            flush=True,
        )
    tokens = mint_demo_tokens(app.state.sandbox.store)
    base_url = f"http://{host}:{sock.getsockname()[1]}/api/v1/"
    asyncio.run(_serve(app, sock, base_url, tokens, faults=settings.faults is not None))
    print("Pimelo sandbox stopped.", file=sys.stderr, flush=True)
    return 0


async def _serve(
    app: Any,
    sock: socket.socket,
    base_url: str,
    tokens: list[tuple[str, str, tuple[str, ...]]],
    *,
    faults: bool = False,
) -> None:
    import uvicorn

    class ReadyServer(uvicorn.Server):
        """Prints how to connect once uvicorn has really started listening."""

        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                lines = [READY_PREFIX + base_url]
                lines += [
                    f"token {name} {value} scopes {','.join(scopes)}"
                    for name, value, scopes in tokens
                ]
                print("\n".join(lines), flush=True)

        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            server_took_a_signal()  # uvicorn stops gracefully, then raises the signal again
            super().handle_exit(sig, frame)

    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        access_log=False,
        # A `hang` fault holds its request until the client leaves: Ctrl-C must not wait on it.
        timeout_graceful_shutdown=2 if faults else None,
    )
    await ReadyServer(config).serve(sockets=[sock])
