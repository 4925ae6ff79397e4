"""Products: create, get, merge-PATCH, versions and If-Match, bulk, idempotent creates."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.sandbox.problem_checks import VALIDATION_FAILED, assert_refused


def value(data: Any, locale: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
    return [{"locale": locale, "channel": channel, "data": data}]


NEW = {"identifier": "NEW-1", "attribute_set": "basic", "values": {"name": value("New", "en_US")}}


async def test_create_answers_201_with_location_etag_and_defaults(
    client: httpx2.AsyncClient,
) -> None:
    response = await client.post("products", json=NEW)
    assert response.status_code == 201
    product = response.json()
    assert response.headers["location"] == "http://sandbox/api/v1/products/NEW-1"
    assert response.headers["etag"] == '"1"'
    assert product["status"] == "draft"
    assert product["categories"] == []
    assert product["version"] == 1
    assert product["created_at"] == product["updated_at"]
    assert product["created_at"].endswith("Z")
    fetched = await client.get("products/NEW-1")
    assert fetched.json() == product


async def test_create_with_a_taken_identifier_is_a_conflict(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "products", json={"identifier": "SHOE-1", "attribute_set": "shoes"}
    )
    assert response.status_code == 409
    assert response.json()["type"].endswith("/conflict")


async def test_create_requires_identifier_and_attribute_set(client: httpx2.AsyncClient) -> None:
    response = await client.post("products", json={})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"identifier", "attribute_set"}


async def test_get_sends_etag_and_restricts_values(client: httpx2.AsyncClient) -> None:
    response = await client.get("products/SHOE-1", params={"locale": "fr_FR", "channel": "print"})
    assert response.headers["etag"] == '"1"'
    values = response.json()["values"]
    assert values["name"] == value("Coureur des bois", "fr_FR")
    assert "description" not in values


async def test_get_with_bad_parameters_is_refused(client: httpx2.AsyncClient) -> None:
    response = await client.get(
        "products/SHOE-1", params={"locale": "xx_XX", "with_completeness": "yes"}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"locale", "with_completeness"}


async def test_patch_merges_values_per_locale_and_channel(client: httpx2.AsyncClient) -> None:
    response = await client.patch(
        "products/SHOE-1",
        json={"values": {"name": value("Coureur", "fr_FR"), "tags": value(["eco"])}},
    )
    assert response.status_code == 200
    product = response.json()
    assert product["values"]["name"] == [
        {"locale": "en_US", "channel": None, "data": "Trail Runner"},
        {"locale": "fr_FR", "channel": None, "data": "Coureur"},
    ]
    assert product["values"]["tags"] == value(["eco"])  # arrays inside data replace
    assert product["values"]["size"] == value(42)  # untouched stays
    assert product["version"] == 2
    assert response.headers["etag"] == '"2"'
    assert product["updated_at"] >= product["created_at"]


async def test_null_data_clears_one_value(client: httpx2.AsyncClient) -> None:
    response = await client.patch(
        "products/SHOE-1", json={"values": {"name": value(None, "fr_FR"), "size": value(None)}}
    )
    values = response.json()["values"]
    assert values["name"] == value("Trail Runner", "en_US")
    assert "size" not in values


async def test_top_level_fields_replace(client: httpx2.AsyncClient) -> None:
    response = await client.patch(
        "products/SHOE-1", json={"categories": ["clothing"], "status": "archived"}
    )
    product = response.json()
    assert product["categories"] == ["clothing"]
    assert product["status"] == "archived"


async def test_a_patch_that_changes_nothing_keeps_the_version(client: httpx2.AsyncClient) -> None:
    response = await client.patch(
        "products/SHOE-1", json={"status": "active", "values": {"size": value(42)}}
    )
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert response.headers["etag"] == '"1"'


async def test_an_invalid_patch_changes_nothing(client: httpx2.AsyncClient) -> None:
    response = await client.patch(
        "products/SHOE-1", json={"status": "archived", "values": {"size": value(0)}}
    )
    assert response.status_code == 422
    product = (await client.get("products/SHOE-1")).json()
    assert product["status"] == "active"
    assert product["version"] == 1


@pytest.mark.parametrize("if_match", ['"1"', "1", "*", 'W/"1"'])
async def test_if_match_with_the_current_version_is_accepted(
    client: httpx2.AsyncClient, if_match: str
) -> None:
    response = await client.patch(
        "products/SHOE-1", json={"status": "draft"}, headers={"If-Match": if_match}
    )
    assert response.status_code == 200
    assert response.json()["version"] == 2


async def test_if_match_with_a_stale_version_is_412_with_current_version(
    client: httpx2.AsyncClient,
) -> None:
    await client.patch("products/SHOE-1", json={"status": "draft"})
    response = await client.patch(
        "products/SHOE-1", json={"status": "archived"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 412
    assert response.json()["type"].endswith("/precondition-failed")
    assert response.json()["current_version"] == 2
    assert (await client.get("products/SHOE-1")).json()["status"] == "draft"


async def test_malformed_if_match_is_refused(client: httpx2.AsyncClient) -> None:
    response = await client.patch(
        "products/SHOE-1", json={"status": "draft"}, headers={"If-Match": "abc"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "If-Match"


async def test_identifier_cannot_change(client: httpx2.AsyncClient) -> None:
    response = await client.patch("products/SHOE-1", json={"identifier": "OTHER"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "identifier"


async def test_changing_attribute_set_is_refused_while_values_fall_outside_it(
    client: httpx2.AsyncClient,
) -> None:
    refused = await client.patch("products/SHOE-1", json={"attribute_set": "basic"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "attribute_set"
    accepted = await client.patch("products/BASIC-1", json={"attribute_set": "shoes"})
    assert accepted.status_code == 200
    assert accepted.json()["attribute_set"] == "shoes"


async def test_bulk_runs_each_operation_alone(client: httpx2.AsyncClient) -> None:
    operations = [
        {
            "op": "create",
            "identifier": "BULK-1",
            "attribute_set": "basic",
            "values": {"name": value("B", "en_US")},
        },
        {"op": "update", "identifier": "SHOE-2", "status": "active", "expected_version": 1},
        {"op": "update", "identifier": "SHOE-1", "status": "archived", "expected_version": 4},
        {
            "op": "create",
            "identifier": "BULK-2",
            "attribute_set": "basic",
            "values": {"name": value(1, "en_US")},
        },
        {"op": "update", "identifier": "NOPE", "status": "active"},
        {"op": "delete", "identifier": "SHOE-3"},
        {"op": "create", "identifier": "SHOE-3", "attribute_set": "basic"},
    ]
    response = await client.post("products/bulk", json={"operations": operations})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["status"] for r in results] == [201, 200, 412, 422, 404, 422, 409]
    assert results[0] == {"index": 0, "identifier": "BULK-1", "status": 201, "version": 1}
    assert results[1]["version"] == 2
    assert results[2]["problem"]["current_version"] == 1
    assert results[3]["problem"]["errors"][0]["field"] == "operations[3].values.name[locale=en_US]"
    assert results[5]["problem"]["errors"][0]["field"] == "operations[5].op"
    assert (await client.get("products/BULK-1")).status_code == 200
    assert (await client.get("products/BULK-2")).status_code == 404
    assert (await client.get("products/SHOE-1")).json()["status"] == "active"


@pytest.mark.parametrize("count", [0, 101])
async def test_bulk_with_no_or_too_many_operations_writes_nothing(
    client: httpx2.AsyncClient, count: int
) -> None:
    operations = [
        {"op": "create", "identifier": f"B-{i}", "attribute_set": "basic"} for i in range(count)
    ]
    response = await client.post("products/bulk", json={"operations": operations})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "operations"
    assert (await client.get("products/B-0")).status_code == 404


async def test_bulk_accepts_exactly_100_operations(client: httpx2.AsyncClient) -> None:
    operations = [
        {"op": "create", "identifier": f"B-{i}", "attribute_set": "basic"} for i in range(100)
    ]
    response = await client.post("products/bulk", json={"operations": operations})
    assert [r["status"] for r in response.json()["results"]] == [201] * 100


async def test_idempotency_key_replays_the_first_answer(client: httpx2.AsyncClient) -> None:
    headers = {"Idempotency-Key": "create-new-1"}
    first = await client.post("products", json=NEW, headers=headers)
    second = await client.post("products", json=NEW, headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["location"] == first.headers["location"]
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers


async def test_idempotency_key_with_another_body_is_a_conflict(client: httpx2.AsyncClient) -> None:
    headers = {"Idempotency-Key": "k1"}
    await client.post("products", json=NEW, headers=headers)
    response = await client.post("products", json={**NEW, "identifier": "NEW-2"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["type"].endswith("/conflict")
    assert (await client.get("products/NEW-2")).status_code == 404


async def test_idempotency_keys_are_per_token(clients: Any) -> None:
    from tests.sandbox.conftest import FULL, PRODUCTS_ONLY

    headers = {"Idempotency-Key": "shared"}
    first = await clients(FULL).post("products", json=NEW, headers=headers)
    other = await clients(PRODUCTS_ONLY).post("products", json=NEW, headers=headers)
    assert first.status_code == 201
    assert other.status_code == 409  # a real second create: the identifier is taken
    assert "idempotent-replayed" not in other.headers


async def test_idempotent_bulk_replays(client: httpx2.AsyncClient) -> None:
    body = {"operations": [{"op": "create", "identifier": "IDEM-1", "attribute_set": "basic"}]}
    headers = {"Idempotency-Key": "bulk-1"}
    first = await client.post("products/bulk", json=body, headers=headers)
    second = await client.post("products/bulk", json=body, headers=headers)
    assert second.json() == first.json()
    assert second.json()["results"][0]["status"] == 201
    assert second.headers["idempotent-replayed"] == "true"


async def test_invalid_idempotency_key_is_refused(client: httpx2.AsyncClient) -> None:
    response = await client.post("products", json=NEW, headers={"Idempotency-Key": "x" * 256})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


# --- a field of the wrong JSON type is a 422, never a 500 ----------------------------------


@pytest.mark.parametrize("bad", [{}, ["basic"], None, 1])
async def test_patching_a_product_with_a_non_string_attribute_set_is_refused(
    client: httpx2.AsyncClient, bad: Any
) -> None:
    response = await client.patch("products/SHOE-1", json={"attribute_set": bad})
    assert_refused(response, "attribute_set")


async def test_a_number_value_too_large_for_a_float_is_refused(client: httpx2.AsyncClient) -> None:
    values = {"size": [{"locale": None, "channel": None, "data": 10**400}]}
    response = await client.patch("products/SHOE-1", json={"values": values})
    assert_refused(response, "values.size")


async def test_a_metric_value_with_a_list_as_unit_is_refused(client: httpx2.AsyncClient) -> None:
    data = {"amount": 1, "unit": ["GRAM"]}
    values = {"weight": [{"locale": None, "channel": None, "data": data}]}
    response = await client.patch("products/SHOE-1", json={"values": values})
    assert_refused(response, "values.weight")


@pytest.mark.parametrize("bad", [[1], {"a": 1}, 5])
async def test_bulk_results_echo_only_string_identifiers(
    client: httpx2.AsyncClient, bad: Any
) -> None:
    operations = [{"op": "update", "identifier": bad}, {"op": "create", "identifier": bad}]
    response = await client.post("products/bulk", json={"operations": operations})
    assert response.status_code == 200
    for index, result in enumerate(response.json()["results"]):
        assert result["identifier"] is None
        assert result["status"] == 422
        problem = result["problem"]
        assert problem["type"] == VALIDATION_FAILED
        assert f"operations[{index}].identifier" in {e["field"] for e in problem["errors"]}
