"""End-to-end fixtures: the real MCP server, driven by the SDK's Client, against an in-process sandbox."""

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.types import CallToolResult
from starlette.applications import Starlette

from pimelo_mcp.config import Settings
from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.settings import PRODUCTS_ONLY_SCOPES, READ_SCOPES, SCOPES, SandboxSettings
from pimelo_mcp.server import build_server

FULL_TOKEN = "pim_test_full_access"
READ_TOKEN = "pim_test_read_only"
PRODUCTS_TOKEN = "pim_test_products_only"
BASE_URL = "http://sandbox/api/v1/"


@pytest.fixture
def sandbox() -> Starlette:
    return create_app(
        SandboxSettings(
            products=40,
            rate_limit=RateLimit(requests=100_000, seconds=60),
            tokens=(
                TokenSpec(FULL_TOKEN, SCOPES),
                TokenSpec(READ_TOKEN, READ_SCOPES),
                TokenSpec(PRODUCTS_TOKEN, PRODUCTS_ONLY_SCOPES),
            ),
        )
    )


@pytest.fixture
async def sandbox_http(sandbox: Starlette) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=sandbox), base_url=BASE_URL
    ) as http:
        yield http


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


@pytest.fixture(params=["auto", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    """Both protocol eras real clients speak: 2026-07-28 (auto) and the 2025-11-25 handshake."""
    return request.param


ConnectFactory = Callable[..., Client]


@pytest.fixture
def connect(sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str) -> ConnectFactory:
    """`connect(token=..., scopes=..., read_only=...)` → an unopened Client on a fresh server."""

    def make(
        token: str = FULL_TOKEN, *, scopes: tuple[str, ...] | None = None, read_only: bool = False
    ) -> Client:
        settings = Settings(
            api_token=token, base_url=BASE_URL, audit_path=audit_path, read_only=read_only
        )
        server = build_server(settings, scopes=scopes, http_client=sandbox_http)
        return Client(server, mode=mode)  # type: ignore[arg-type]

    return make


async def call(
    client: Client, name: str, arguments: dict[str, Any] | None = None
) -> CallToolResult:
    return await client.call_tool(name, arguments or {})


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def all_refused(result: CallToolResult) -> dict[str, Any]:
    """A batch whose every item was refused: an error result that still carries the items."""
    assert result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def error_text(result: CallToolResult) -> str:
    assert result.is_error
    texts = [block.text for block in result.content if block.type == "text"]
    return "\n".join(texts)


def read_journal(path: Path) -> list[dict[str, Any]]:
    """The audit journal's records (a small file: read synchronously)."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
