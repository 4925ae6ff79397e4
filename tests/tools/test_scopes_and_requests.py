"""Scope awareness from GET /me, and the number of API requests a batch costs."""

from pathlib import Path

import httpx2
from mcp import Client
from starlette.applications import Starlette

from pimelo_mcp.config import Settings
from pimelo_mcp.scopes import discover_scopes
from pimelo_mcp.server import build_server
from tests.tools.conftest import BASE_URL, FULL_TOKEN, PRODUCTS_TOKEN, READ_TOKEN, call, structured


async def listed_names(
    http: httpx2.AsyncClient, token: str, audit_path: Path, mode: str
) -> set[str]:
    settings = Settings(api_token=token, base_url=BASE_URL, audit_path=audit_path)
    scopes = await discover_scopes(settings, http_client=http)
    async with Client(build_server(settings, scopes=scopes, http_client=http), mode=mode) as mcp:  # type: ignore[arg-type]
        return {tool.name for tool in (await mcp.list_tools()).tools}


async def test_a_read_only_token_is_offered_only_read_tools(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    names = await listed_names(sandbox_http, READ_TOKEN, audit_path, mode)
    assert {"list_channels", "search_products", "get_product"} <= names
    assert not {"create_products", "update_products"} & names


async def test_a_products_only_token_is_offered_only_product_tools(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    names = await listed_names(sandbox_http, PRODUCTS_TOKEN, audit_path, mode)
    # Product writes, plus the reads of the definitions product values are written against.
    assert names == {
        "list_channels",
        "search_attributes",
        "search_products",
        "get_product",
        "create_products",
        "update_products",
    }


async def test_a_hundred_updates_cost_two_requests_once_definitions_are_cached(
    sandbox: Starlette, audit_path: Path, mode: str
) -> None:
    requests: list[str] = []

    async def count(request: httpx2.Request) -> None:
        requests.append(f"{request.method} {request.url.path}")

    transport = httpx2.ASGITransport(app=sandbox)
    async with httpx2.AsyncClient(
        transport=transport, base_url=BASE_URL, event_hooks={"request": [count]}
    ) as http:
        settings = Settings(api_token=FULL_TOKEN, base_url=BASE_URL, audit_path=audit_path)
        async with Client(build_server(settings, http_client=http), mode=mode) as mcp:  # type: ignore[arg-type]
            products = structured(
                await call(mcp, "search_products", {"limit": 40, "fields": ["name"]})
            )["items"]
            items = [
                {"identifier": p["identifier"], "values": {"stock_quantity": 7}} for p in products
            ]
            structured(await call(mcp, "update_products", {"items": items[:1]}))  # warms the caches
            requests.clear()
            result = structured(
                await call(mcp, "update_products", {"items": items * 2 + items[:20]})
            )
    assert len(result["items"]) == 100
    assert requests == ["POST /api/v1/products/search", "POST /api/v1/products/bulk"]


async def test_a_token_without_definitions_pays_for_their_refusal_once(
    sandbox: Starlette, audit_path: Path, mode: str
) -> None:
    requests: list[str] = []

    async def count(request: httpx2.Request) -> None:
        requests.append(f"{request.method} {request.url.path}")

    token = sandbox.state.sandbox.store.mint_token("reads products", ("products:read",))
    transport = httpx2.ASGITransport(app=sandbox)
    async with httpx2.AsyncClient(
        transport=transport, base_url=BASE_URL, event_hooks={"request": [count]}
    ) as http:
        settings = Settings(api_token=token, base_url=BASE_URL, audit_path=audit_path)
        server = build_server(settings, scopes=frozenset({"products:read"}), http_client=http)
        async with Client(server, mode=mode) as mcp:  # type: ignore[arg-type]
            first = structured(await call(mcp, "search_products", {"limit": 3}))
            asked_first = list(requests)
            requests.clear()
            structured(
                await call(mcp, "get_product", {"identifier": first["items"][0]["identifier"]})
            )
    # attributes, then channels: each refused once, then remembered
    assert asked_first == [
        "GET /api/v1/attributes",
        "GET /api/v1/channels",
        "POST /api/v1/products/search",
    ]
    assert requests == [f"GET /api/v1/products/{first['items'][0]['identifier']}"]


async def test_a_products_only_token_sets_a_brand_by_its_code_and_hears_why_not_by_name(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    # The sandbox's products-only token has no entities:read: a brand's code still works
    # (Pimelo checks it), a brand's name cannot be looked up, and the tool says so before.
    settings = Settings(api_token=PRODUCTS_TOKEN, base_url=BASE_URL, audit_path=audit_path)
    scopes = await discover_scopes(settings, http_client=sandbox_http)
    async with Client(
        build_server(settings, scopes=scopes, http_client=sandbox_http), mode=mode
    ) as mcp:  # type: ignore[arg-type]
        listed = {tool.name: tool for tool in (await mcp.list_tools()).tools}
        product = structured(await call(mcp, "search_products", {"limit": 1}))["items"][0]
        by_code = structured(
            await call(
                mcp,
                "update_products",
                {
                    "items": [
                        {"identifier": product["identifier"], "values": {"brand": "alpenwerk"}}
                    ]
                },
            )
        )
        by_name = structured(
            await call(
                mcp,
                "update_products",
                {
                    "items": [
                        {"identifier": product["identifier"], "values": {"brand": "Sierra Verde"}}
                    ]
                },
            )
        )
        unknown_code = structured(
            await call(
                mcp,
                "update_products",
                {
                    "items": [
                        {"identifier": product["identifier"], "values": {"brand": "no_such_brand"}}
                    ]
                },
            )
        )
        read_back = structured(
            await call(mcp, "get_product", {"identifier": product["identifier"]})
        )
    assert "entities:read, which this token lacks" in (listed["update_products"].description or "")
    assert by_code["items"][0]["ok"]
    assert read_back["product"]["values"]["brand"] == "alpenwerk"
    assert not by_name["items"][0]["ok"]
    assert "entities:read" in by_name["items"][0]["error"]
    assert not unknown_code["items"][0]["ok"]  # Pimelo refuses a code that names no brand
