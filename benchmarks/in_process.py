"""An in-process sandbox for benchmarks: a demo catalog behind an httpx2 client, no sockets.

Its rate limit is far above anything a benchmark sends, so the figures measure the server
and the client, not the limit's pacing (benchmarks/client_pacing.py measures that).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx2

from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.settings import SCOPES, SandboxSettings

UNLIMITED = RateLimit(requests=10_000_000, seconds=60)


@asynccontextmanager
async def sandbox_http(
    base_url: str, *tokens: str, products: int = 1000
) -> AsyncIterator[httpx2.AsyncClient]:
    """An httpx2 client on a fresh in-process sandbox where each of `tokens` has every scope."""
    app = create_app(
        SandboxSettings(
            products=products,
            rate_limit=UNLIMITED,
            tokens=tuple(TokenSpec(token, SCOPES) for token in tokens),
        )
    )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url=base_url
    ) as http:
        yield http
