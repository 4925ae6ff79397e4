"""The shared rate budget against a real sandbox and a real store (Redis, or SQLite).

Three clients with limiters of their own stand for three processes serving one token; they
read at once, far more than the limit allows, so every window fills at its start. The store
must keep them inside the service's windows: not one 429 sent by the service, none surfaced.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path

import anyio
import httpx2
import pytest

from pimelo_mcp.client import PimeloClient, RateLimitedError
from pimelo_mcp.client._budget import SharedBudget, budget_name
from pimelo_mcp.client._clock import SystemClock
from pimelo_mcp.client._ratelimit import RateLimiter, token_fingerprint, use_shared_budget
from pimelo_mcp.oauth.redis_store import RedisStore
from pimelo_mcp.oauth.store import SqliteStore
from tests.scale.redis_server import RedisServer
from tests.scale.replicas import sandbox

pytestmark = pytest.mark.slow

PROCESSES = 3
READS_EACH = 30
CONCURRENCY = 10  # reads in flight per client


class Counting(httpx2.AsyncBaseTransport):
    """Counts what the service answered, 429s included (the client retries those)."""

    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.statuses: list[int] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.fixture(params=["redis", "sqlite"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SharedBudget]:
    if request.param == "redis":
        server: RedisServer = request.getfixturevalue("redis_server")
        engine: RedisStore | SqliteStore = RedisStore(server.url)
    else:
        engine = SqliteStore(tmp_path / "oauth.sqlite3")
    use_shared_budget(engine)
    try:
        yield engine
    finally:
        use_shared_budget(None)
        await engine.aclose()


async def test_three_processes_on_one_token_stay_inside_every_window(
    store: SharedBudget,
) -> None:
    with sandbox(rate_limit="10/1") as pimelo:
        token = pimelo.tokens["full-access"]
        key = budget_name(token_fingerprint(token), pimelo.base_url.rstrip("/") + "/")
        transports = [Counting() for _ in range(PROCESSES)]
        surfaced = ok = 0
        async with AsyncExitStack() as stack, anyio.create_task_group() as group:
            clients: list[PimeloClient] = []
            for transport in transports:
                limiter = RateLimiter(SystemClock(), budget_key=key)  # one per "process"
                http = await stack.enter_async_context(httpx2.AsyncClient(transport=transport))
                client = await stack.enter_async_context(
                    PimeloClient(pimelo.base_url, token, http_client=http, limiter=limiter)
                )
                await client.me.retrieve()  # what a server does at start: learns the window
                clients.append(client)

            async def reads(client: PimeloClient) -> None:
                nonlocal surfaced, ok
                slots = anyio.Semaphore(CONCURRENCY)

                async def one() -> None:
                    nonlocal surfaced, ok
                    async with slots:
                        try:
                            await client.channels.list(limit=1)
                            ok += 1
                        except RateLimitedError:
                            surfaced += 1

                async with anyio.create_task_group() as inner:
                    for _ in range(READS_EACH):
                        inner.start_soon(one)

            for client in clients:
                group.start_soon(reads, client)
    statuses = [status for transport in transports for status in transport.statuses]
    assert (ok, surfaced) == (PROCESSES * READS_EACH, 0)
    assert statuses.count(429) == 0, "the service refused requests the store had let through"
    assert len(statuses) == PROCESSES * (READS_EACH + 1)
