"""A write whose answer was lost is found out before it is reported (docs/reliability.md)."""

from __future__ import annotations

import json

import httpx2
import pytest
from client_fakes import FakePimelo, json_response, problem_response

from pimelo_mcp.client import PimeloClient, PreconditionFailedError
from pimelo_mcp.client._client import patch_holds

APPLIED = {
    "identifier": "SHOE-1",
    "attribute_set": "shoes",
    "status": "active",
    "version": 4,
    "values": {"name": [{"locale": "en_US", "channel": None, "data": "Trail"}]},
}


def _lost_then_412(fake: FakePimelo) -> list[httpx2.Request]:
    """A PATCH applied on the first attempt whose answer is lost; the retry gets 412."""
    patches: list[httpx2.Request] = []

    @fake.route("PATCH", "products/SHOE-1")
    def patch(request: httpx2.Request) -> httpx2.Response:
        patches.append(request)
        if len(patches) == 1:
            raise httpx2.RemoteProtocolError("peer closed the connection")
        response = problem_response(412, "precondition-failed", "Version mismatch")
        response._content = json.dumps(  # pyright: ignore[reportPrivateUsage]
            {"title": "Version mismatch", "status": 412, "current_version": 4}
        ).encode()
        return response

    return patches


async def test_a_412_after_a_lost_answer_counts_as_applied_when_the_record_holds_it(
    client: PimeloClient, fake: FakePimelo
) -> None:
    patches = _lost_then_412(fake)
    fake.route("GET", "products/SHOE-1")(lambda request: json_response(APPLIED))
    product = await client.products.update(
        "SHOE-1",
        status="active",
        values={"name": [{"locale": "en_US", "channel": None, "data": "Trail"}]},
        expected_version=3,
    )
    assert product.version == 4
    assert len(patches) == 2
    assert patches[0].headers["Idempotency-Key"] == patches[1].headers["Idempotency-Key"]


async def test_a_412_after_a_lost_answer_stays_stale_when_the_record_differs(
    client: PimeloClient, fake: FakePimelo
) -> None:
    _lost_then_412(fake)
    fake.route("GET", "products/SHOE-1")(
        lambda request: json_response({**APPLIED, "status": "draft"})
    )
    with pytest.raises(PreconditionFailedError):
        await client.products.update("SHOE-1", status="active", expected_version=3)


async def test_a_first_412_is_not_read_back(client: PimeloClient, fake: FakePimelo) -> None:
    fake.route("PATCH", "products/SHOE-1")(
        lambda request: problem_response(412, "precondition-failed", "Version mismatch")
    )
    with pytest.raises(PreconditionFailedError):
        await client.products.update("SHOE-1", status="active", expected_version=3)
    assert not fake.calls("GET", "products/SHOE-1")


async def test_a_truncated_2xx_of_a_create_is_asked_again_and_replayed(
    client: PimeloClient, fake: FakePimelo
) -> None:
    keys: list[str] = []

    @fake.route("POST", "products")
    def create(request: httpx2.Request) -> httpx2.Response:
        keys.append(request.headers["Idempotency-Key"])
        if len(keys) == 1:
            return httpx2.Response(201, content=json.dumps(APPLIED).encode()[:20])
        return json_response(APPLIED, status=201)

    product = await client.products.create("SHOE-1", attribute_set="shoes")
    assert product.identifier == "SHOE-1"
    assert len(keys) == 2
    assert keys[0] == keys[1]


def test_patch_holds_compares_values_by_locale_and_channel() -> None:
    record = {
        "status": "active",
        "values": {
            "name": [
                {"locale": "en_US", "channel": None, "data": "Trail"},
                {"locale": "fr_FR", "channel": None, "data": "Sentier"},
            ]
        },
    }
    assert patch_holds(
        record, {"values": {"name": [{"locale": "fr_FR", "channel": None, "data": "Sentier"}]}}
    )
    assert not patch_holds(
        record, {"values": {"name": [{"locale": "fr_FR", "channel": None, "data": "Piste"}]}}
    )
    assert patch_holds(
        record, {"values": {"color": [{"locale": None, "channel": None, "data": None}]}}
    )
    assert not patch_holds(record, {"status": "draft"})


async def test_a_412_after_a_lost_answer_whose_read_back_fails_is_an_unsettled_write(
    client: PimeloClient, fake: FakePimelo
) -> None:
    from pimelo_mcp.client._deadline import tracking_unsettled_writes

    _lost_then_412(fake)

    @fake.route("GET", "products/SHOE-1")
    def unreachable(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("unreachable")

    client.max_retries = 1
    with tracking_unsettled_writes() as unsettled, pytest.raises(PreconditionFailedError):
        await client.products.update("SHOE-1", status="active", expected_version=3)
    assert unsettled == ["PATCH /products/SHOE-1"]


async def test_a_patch_with_every_answer_lost_is_read_back_as_applied(
    client: PimeloClient, fake: FakePimelo
) -> None:
    from pimelo_mcp.client._deadline import tracking_unsettled_writes

    @fake.route("PATCH", "products/SHOE-1")
    def lost(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.RemoteProtocolError("peer closed the connection")

    fake.route("GET", "products/SHOE-1")(lambda request: json_response(APPLIED))
    with tracking_unsettled_writes() as unsettled:
        product = await client.products.update("SHOE-1", status="active", expected_version=3)
    assert product.version == 4
    assert unsettled == []


async def test_a_patch_with_every_answer_lost_and_the_record_unchanged_was_not_written(
    client: PimeloClient, fake: FakePimelo
) -> None:
    from pimelo_mcp.client import APIConnectionError
    from pimelo_mcp.client._deadline import tracking_unsettled_writes

    @fake.route("PATCH", "products/SHOE-1")
    def lost(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused")

    fake.route("GET", "products/SHOE-1")(
        lambda request: json_response({**APPLIED, "status": "draft", "version": 3})
    )
    with tracking_unsettled_writes() as unsettled, pytest.raises(APIConnectionError):
        await client.products.update("SHOE-1", status="active", expected_version=3)
    assert unsettled == []  # definite: not written
