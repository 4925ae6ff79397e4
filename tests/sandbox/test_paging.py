"""Sorting, limits and `search_after` cursors: pages never skip or repeat, even with inserts between."""

from __future__ import annotations

import base64
from typing import Any

import httpx2
import pytest

SORTS = ["identifier", "-identifier", "updated", "-updated", "created", "-created"]


async def create_many(client: httpx2.AsyncClient, prefix: str, count: int) -> None:
    operations = [
        {"op": "create", "identifier": f"{prefix}-{i:03d}", "attribute_set": "basic"}
        for i in range(count)
    ]
    response = await client.post("products/bulk", json={"operations": operations})
    assert all(r["status"] == 201 for r in response.json()["results"])


async def all_pages(
    client: httpx2.AsyncClient, body: dict[str, Any], between: Any = None
) -> list[str]:
    seen: list[str] = []
    cursor: str | None = None
    page = 0
    while True:
        response = await client.post("products/search", json={**body, "search_after": cursor})
        assert response.status_code == 200, response.text
        data = response.json()
        seen += [p["identifier"] for p in data["items"]]
        cursor = data["search_after"]
        if cursor is None:
            return seen
        page += 1
        if between is not None:
            await between(page)


async def test_default_sort_is_identifier(client: httpx2.AsyncClient) -> None:
    items = (await client.post("products/search", json={})).json()["items"]
    assert [p["identifier"] for p in items] == ["BASIC-1", "SHOE-1", "SHOE-2", "SHOE-3"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-identifier", ["SHOE-3", "SHOE-2", "SHOE-1", "BASIC-1"]),
        ("updated", ["BASIC-1", "SHOE-3", "SHOE-2", "SHOE-1"]),
        ("-updated", ["SHOE-1", "SHOE-2", "SHOE-3", "BASIC-1"]),
        ("created", ["SHOE-1", "SHOE-2", "SHOE-3", "BASIC-1"]),
        ("-created", ["BASIC-1", "SHOE-3", "SHOE-2", "SHOE-1"]),
    ],
)
async def test_each_sort_orders_products(
    client: httpx2.AsyncClient, sort: str, expected: list[str]
) -> None:
    items = (await client.post("products/search", json={"sort": sort})).json()["items"]
    assert [p["identifier"] for p in items] == expected


@pytest.mark.parametrize("sort", SORTS)
async def test_cursor_pages_neither_skip_nor_repeat_while_products_are_inserted(
    client: httpx2.AsyncClient, sort: str
) -> None:
    await create_many(client, "P", 30)
    before = await all_pages(client, {"sort": sort, "limit": 100})
    assert len(before) == 34

    async def insert(page: int) -> None:
        # Both before and after the current position in every sort order.
        for identifier in (f"A-{page:03d}", f"Z-{page:03d}"):
            created = await client.post(
                "products", json={"identifier": identifier, "attribute_set": "basic"}
            )
            assert created.status_code == 201

    paged = await all_pages(client, {"sort": sort, "limit": 7}, between=insert)
    assert len(paged) == len(set(paged)), "a product was repeated"
    assert set(before) <= set(paged), "a product that existed before paging was skipped"


async def test_every_page_of_a_filtered_search_is_complete(client: httpx2.AsyncClient) -> None:
    await create_many(client, "P", 25)
    body = {"filters": {"attribute_set": [{"operator": "=", "value": "basic"}]}, "limit": 4}
    paged = await all_pages(client, body)
    assert paged == sorted(paged)
    assert len(paged) == 26


@pytest.mark.parametrize("limit", [0, 101, -1, "10", 2.5, True])
async def test_limit_outside_1_to_100_is_refused(client: httpx2.AsyncClient, limit: Any) -> None:
    response = await client.post("products/search", json={"limit": limit})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"


@pytest.mark.parametrize("limit", [1, 100])
async def test_limit_bounds_are_accepted(client: httpx2.AsyncClient, limit: int) -> None:
    response = await client.post("products/search", json={"limit": limit})
    assert len(response.json()["items"]) == min(limit, 4)


async def test_default_limit_is_25(client: httpx2.AsyncClient) -> None:
    await create_many(client, "P", 30)
    data = (await client.post("products/search", json={})).json()
    assert len(data["items"]) == 25
    assert data["search_after"] is not None


@pytest.mark.parametrize("cursor", ["garbage!", base64.urlsafe_b64encode(b"[1]").decode(), 42])
async def test_undecodable_cursor_is_refused(client: httpx2.AsyncClient, cursor: Any) -> None:
    response = await client.post("products/search", json={"search_after": cursor})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "search_after"


async def test_cursor_made_for_another_sort_is_refused(client: httpx2.AsyncClient) -> None:
    cursor = (await client.post("products/search", json={"limit": 1})).json()["search_after"]
    response = await client.post(
        "products/search", json={"limit": 1, "sort": "-updated", "search_after": cursor}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "search_after"


async def test_unknown_sort_is_refused(client: httpx2.AsyncClient) -> None:
    response = await client.post("products/search", json={"sort": "code"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "sort"


async def test_get_lists_page_with_query_string_cursors(client: httpx2.AsyncClient) -> None:
    codes: list[str] = []
    params: dict[str, Any] = {"limit": 5}
    while True:
        data = (await client.get("attributes", params=params)).json()
        codes += [a["code"] for a in data["items"]]
        if data["search_after"] is None:
            break
        params["search_after"] = data["search_after"]
    assert len(codes) == 13
    assert codes == sorted(codes)
    refused = await client.get("attributes", params={"limit": 0})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "limit"
    bad_cursor = await client.get("channels", params={"search_after": "nope"})
    assert bad_cursor.status_code == 422
