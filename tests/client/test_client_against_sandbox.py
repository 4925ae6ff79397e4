"""Every resource method against the in-process sandbox (the contract's reference implementation)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx2
import pytest
from client_fakes import FakeClock
from starlette.applications import Starlette

from pimelo_mcp.client import (
    Attribute,
    AttributeSet,
    AuthenticationError,
    Category,
    Channel,
    ConflictError,
    Entity,
    EntityType,
    InsufficientScopeError,
    Locale,
    Me,
    Media,
    NotFoundError,
    PimeloClient,
    PreconditionFailedError,
    Product,
    UnsupportedMediaTypeError,
    ValidationError,
)
from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.settings import READ_SCOPES, SCOPES, SandboxSettings
from tests.sandbox.catalog import build_fixture_catalog, make_png

BASE = "http://sandbox/api/v1/"
FULL = "pim_client_test_full_access"
READ = "pim_client_test_read_only"


def sandbox_app(clock: FakeClock, rate_limit: RateLimit | None = None) -> Starlette:
    return create_app(
        SandboxSettings(
            catalog=build_fixture_catalog(),
            tokens=(TokenSpec(FULL, SCOPES), TokenSpec(READ, READ_SCOPES)),
            rate_limit=rate_limit or RateLimit(requests=100_000, seconds=60),
            clock=clock.monotonic,
        )
    )


class CountingTransport(httpx2.AsyncBaseTransport):
    """The ASGI transport, counting answers by status (and able to lose one answer on purpose)."""

    def __init__(self, app: Starlette) -> None:
        self.inner = httpx2.ASGITransport(app=app)
        self.statuses: list[int] = []
        self.lose_next_answer = False

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        self.statuses.append(response.status_code)
        if self.lose_next_answer:
            self.lose_next_answer = False
            await response.aread()
            raise httpx2.ReadError("connection reset after the server answered")
        return response


@pytest.fixture
def transport(clock: FakeClock) -> CountingTransport:
    return CountingTransport(sandbox_app(clock))


@pytest.fixture
async def pimelo(transport: CountingTransport, clock: FakeClock) -> AsyncIterator[PimeloClient]:
    async with (
        httpx2.AsyncClient(transport=transport) as http,
        PimeloClient(BASE, FULL, http_client=http, clock=clock) as client,
    ):
        yield client


async def test_me_reports_scopes_and_rate_limit(pimelo: PimeloClient) -> None:
    me = await pimelo.me.retrieve()
    assert isinstance(me, Me)
    assert set(me.token.scopes) == set(SCOPES)
    assert me.rate_limit is not None
    assert me.rate_limit.window_seconds == 60


async def test_channels_locales_categories(pimelo: PimeloClient) -> None:
    channels = [c async for c in pimelo.channels.iterate(limit=1)]
    assert {c.code for c in channels} == {"ecommerce", "print"}
    assert all(isinstance(c, Channel) for c in channels)
    ecommerce = await pimelo.channels.retrieve("ecommerce")
    assert ecommerce.currencies == ["EUR", "USD"]
    enabled = [locale async for locale in pimelo.locales.iterate(enabled=True)]
    assert all(isinstance(locale, Locale) and locale.enabled for locale in enabled)
    assert "es_ES" not in {locale.code for locale in enabled}
    page = await pimelo.locales.list(enabled=False)
    assert [locale.code for locale in page.items] == ["es_ES"]
    children = await pimelo.categories.list(parent="master")
    assert {c.code for c in children.items} == {"shoes", "clothing"}
    assert all(isinstance(c, Category) for c in children.items)
    assert len([c async for c in pimelo.categories.iterate(limit=2)]) == 4


async def test_attributes_list_retrieve_create_update(pimelo: PimeloClient) -> None:
    selects = await pimelo.attributes.list(type="select")
    assert [a.code for a in selects.items] == ["color"]
    by_codes = await pimelo.attributes.list(codes=["name", "size"])
    assert {a.code for a in by_codes.items} == {"name", "size"}
    in_set = [a.code async for a in pimelo.attributes.iterate(attribute_set="basic", limit=2)]
    assert set(in_set) == {"name", "ean", "color"}
    color = await pimelo.attributes.retrieve("color")
    assert isinstance(color, Attribute)
    assert [o.code for o in color.options] == ["red", "blue", "green"]

    created = await pimelo.attributes.create(
        code="heel_height",
        type="metric",
        labels={"en_US": "Heel height"},
        validation={"allowed_units": ["MILLIMETER", "CENTIMETER"]},
    )
    assert created.version == 1
    updated = await pimelo.attributes.update(
        "heel_height", labels={"en_US": "Heel height", "fr_FR": "Hauteur"}, expected_version=1
    )
    assert updated.version == 2
    with pytest.raises(PreconditionFailedError) as raised:
        await pimelo.attributes.update("heel_height", group="technical", expected_version=1)
    assert raised.value.current_version == 2
    with pytest.raises(ConflictError):
        await pimelo.attributes.create(code="heel_height", type="text")


async def test_attribute_sets_list_retrieve_create_update(pimelo: PimeloClient) -> None:
    sets = [s async for s in pimelo.attribute_sets.iterate()]
    assert {s.code for s in sets} == {"shoes", "basic"}
    shoes = await pimelo.attribute_sets.retrieve("shoes")
    assert isinstance(shoes, AttributeSet)
    assert shoes.requirements["print"] == ["name"]
    created = await pimelo.attribute_sets.create(
        code="socks",
        labels={"en_US": "Socks"},
        attributes=["name", "color"],
        requirements={"ecommerce": ["name"]},
    )
    assert created.version == 1
    updated = await pimelo.attribute_sets.update(
        "socks", attributes=["name", "color", "size"], expected_version=1
    )
    assert updated.attributes == ["name", "color", "size"]
    assert updated.version == 2


async def test_products_search_paginate_retrieve(pimelo: PimeloClient) -> None:
    everything = [p.identifier async for p in pimelo.products.search_all(limit=1)]
    assert sorted(everything) == ["BASIC-1", "SHOE-1", "SHOE-2", "SHOE-3"]
    page = await pimelo.products.search(
        filters={"color": [{"operator": "IN", "value": ["red", "blue"]}]},
        status="active",
        attributes=["name", "color"],
    )
    assert [p.identifier for p in page.items] == ["SHOE-1"]
    assert set(page.items[0].values) <= {"name", "color"}
    shoe = await pimelo.products.retrieve("SHOE-1", with_completeness=True)
    assert isinstance(shoe, Product)
    assert shoe.completeness is not None
    assert {c.channel for c in shoe.completeness} == {"ecommerce", "print"}
    with pytest.raises(NotFoundError):
        await pimelo.products.retrieve("NOPE-1")


async def test_products_create_update_and_conditional_update(pimelo: PimeloClient) -> None:
    values: dict[str, Any] = {"name": [{"locale": "en_US", "channel": None, "data": "Sock"}]}
    created = await pimelo.products.create("SOCK-1", attribute_set="basic", values=values)
    assert created.version == 1
    assert created.status == "draft"
    updated = await pimelo.products.update("SOCK-1", status="active", expected_version=1)
    assert updated.version == 2
    with pytest.raises(PreconditionFailedError) as raised:
        await pimelo.products.update("SOCK-1", status="archived", expected_version=1)
    assert raised.value.current_version == 2
    with pytest.raises(ConflictError):
        await pimelo.products.create("SOCK-1", attribute_set="basic")


async def test_an_invalid_product_lists_every_invalid_field(pimelo: PimeloClient) -> None:
    with pytest.raises(ValidationError) as raised:
        await pimelo.products.create(
            "SOCK-2",
            attribute_set="basic",
            values={
                "ean": [{"locale": None, "channel": None, "data": "12"}],
                "color": [{"locale": None, "channel": None, "data": "purple"}],
            },
        )
    fields = {error.field for error in raised.value.errors}
    assert any(field.startswith("values.ean") for field in fields)
    assert any(field.startswith("values.color") for field in fields)


async def test_a_create_whose_answer_was_lost_is_retried_without_a_duplicate(
    pimelo: PimeloClient, transport: CountingTransport
) -> None:
    transport.lose_next_answer = True
    created = await pimelo.products.create("SOCK-3", attribute_set="basic")
    assert created.identifier == "SOCK-3"
    assert transport.statuses == [201, 201]  # the second is the replay, not a 409


async def test_products_bulk_in_order_with_per_item_results(pimelo: PimeloClient) -> None:
    operations: list[dict[str, Any]] = [
        {"op": "create", "identifier": f"BULK-{i}", "attribute_set": "basic"} for i in range(150)
    ]
    operations.append(
        {"op": "update", "identifier": "SHOE-2", "status": "active", "expected_version": 99}
    )
    operations.append({"op": "update", "identifier": "SHOE-3", "status": "active"})
    result = await pimelo.products.bulk(operations)
    assert [item.index for item in result.results] == list(range(152))
    assert {item.status for item in result.results[:150]} == {201}
    stale, fine = result.results[150], result.results[151]
    assert stale.status == 412
    assert stale.problem is not None
    assert stale.problem["current_version"] == 1
    assert (fine.status, fine.version) == (200, 2)


async def test_entity_types_and_entities(pimelo: PimeloClient) -> None:
    types = [t async for t in pimelo.entity_types.iterate()]
    assert {t.code for t in types} == {"brand", "material"}
    brand = await pimelo.entity_types.retrieve("brand")
    assert isinstance(brand, EntityType)
    assert {a.code for a in brand.attributes} == {"country", "founded"}
    page = await pimelo.entities.search("brand", query="acm")
    assert [e.code for e in page.items] == ["acme"]
    assert sorted([e.code async for e in pimelo.entities.search_all("brand", limit=1)]) == [
        "acme",
        "globex",
        "initech",
    ]
    acme = await pimelo.entities.retrieve("brand", "acme")
    assert isinstance(acme, Entity)
    created = await pimelo.entities.create(
        "brand",
        "umbrella",
        labels={"en_US": "Umbrella"},
        values={"founded": [{"locale": None, "channel": None, "data": 1968}]},
    )
    assert created.version == 1
    updated = await pimelo.entities.update(
        "brand", "umbrella", labels={"en_US": "Umbrella Corp"}, expected_version=1
    )
    assert updated.version == 2
    result = await pimelo.entities.bulk(
        "brand",
        [
            {"op": "create", "code": "hooli", "labels": {"en_US": "Hooli"}},
            {
                "op": "update",
                "code": "umbrella",
                "labels": {"fr_FR": "Parapluie"},
                "expected_version": 1,
            },
        ],
    )
    assert [(item.code, item.status) for item in result.results] == [
        ("hooli", 201),
        ("umbrella", 412),
    ]
    with pytest.raises(NotFoundError):
        await pimelo.entities.retrieve("brand", "nope")


async def test_media_list_retrieve_upload_download(pimelo: PimeloClient) -> None:
    listed = [m async for m in pimelo.media.iterate()]
    assert listed
    assert all(isinstance(m, Media) for m in listed)
    for_product = await pimelo.media.list(product="SHOE-1")
    assert [m.code for m in for_product.items] == ["shoe_red"]
    png = make_png(3, 2)
    uploaded = await pimelo.media.upload(png, filename="Side View.png", code="side_view")
    assert (uploaded.code, uploaded.mime_type, uploaded.width, uploaded.height) == (
        "side_view",
        "image/png",
        3,
        2,
    )
    assert uploaded.size == len(png)
    assert (await pimelo.media.retrieve("side_view")).sha256 == uploaded.sha256
    assert await pimelo.media.download("side_view") == png
    async with pimelo.media.download_stream("side_view") as download:
        assert download.content_type == "image/png"
        assert b"".join([chunk async for chunk in download.aiter_bytes()]) == png
    with pytest.raises(UnsupportedMediaTypeError):
        await pimelo.media.upload(b"just text", filename="notes.txt")


async def test_an_unknown_token_is_an_authentication_error(
    transport: CountingTransport, clock: FakeClock
) -> None:
    async with (
        httpx2.AsyncClient(transport=transport) as http,
        PimeloClient(BASE, "pim_not_a_known_token", http_client=http, clock=clock) as client,
    ):
        with pytest.raises(AuthenticationError):
            await client.me.retrieve()


async def test_a_read_only_token_cannot_write_and_is_told_which_scope(
    transport: CountingTransport, clock: FakeClock
) -> None:
    async with (
        httpx2.AsyncClient(transport=transport) as http,
        PimeloClient(BASE, READ, http_client=http, clock=clock) as client,
    ):
        with pytest.raises(InsufficientScopeError) as raised:
            await client.products.create("X-1", attribute_set="basic")
    assert raised.value.required_scope == "products:write"


async def test_two_hundred_concurrent_reads_under_a_tight_limit_meet_no_429(
    clock: FakeClock,
) -> None:
    transport = CountingTransport(sandbox_app(clock, RateLimit(requests=60, seconds=10)))
    start = clock.now
    async with (
        httpx2.AsyncClient(transport=transport) as http,
        PimeloClient(BASE, FULL, http_client=http, clock=clock) as client,
        anyio.create_task_group() as group,
    ):
        for _ in range(200):
            group.start_soon(client.channels.retrieve, "ecommerce")
    assert transport.statuses.count(200) == 200
    assert 429 not in transport.statuses
    # 200 requests at 60 per 10 s need four windows: three full waits at least.
    assert clock.now - start >= 30.0


async def test_retrieve_in_one_locale_limits_the_values(pimelo: PimeloClient) -> None:
    shoe = await pimelo.products.retrieve("SHOE-1", locale="fr_FR")
    assert {value.locale for value in shoe.values["name"]} == {"fr_FR"}
