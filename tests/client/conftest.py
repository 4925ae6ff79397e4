"""Fixtures of the client tests: a fake clock, a fake Pimelo, and a client wired to both."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest
from client_fakes import BASE, TOKEN, FakeClock, FakePimelo

from pimelo_mcp.client import PimeloClient
from pimelo_mcp.client.resources._bulk import forget_bulk_support


@pytest.fixture(autouse=True)
def _fresh_bulk_memory() -> None:
    forget_bulk_support()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> FakePimelo:
    return FakePimelo(clock=clock)


@pytest.fixture
async def client(fake: FakePimelo, clock: FakeClock) -> AsyncIterator[PimeloClient]:
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(fake))
    async with http, PimeloClient(BASE, TOKEN, http_client=http, clock=clock) as pimelo:
        yield pimelo
