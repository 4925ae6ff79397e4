"""Every failure reaches the model as an isError result it can act on, never a trace or the token."""

from pathlib import Path

import httpx2
from mcp import Client

from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server
from tests.tools.conftest import BASE_URL, PRODUCTS_TOKEN, ConnectFactory, call, error_text


async def test_a_scope_the_token_lacks_is_named_with_where_to_get_it(
    connect: ConnectFactory,
) -> None:
    async with connect(PRODUCTS_TOKEN) as mcp:  # scopes unknown: every tool is listed
        text = error_text(await call(mcp, "search_entities", {"entity_type": "brand"}))
    assert "search_entities needs the entities:read scope" in text
    assert "Settings > API Tokens" in text
    assert PRODUCTS_TOKEN not in text


async def test_a_refused_token_says_to_create_a_new_one(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    settings = Settings(
        api_token="pim_revoked_token_value", base_url=BASE_URL, audit_path=audit_path
    )
    async with Client(build_server(settings, http_client=sandbox_http), mode=mode) as mcp:  # type: ignore[arg-type]
        text = error_text(await call(mcp, "search_products", {"limit": 1}))
    assert "refused the API token" in text
    assert "pim_revoked_token_value" not in text


async def test_an_unreachable_service_is_a_retryable_error(audit_path: Path, mode: str) -> None:
    settings = Settings(
        api_token="pim_unreachable_test",
        base_url="http://127.0.0.1:9/api/v1/",
        audit_path=audit_path,
    )
    async with Client(build_server(settings), mode=mode) as mcp:  # type: ignore[arg-type]
        text = error_text(await call(mcp, "get_product", {"identifier": "SKU-1"}))
    assert "could not be reached" in text
    assert "Traceback" not in text


async def test_values_the_api_refuses_are_listed_by_field(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        text = error_text(
            await call(
                mcp,
                "search_products",
                {"filters": [{"attribute": "color", "op": "in", "value": ["no-such"]}]},
            )
        )
    assert "color" in text
    assert "options" in text
