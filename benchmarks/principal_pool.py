"""Measure what acting as each signed-in user costs: per call, per new user, per pooled user.

The real MCP server's HTTP app (in process, the SDK's client over HTTP) against an
in-process sandbox with one token per user, a token verifier mapping bearer strings to
principals, as the OAuth side does. For each kind of caller:

1. a warm call (`list_channels`) as the server itself (a static key) and as a signed-in user;
2. a signed-in user's first `search_products` (their client opened, their definitions loaded)
   against the same call once warm;
3. the memory held per user once each has searched (tracemalloc: the pooled client and
   definition caches, which `PIMELO_MCP_CLIENT_POOL_SIZE` bounds, plus the in-process
   sandbox's own per-token state, so an upper bound).

Measures, never asserts. Takes a few seconds.

    .venv/bin/python benchmarks/principal_pool.py [--users 40] [--calls 200]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings

from pimelo_mcp.config import HttpSettings, Settings
from pimelo_mcp.http import transport_security
from pimelo_mcp.principal import Principal, PrincipalAccessToken
from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.settings import SCOPES, SandboxSettings
from pimelo_mcp.server import build_server

ORIGIN = "http://127.0.0.1"
RESOURCE = f"{ORIGIN}/mcp"
SANDBOX_URL = "http://sandbox/api/v1/"
SERVER_TOKEN = "pim_benchmark_server_token"
STATIC_KEY = "benchmark-static-key"


class Verifier:
    def __init__(self, users: dict[str, Principal]) -> None:
        self.users = users

    async def verify_token(self, token: str) -> AccessToken | None:
        if token == STATIC_KEY:
            return AccessToken(token=token, client_id="static", scopes=[], resource=RESOURCE)
        principal = self.users.get(token)
        if principal is None:
            return None
        return PrincipalAccessToken(
            token=token, client_id="bench", scopes=[], resource=RESOURCE, principal=principal
        )


@asynccontextmanager
async def served(
    users: dict[str, Principal], audit: Path, pool_size: int
) -> AsyncIterator[Callable[[str], Any]]:
    sandbox = create_app(
        SandboxSettings(
            products=200,
            rate_limit=RateLimit(requests=10_000_000, seconds=60),
            tokens=(
                TokenSpec(SERVER_TOKEN, SCOPES),
                *(TokenSpec(p.pimelo_token, SCOPES) for p in users.values()),
            ),
        )
    )
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=sandbox), base_url=SANDBOX_URL
    ) as sandbox_http:
        server = build_server(
            Settings(
                api_token=SERVER_TOKEN,
                base_url=SANDBOX_URL,
                audit_path=audit,
                client_pool_size=pool_size,
            ),
            scopes=SCOPES,
            http_client=sandbox_http,
            token_verifier=Verifier(users),
            auth=AuthSettings(
                issuer_url=ORIGIN,  # type: ignore[arg-type]
                resource_server_url=RESOURCE,  # type: ignore[arg-type]
                validate_token_resource=True,
            ),
        )
        app = server.streamable_http_app(
            streamable_http_path="/mcp",
            stateless_http=True,
            json_response=True,
            transport_security=transport_security(HttpSettings()),
        )

        @asynccontextmanager
        async def connect(bearer: str) -> AsyncIterator[Client]:
            async with (
                httpx2.AsyncClient(
                    transport=httpx2.ASGITransport(app=app),
                    base_url=ORIGIN,
                    headers={"Authorization": f"Bearer {bearer}"},
                    timeout=60,
                ) as http,
                Client(streamable_http_client(RESOURCE, http_client=http)) as client,  # type: ignore[arg-type]
            ):
                yield client

        async with app.router.lifespan_context(app):
            yield connect


async def timed(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.perf_counter()
    result = await call()
    elapsed = time.perf_counter() - started
    assert not result.is_error, result.content  # a measurement of failures would mislead
    return elapsed


async def per_call(client: Client, calls: int) -> float:
    await client.call_tool("list_channels", {})  # warm
    times = [await timed(lambda: client.call_tool("list_channels", {})) for _ in range(calls)]
    return statistics.median(times) * 1000


async def main(users_count: int, calls: int) -> None:
    users = {
        f"bench-user-{n}": Principal(
            key=f"grant-{n}", pimelo_token=f"pim_benchmark_user_{n:04d}", user=f"user{n}"
        )
        for n in range(users_count)
    }
    rows: list[tuple[str, str]] = []
    with TemporaryDirectory() as folder:
        async with served(users, Path(folder) / "audit.jsonl", users_count + 1) as connect:
            async with connect(STATIC_KEY) as static:
                rows.append(
                    (
                        "warm list_channels, server (static key)",
                        f"{await per_call(static, calls):.2f} ms",
                    )
                )
            first_user = next(iter(users))
            async with connect(first_user) as user:
                rows.append(
                    ("warm list_channels, signed-in user", f"{await per_call(user, calls):.2f} ms")
                )

            # Half the users for time (tracemalloc off: it slows every allocation), half for memory.
            search = {"limit": 5}
            bearers = list(users)[1:]
            timing, weighing = bearers[: len(bearers) // 2], bearers[len(bearers) // 2 :]
            firsts: list[float] = []
            warm: list[float] = []
            for bearer in timing:
                async with connect(bearer) as user:
                    firsts.append(
                        await timed(lambda u=user: u.call_tool("search_products", search))
                    )
                    warm.append(await timed(lambda u=user: u.call_tool("search_products", search)))
            gc.collect()
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            for bearer in weighing:
                async with connect(bearer) as user:
                    await user.call_tool("search_products", search)
            gc.collect()
            held = tracemalloc.get_traced_memory()[0] - before
            tracemalloc.stop()
            rows.append(
                (
                    "first search_products of a new user",
                    f"{statistics.median(firsts) * 1000:.1f} ms",
                )
            )
            rows.append(("same call, warm", f"{statistics.median(warm) * 1000:.1f} ms"))
            rows.append(
                (
                    f"memory held per pooled user ({len(weighing)} users; sandbox included)",
                    f"{held / len(weighing) / 1024:.0f} KiB",
                )
            )
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    anyio.run(main, args.users, args.calls)
