"""Bulk writes: 100 operations per request in order, or paced single requests where bulk is missing."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from client_fakes import BASE, TOKEN, FakeClock, FakePimelo, json_response, problem_response

from pimelo_mcp.client import BulkResult, InvalidArgumentError, PimeloClient


def body_of(request: httpx2.Request) -> Any:
    return json.loads(request.content)


def bulk_answer(key: str = "identifier"):
    def answer(request: httpx2.Request) -> httpx2.Response:
        operations = body_of(request)["operations"]
        return json_response(
            {
                "results": [
                    {
                        "index": i,
                        key: op[key],
                        "status": 201 if op["op"] == "create" else 200,
                        "version": 1,
                    }
                    for i, op in enumerate(operations)
                ]
            }
        )

    return answer


def creates(count: int) -> list[dict[str, Any]]:
    return [
        {"op": "create", "identifier": f"SKU-{i}", "attribute_set": "shoes"} for i in range(count)
    ]


async def test_bulk_sends_up_to_100_operations_per_request_and_keeps_order(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "products/bulk")(bulk_answer())
    result = await client.products.bulk(creates(250))
    assert isinstance(result, BulkResult)
    assert [len(body_of(r)["operations"]) for r in fake.requests] == [100, 100, 50]
    assert [item.index for item in result.results] == list(range(250))
    assert [item.identifier for item in result.results] == [f"SKU-{i}" for i in range(250)]
    keys = [r.headers["Idempotency-Key"] for r in fake.requests]
    assert len(set(keys)) == 3  # one per chunk: each chunk is a different body


async def test_bulk_of_nothing_sends_nothing(client: PimeloClient, fake: FakePimelo) -> None:
    assert (await client.products.bulk([])).results == []
    assert fake.requests == []


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "delete", "identifier": "SKU-1"},
        {"op": "create"},
        {"op": "update", "identifier": "bad id"},
        {"op": "create", "identifier": "SKU-1", "expected_version": 2},
        {"op": "update", "identifier": "SKU-1", "expected_version": 0},
    ],
)
async def test_a_malformed_operation_is_refused_before_any_request(
    operation: dict[str, Any], client: PimeloClient, fake: FakePimelo
) -> None:
    with pytest.raises(InvalidArgumentError, match=r"operations\[1\]"):
        await client.products.bulk([creates(1)[0], operation])
    assert fake.requests == []


@pytest.mark.parametrize("missing_status", [404, 405])
async def test_without_a_bulk_endpoint_operations_are_sent_one_by_one_with_the_same_results(
    missing_status: int, client: PimeloClient, fake: FakePimelo
) -> None:
    slug = "not-found" if missing_status == 404 else "method-not-allowed"
    fake.route("POST", "products/bulk")(
        lambda request: problem_response(missing_status, slug, "No bulk")
    )
    fake.route("POST", "products")(
        lambda request: json_response(
            {"identifier": body_of(request)["identifier"], "version": 1}, 201
        )
    )

    def patch(request: httpx2.Request) -> httpx2.Response:
        if request.headers.get("If-Match") == '"4"':
            return problem_response(
                412, "precondition-failed", "Precondition failed", current_version=5
            )
        return json_response({"identifier": "SKU-B", "version": 8})

    fake.route("PATCH", "products/SKU-B")(patch)
    fake.route("PATCH", "products/SKU-C")(patch)
    operations = [
        {"op": "create", "identifier": "SKU-A", "attribute_set": "shoes"},
        {"op": "update", "identifier": "SKU-B", "status": "active"},
        {"op": "update", "identifier": "SKU-C", "status": "active", "expected_version": 4},
        {"op": "update", "identifier": "SKU-D", "status": "active"},
    ]
    result = await client.products.bulk(operations)
    statuses = [(item.index, item.identifier, item.status, item.version) for item in result.results]
    assert statuses == [
        (0, "SKU-A", 201, 1),
        (1, "SKU-B", 200, 8),
        (2, "SKU-C", 412, None),
        (3, "SKU-D", 404, None),
    ]
    assert result.results[2].problem is not None
    assert result.results[2].problem["current_version"] == 5
    assert result.results[2].problem["status"] == 412
    assert [item.ok for item in result.results] == [True, True, False, False]
    create = fake.calls("POST", "products")[0]
    assert body_of(create) == {"identifier": "SKU-A", "attribute_set": "shoes"}
    assert create.headers["Idempotency-Key"]
    update = fake.calls("PATCH", "products/SKU-B")[0]
    assert body_of(update) == {"status": "active"}
    assert "If-Match" not in update.headers


async def test_the_missing_bulk_endpoint_is_remembered_for_the_process(
    fake: FakePimelo, clock: FakeClock, client: PimeloClient
) -> None:
    fake.route("POST", "products/bulk")(
        lambda request: problem_response(404, "not-found", "No bulk")
    )
    fake.route("POST", "products")(lambda request: json_response({"version": 1}, 201))
    await client.products.bulk(creates(2))
    # Another client of the same service in the same process goes straight to single requests.
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(fake))
    async with http, PimeloClient(BASE, TOKEN, http_client=http, clock=clock) as other:
        result = await other.products.bulk(creates(3))
    assert [item.status for item in result.results] == [201, 201, 201]
    assert len(fake.calls("POST", "products/bulk")) == 1
    assert len(fake.calls("POST", "products")) == 5


async def test_fallback_for_a_large_list_keeps_the_global_index(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "products/bulk")(
        lambda request: problem_response(405, "method-not-allowed", "No")
    )
    fake.route("POST", "products")(lambda request: json_response({"version": 1}, 201))
    result = await client.products.bulk(creates(130))
    assert [item.index for item in result.results] == list(range(130))
    assert [item.identifier for item in result.results] == [f"SKU-{i}" for i in range(130)]


async def test_a_retried_bulk_chunk_keeps_its_idempotency_key(
    client: PimeloClient, fake: FakePimelo
) -> None:
    answers = [problem_response(503, "unavailable", "Down")]

    def flaky(request: httpx2.Request) -> httpx2.Response:
        return answers.pop() if answers else bulk_answer()(request)

    fake.route("POST", "products/bulk")(flaky)
    await client.products.bulk(creates(3))
    keys = {r.headers["Idempotency-Key"] for r in fake.calls("POST", "products/bulk")}
    assert len(fake.calls("POST", "products/bulk")) == 2
    assert len(keys) == 1


async def test_entities_bulk_uses_the_type_and_codes(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "entities/brand/bulk")(bulk_answer("code"))
    result = await client.entities.bulk("brand", [{"op": "create", "code": "acme", "labels": {}}])
    assert [(item.code, item.status) for item in result.results] == [("acme", 201)]


async def test_entities_bulk_404_for_an_unknown_type_is_not_taken_for_a_missing_endpoint(
    client: PimeloClient, fake: FakePimelo
) -> None:
    from pimelo_mcp.client import NotFoundError

    fake.route("POST", "entities/nope/bulk")(
        lambda request: problem_response(404, "not-found", "Unknown type")
    )
    with pytest.raises(NotFoundError):
        await client.entities.bulk("nope", [{"op": "create", "code": "x"}])
    assert fake.calls("POST", "entities/nope") == []


async def test_entities_bulk_falls_back_when_the_type_exists_but_bulk_does_not(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "entities/brand/bulk")(
        lambda request: problem_response(404, "not-found", "No route")
    )
    fake.route("GET", "entity-types/brand")(lambda request: json_response({"code": "brand"}))
    fake.route("POST", "entities/brand")(lambda request: json_response({"version": 1}, 201))
    fake.route("PATCH", "entities/brand/acme")(lambda request: json_response({"version": 3}))
    result = await client.entities.bulk(
        "brand",
        [
            {"op": "create", "code": "zeta"},
            {"op": "update", "code": "acme", "labels": {"en_US": "A"}, "expected_version": 2},
        ],
    )
    assert [(item.code, item.status, item.version) for item in result.results] == [
        ("zeta", 201, 1),
        ("acme", 200, 3),
    ]
    assert fake.calls("PATCH", "entities/brand/acme")[0].headers["If-Match"] == '"2"'
    assert body_of(fake.calls("PATCH", "entities/brand/acme")[0]) == {"labels": {"en_US": "A"}}


async def test_a_single_request_without_any_answer_becomes_status_zero_in_the_fallback(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "products/bulk")(lambda request: problem_response(404, "not-found", "No"))

    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused")

    fake.route("POST", "products")(refuse)
    result = await client.products.bulk(creates(1))
    assert result.results[0].status == 0
    assert result.results[0].problem is not None
    assert not result.results[0].ok
