"""Completeness per channel and locale: required attributes of the set, filled or missing."""

from __future__ import annotations

import httpx2


async def completeness(
    client: httpx2.AsyncClient, identifier: str, **params: str
) -> list[dict[str, object]]:
    response = await client.get(
        f"products/{identifier}", params={"with_completeness": "true", **params}
    )
    assert response.status_code == 200
    return response.json()["completeness"]


async def test_completeness_is_per_channel_and_locale_in_set_order(
    client: httpx2.AsyncClient,
) -> None:
    assert await completeness(client, "SHOE-2") == [
        {
            "channel": "ecommerce",
            "locale": "en_US",
            "ratio": 0.5,
            "required": ["name", "description", "price", "image"],
            "missing": ["description", "image"],
        },
        {
            "channel": "ecommerce",
            "locale": "fr_FR",
            "ratio": 0.25,
            "required": ["name", "description", "price", "image"],
            "missing": ["name", "description", "image"],
        },
        {
            "channel": "print",
            "locale": "de_DE",
            "ratio": 0.0,
            "required": ["name"],
            "missing": ["name"],
        },
    ]


async def test_empty_strings_and_lists_count_as_missing(client: httpx2.AsyncClient) -> None:
    rows = await completeness(client, "SHOE-3", channel="ecommerce", locale="en_US")
    assert rows == [
        {
            "channel": "ecommerce",
            "locale": "en_US",
            "ratio": 0.0,
            "required": ["name", "description", "price", "image"],
            "missing": ["name", "description", "price", "image"],
        }
    ]


async def test_nothing_required_is_complete(client: httpx2.AsyncClient) -> None:
    rows = await completeness(client, "BASIC-1", channel="print")
    assert rows == [
        {"channel": "print", "locale": "de_DE", "ratio": 1.0, "required": [], "missing": []}
    ]


async def test_completeness_is_absent_unless_asked(client: httpx2.AsyncClient) -> None:
    assert "completeness" not in (await client.get("products/SHOE-1")).json()


async def test_writes_update_completeness_and_its_filter(client: httpx2.AsyncClient) -> None:
    await client.patch(
        "products/SHOE-2",
        json={"values": {"name": [{"locale": "de_DE", "channel": None, "data": "Stadtläufer"}]}},
    )
    rows = await completeness(client, "SHOE-2", channel="print")
    assert rows[0]["ratio"] == 1.0
    search = {"channel": "print", "filters": {"completeness": [{"operator": "=", "value": 100}]}}
    found = (await client.post("products/search", json=search)).json()["items"]
    assert [p["identifier"] for p in found] == ["BASIC-1", "SHOE-2"]
    cleared = await client.patch(
        "products/SHOE-2",
        json={"values": {"name": [{"locale": "de_DE", "channel": None, "data": None}]}},
    )
    assert cleared.status_code == 200
    assert (await completeness(client, "SHOE-2", channel="print"))[0]["ratio"] == 0.0


async def test_ratio_is_rounded_to_four_decimals(client: httpx2.AsyncClient) -> None:
    await client.patch(
        "attribute-sets/basic", json={"requirements": {"ecommerce": ["name", "ean", "color"]}}
    )
    await client.patch(
        "products/BASIC-1",
        json={"values": {"ean": [{"locale": None, "channel": None, "data": None}]}},
    )
    rows = await completeness(client, "BASIC-1", channel="ecommerce", locale="en_US")
    assert rows[0]["ratio"] == 0.6667
    assert rows[0]["missing"] == ["ean"]
