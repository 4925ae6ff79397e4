"""Fixtures: an in-process sandbox on the fixture catalog, and clients for each demo token."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager

import httpx2
import pytest
from starlette.applications import Starlette

from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.settings import PRODUCTS_ONLY_SCOPES, READ_SCOPES, SCOPES, SandboxSettings
from tests.sandbox.catalog import build_fixture_catalog

FULL = "pim_test_full_access"
READ = "pim_test_read_only"
PRODUCTS_ONLY = "pim_test_products_only"
NO_SCOPES = "pim_test_no_scopes"


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_settings(**overrides: object) -> SandboxSettings:
    base: dict[str, object] = {
        "catalog": build_fixture_catalog(),
        "tokens": (
            TokenSpec(FULL, SCOPES),
            TokenSpec(READ, READ_SCOPES),
            TokenSpec(PRODUCTS_ONLY, PRODUCTS_ONLY_SCOPES),
            TokenSpec(NO_SCOPES, ()),
        ),
        "rate_limit": RateLimit(requests=100_000, seconds=60),
    }
    base.update(overrides)
    return SandboxSettings(**base)  # pyright: ignore[reportArgumentType]


def client_for(app: Starlette, token: str | None) -> httpx2.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://sandbox/api/v1/", headers=headers
    )


@contextmanager
def sandbox_app(**overrides: object) -> Iterator[Starlette]:
    """An app on the fixture catalog whose database is closed afterwards."""
    app = create_app(make_settings(**overrides))
    try:
        yield app
    finally:
        app.state.sandbox.store.close()


@pytest.fixture
def app() -> Iterator[Starlette]:
    with sandbox_app() as sandbox:
        yield sandbox


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx2.AsyncClient]:
    async with client_for(app, FULL) as http:
        yield http


@pytest.fixture
async def clients(app: Starlette) -> AsyncIterator[Callable[[str | None], httpx2.AsyncClient]]:
    opened: list[httpx2.AsyncClient] = []

    def make(token: str | None) -> httpx2.AsyncClient:
        http = client_for(app, token)
        opened.append(http)
        return http

    yield make
    for http in opened:
        await http.aclose()
