"""Entity types and entities: list, search, get, create, merge-PATCH and bulk."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.sandbox.problem_checks import assert_refused


def value(data: Any, locale: str | None = None) -> list[dict[str, Any]]:
    return [{"locale": locale, "channel": None, "data": data}]


async def test_entity_types_list_their_attribute_definitions(client: httpx2.AsyncClient) -> None:
    types = (await client.get("entity-types")).json()["items"]
    assert [t["code"] for t in types] == ["brand", "material"]
    brand = (await client.get("entity-types/brand")).json()
    assert [a["code"] for a in brand["attributes"]] == ["country", "founded"]
    assert "version" not in brand["attributes"][0]


async def test_entity_search_by_query_filters_and_sort(client: httpx2.AsyncClient) -> None:
    async def codes(body: dict[str, Any]) -> list[str]:
        response = await client.post("entities/brand/search", json=body)
        assert response.status_code == 200, response.text
        return [e["code"] for e in response.json()["items"]]

    assert await codes({}) == ["acme", "globex", "initech"]
    assert await codes({"sort": "-code"}) == ["initech", "globex", "acme"]
    assert await codes({"sort": "-created"}) == ["initech", "globex", "acme"]
    assert await codes({"query": "INITECH"}) == ["initech"]
    assert await codes({"query": "fr"}) == ["globex"]
    assert await codes({"filters": {"founded": [{"operator": ">", "value": 1960}]}}) == ["globex"]
    assert await codes({"filters": {"code": [{"operator": "STARTS WITH", "value": "ac"}]}}) == [
        "acme"
    ]
    assert await codes({"filters": {"country": [{"operator": "EMPTY"}]}}) == ["initech"]
    assert await codes({"attributes": ["country"], "limit": 1}) == ["acme"]


async def test_entity_search_refuses_product_fields_and_unknown_types(
    client: httpx2.AsyncClient,
) -> None:
    response = await client.post(
        "entities/brand/search", json={"sort": "identifier", "status": "active"}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"sort", "status"}
    filters = await client.post(
        "entities/brand/search", json={"filters": {"identifier": [{"operator": "=", "value": "a"}]}}
    )
    assert filters.json()["errors"][0]["field"] == "filters.identifier"
    assert (await client.post("entities/nope/search", json={})).status_code == 404


async def test_entity_search_pages_with_cursors(client: httpx2.AsyncClient) -> None:
    first = (await client.post("entities/brand/search", json={"limit": 2})).json()
    assert [e["code"] for e in first["items"]] == ["acme", "globex"]
    second = (
        await client.post(
            "entities/brand/search", json={"limit": 2, "search_after": first["search_after"]}
        )
    ).json()
    assert [e["code"] for e in second["items"]] == ["initech"]
    assert second["search_after"] is None


async def test_entity_create_get_and_patch(client: httpx2.AsyncClient) -> None:
    created = await client.post(
        "entities/material",
        json={
            "code": "wool",
            "labels": {"en_US": "Wool"},
            "values": {"notes": value("Warm", "en_US")},
        },
    )
    assert created.status_code == 201
    assert created.headers["location"] == "http://sandbox/api/v1/entities/material/wool"
    assert created.json()["type"] == "material"
    patched = await client.patch(
        "entities/material/wool",
        json={"values": {"notes": value("Chaud", "fr_FR")}},
        headers={"If-Match": '"1"'},
    )
    assert patched.status_code == 200
    assert patched.json()["version"] == 2
    assert patched.json()["values"]["notes"] == [
        {"locale": "en_US", "channel": None, "data": "Warm"},
        {"locale": "fr_FR", "channel": None, "data": "Chaud"},
    ]
    assert patched.json()["labels"] == {"en_US": "Wool"}
    unchanged = await client.patch("entities/material/wool", json={"labels": {"en_US": "Wool"}})
    assert unchanged.json()["version"] == 2
    stale = await client.patch(
        "entities/material/wool", json={"labels": {}}, headers={"If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    fetched = await client.get("entities/material/wool")
    assert fetched.headers["etag"] == '"2"'


async def test_new_entities_are_usable_as_product_values(client: httpx2.AsyncClient) -> None:
    await client.post("entities/brand", json={"code": "umbrella"})
    response = await client.patch("products/SHOE-2", json={"values": {"brand": value("umbrella")}})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"code": "Bad"}, {"code"}),
        (
            {"code": "x", "values": {"country": value(5), "nope": value(1)}},
            {"values.country", "values.nope"},
        ),
        (
            {"code": "x", "values": {"country": value("US", "en_US")}},
            {"values.country[locale=en_US]"},
        ),
        ({"code": "x", "labels": "Acme", "extra": 1}, {"labels", "extra"}),
    ],
)
async def test_invalid_entities_list_every_error(
    client: httpx2.AsyncClient, body: dict[str, Any], fields: set[str]
) -> None:
    response = await client.post("entities/brand", json=body)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == fields


async def test_duplicate_entity_is_a_conflict(client: httpx2.AsyncClient) -> None:
    assert (await client.post("entities/brand", json={"code": "acme"})).status_code == 409


async def test_entity_bulk_is_keyed_by_code(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "entities/brand/bulk",
        json={
            "operations": [
                {"op": "create", "code": "hooli", "values": {"founded": value(1998)}},
                {
                    "op": "update",
                    "code": "acme",
                    "labels": {"en_US": "ACME"},
                    "expected_version": 1,
                },
                {"op": "update", "code": "ghost", "labels": {}},
                {"op": "create", "code": "bad code"},
            ]
        },
        headers={"Idempotency-Key": "entity-bulk"},
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["code"], r["status"]) for r in results] == [
        ("hooli", 201),
        ("acme", 200),
        ("ghost", 404),
        ("bad code", 422),
    ]
    assert results[3]["problem"]["errors"][0]["field"] == "operations[3].code"
    assert (await client.get("entities/brand/acme")).json()["labels"] == {"en_US": "ACME"}


# --- products-only fields and bulk echoes --------------------------------------------------


async def test_entity_search_refuses_the_products_only_fields(client: httpx2.AsyncClient) -> None:
    """`with_completeness`, `attribute_set` and `status` are products-only (docs/pimelo-api.md)."""
    body = {"with_completeness": True, "attribute_set": "shoes", "status": "active"}
    response = await client.post("entities/brand/search", json=body)
    assert_refused(response, "with_completeness", "attribute_set", "status")


async def test_entity_bulk_results_echo_only_string_codes(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "entities/brand/bulk", json={"operations": [{"op": "update", "code": ["acme"]}]}
    )
    (result,) = response.json()["results"]
    assert result["code"] is None
    assert result["status"] == 422
    assert {e["field"] for e in result["problem"]["errors"]} == {"operations[0].code"}
