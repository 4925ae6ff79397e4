"""Each resource method sends the contract's method, path, query and body, and returns typed models."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest
from client_fakes import FakePimelo, json_response, problem_response

from pimelo_mcp.client import (
    APIResponseValidationError,
    Attribute,
    AttributeSet,
    Category,
    Channel,
    Entity,
    EntityType,
    InvalidArgumentError,
    Locale,
    Me,
    Media,
    Page,
    PimeloClient,
    PimeloError,
    PreconditionFailedError,
    Product,
)

PRODUCT: dict[str, Any] = {
    "uuid": "0b7f0d7e-7c1f-4a43-8a5e-5b5c9f1c2a11",
    "identifier": "SHOE-1",
    "attribute_set": "shoes",
    "status": "draft",
    "categories": ["running"],
    "values": {"name": [{"locale": "en_US", "channel": None, "data": "Trail Runner"}]},
    "version": 3,
    "created_at": "2026-11-27T10:00:00Z",
    "updated_at": "2026-11-27T11:00:00Z",
}


def body_of(request: httpx2.Request) -> Any:
    return json.loads(request.content)


def capture(fake: FakePimelo, method: str, path: str, answer: Any, status: int = 200) -> None:
    fake.route(method, path)(lambda request: json_response(answer, status))


async def test_me_is_typed_and_keeps_unknown_fields(client: PimeloClient, fake: FakePimelo) -> None:
    capture(
        fake,
        "GET",
        "me",
        {
            "token": {
                "name": "ci",
                "prefix": "pim_ab",
                "scopes": ["products:read"],
                "expires_at": None,
            },
            "user": {"id": "u1", "email": "a@b.c", "name": "A"},
            "organization": {"id": "o1", "name": "Acme"},
            "rate_limit": {"limit": 600, "window_seconds": 60},
            "new_field_from_the_future": True,
        },
    )
    me = await client.me.retrieve()
    assert isinstance(me, Me)
    assert me.token.scopes == ["products:read"]
    assert me.rate_limit is not None
    assert me.rate_limit.limit == 600
    assert me.model_extra == {"new_field_from_the_future": True}


async def test_requests_carry_the_bearer_token_and_accept_json(
    client: PimeloClient, fake: FakePimelo
) -> None:
    capture(fake, "GET", "me", {})
    await client.me.retrieve()
    request = fake.requests[0]
    assert request.headers["Authorization"].startswith("Bearer pim_")
    assert request.headers["Accept"] == "application/json"
    assert request.url.host == "pimelo.test"


async def test_channels_list_retrieve_and_iterate(client: PimeloClient, fake: FakePimelo) -> None:
    channel = {
        "code": "ecommerce",
        "labels": {"en_US": "E"},
        "locales": ["en_US"],
        "currencies": ["EUR"],
        "category_tree": None,
    }
    capture(fake, "GET", "channels", {"items": [channel], "search_after": None})
    capture(fake, "GET", "channels/ecommerce", channel)
    page = await client.channels.list(limit=5)
    assert isinstance(page, Page)
    assert isinstance(page.items[0], Channel)
    assert page.next_cursor is None
    assert fake.requests[0].url.params["limit"] == "5"
    assert (await client.channels.retrieve("ecommerce")).currencies == ["EUR"]
    assert [c.code async for c in client.channels.iterate()] == ["ecommerce"]


async def test_list_iterators_follow_search_after_cursors(
    client: PimeloClient, fake: FakePimelo
) -> None:
    pages = {
        None: {
            "items": [{"code": "en_US", "label": "English", "enabled": True}],
            "search_after": "c1",
        },
        "c1": {
            "items": [{"code": "fr_FR", "label": "French", "enabled": True}],
            "search_after": "c2",
        },
        "c2": {"items": [], "search_after": None},
    }

    def answer(request: httpx2.Request) -> httpx2.Response:
        return json_response(pages[request.url.params.get("search_after")])

    fake.route("GET", "locales")(answer)
    locales = [locale async for locale in client.locales.iterate(enabled=True, limit=1)]
    assert [locale.code for locale in locales] == ["en_US", "fr_FR"]
    assert all(isinstance(locale, Locale) for locale in locales)
    assert [r.url.params.get("search_after") for r in fake.requests] == [None, "c1", "c2"]
    assert {r.url.params["enabled"] for r in fake.requests} == {"true"}


async def test_search_iterators_send_the_cursor_in_the_body(
    client: PimeloClient, fake: FakePimelo
) -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        cursor = body_of(request).get("search_after")
        if cursor is None:
            return json_response({"items": [PRODUCT], "search_after": "next"})
        return json_response({"items": [{**PRODUCT, "identifier": "SHOE-2"}], "search_after": None})

    fake.route("POST", "products/search")(answer)
    found = [p.identifier async for p in client.products.search_all(query="shoe", status="active")]
    assert found == ["SHOE-1", "SHOE-2"]
    assert body_of(fake.requests[0]) == {"query": "shoe", "status": "active"}
    assert body_of(fake.requests[1]) == {
        "query": "shoe",
        "status": "active",
        "search_after": "next",
    }


async def test_a_cursor_that_repeats_stops_the_iterator(
    client: PimeloClient, fake: FakePimelo
) -> None:
    capture(fake, "GET", "categories", {"items": [{"code": "a"}], "search_after": "same"})
    with pytest.raises(PimeloError):
        _ = [category async for category in client.categories.iterate()]
    assert len(fake.requests) == 2


async def test_categories_filter_by_parent(client: PimeloClient, fake: FakePimelo) -> None:
    capture(
        fake, "GET", "categories", {"items": [{"code": "trail", "parent": "running", "labels": {}}]}
    )
    page = await client.categories.list(parent="running")
    assert isinstance(page.items[0], Category)
    assert fake.requests[0].url.params["parent"] == "running"


async def test_products_search_sends_only_the_fields_given(
    client: PimeloClient, fake: FakePimelo
) -> None:
    capture(fake, "POST", "products/search", {"items": [PRODUCT], "search_after": "abc"})
    filters = {"color": [{"operator": "IN", "value": ["red"]}]}
    page = await client.products.search(
        filters=filters,
        locale="fr_FR",
        channel="ecommerce",
        attributes=["name"],
        with_completeness=True,
        limit=10,
    )
    assert page.next_cursor == "abc"
    assert page.has_more
    assert isinstance(page.items[0], Product)
    assert body_of(fake.requests[0]) == {
        "filters": filters,
        "locale": "fr_FR",
        "channel": "ecommerce",
        "attributes": ["name"],
        "with_completeness": True,
        "limit": 10,
    }


async def test_products_retrieve_passes_locale_channel_and_completeness(
    client: PimeloClient, fake: FakePimelo
) -> None:
    capture(
        fake,
        "GET",
        "products/SHOE-1",
        {
            **PRODUCT,
            "completeness": [
                {
                    "channel": "ecommerce",
                    "locale": "en_US",
                    "ratio": 0.5,
                    "required": ["name", "price"],
                    "missing": ["price"],
                }
            ],
        },
    )
    product = await client.products.retrieve(
        "SHOE-1", locale="en_US", channel="ecommerce", with_completeness=True
    )
    assert product.version == 3
    assert product.completeness is not None
    assert product.completeness[0].missing == ["price"]
    assert product.values["name"][0].data == "Trail Runner"
    params = fake.requests[0].url.params
    assert dict(params) == {"locale": "en_US", "channel": "ecommerce", "with_completeness": "true"}


async def test_products_create_posts_the_body_with_an_idempotency_key(
    client: PimeloClient, fake: FakePimelo
) -> None:
    capture(fake, "POST", "products", PRODUCT, 201)
    values = {"name": [{"locale": "en_US", "channel": None, "data": "Trail Runner"}]}
    product = await client.products.create(
        "SHOE-1", attribute_set="shoes", categories=["running"], values=values
    )
    assert product.identifier == "SHOE-1"
    request = fake.requests[0]
    assert body_of(request) == {
        "identifier": "SHOE-1",
        "attribute_set": "shoes",
        "categories": ["running"],
        "values": values,
    }
    assert request.headers["Idempotency-Key"]


async def test_update_with_expected_version_sends_if_match(
    client: PimeloClient, fake: FakePimelo
) -> None:
    capture(fake, "PATCH", "products/SHOE-1", {**PRODUCT, "version": 4})
    product = await client.products.update("SHOE-1", status="active", expected_version=3)
    assert product.version == 4
    request = fake.requests[0]
    assert request.headers["If-Match"] == '"3"'
    assert body_of(request) == {"status": "active"}
    # a retry whose first answer was lost gets that answer replayed (docs/reliability.md)
    assert request.headers["Idempotency-Key"]


async def test_update_without_expected_version_sends_no_if_match(
    client: PimeloClient, fake: FakePimelo
) -> None:
    capture(fake, "PATCH", "products/SHOE-1", PRODUCT)
    await client.products.update(
        "SHOE-1", values={"name": [{"locale": "en_US", "channel": None, "data": None}]}
    )
    assert "If-Match" not in fake.requests[0].headers


async def test_update_with_stale_version_is_refused_with_the_current_version(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("PATCH", "products/SHOE-1")(
        lambda request: problem_response(
            412, "precondition-failed", "Precondition failed", current_version=5
        )
    )
    with pytest.raises(PreconditionFailedError) as raised:
        await client.products.update("SHOE-1", status="active", expected_version=3)
    assert raised.value.current_version == 5
    assert len(fake.requests) == 1


@pytest.mark.parametrize("version", [0, -1, True])
async def test_a_nonsense_expected_version_is_refused_before_sending(
    version: int, client: PimeloClient, fake: FakePimelo
) -> None:
    with pytest.raises(InvalidArgumentError):
        await client.products.update("SHOE-1", status="active", expected_version=version)
    assert fake.requests == []


async def test_attributes_list_filters_and_crud(client: PimeloClient, fake: FakePimelo) -> None:
    attribute = {
        "code": "color",
        "type": "select",
        "labels": {"en_US": "Color"},
        "group": None,
        "localizable": False,
        "scopable": False,
        "options": [{"code": "red", "labels": {"en_US": "Red"}}],
        "validation": {},
        "entity_type": None,
        "version": 1,
    }
    capture(fake, "GET", "attributes", {"items": [attribute], "search_after": None})
    capture(fake, "GET", "attributes/color", attribute)
    capture(fake, "POST", "attributes", attribute, 201)
    capture(fake, "PATCH", "attributes/color", {**attribute, "version": 2})

    page = await client.attributes.list(
        codes=["color", "size"], type="select", attribute_set="shoes", search="col"
    )
    assert isinstance(page.items[0], Attribute)
    assert page.items[0].options[0].code == "red"
    assert dict(fake.requests[0].url.params) == {
        "codes": "color,size",
        "type": "select",
        "attribute_set": "shoes",
        "search": "col",
    }
    assert (await client.attributes.retrieve("color")).type == "select"
    await client.attributes.create(
        code="color", type="select", options=[{"code": "red", "labels": {}}], group=None
    )
    assert body_of(fake.requests[2]) == {
        "code": "color",
        "type": "select",
        "options": [{"code": "red", "labels": {}}],
        "group": None,
    }
    assert fake.requests[2].headers["Idempotency-Key"]
    updated = await client.attributes.update(
        "color", labels={"fr_FR": "Couleur"}, expected_version=1
    )
    assert updated.version == 2
    assert body_of(fake.requests[3]) == {"labels": {"fr_FR": "Couleur"}}
    assert fake.requests[3].headers["If-Match"] == '"1"'
    assert [a.code async for a in client.attributes.iterate(type="select")] == ["color"]


async def test_attribute_sets_crud(client: PimeloClient, fake: FakePimelo) -> None:
    attribute_set = {
        "code": "shoes",
        "labels": {},
        "attributes": ["name"],
        "requirements": {"ecommerce": ["name"]},
        "version": 1,
    }
    capture(fake, "GET", "attribute-sets", {"items": [attribute_set], "search_after": None})
    capture(fake, "GET", "attribute-sets/shoes", attribute_set)
    capture(fake, "POST", "attribute-sets", attribute_set, 201)
    capture(fake, "PATCH", "attribute-sets/shoes", {**attribute_set, "version": 2})
    assert isinstance((await client.attribute_sets.list()).items[0], AttributeSet)
    assert (await client.attribute_sets.retrieve("shoes")).requirements == {"ecommerce": ["name"]}
    await client.attribute_sets.create(
        code="shoes", attributes=["name"], requirements={"ecommerce": ["name"]}
    )
    assert body_of(fake.requests[2]) == {
        "code": "shoes",
        "attributes": ["name"],
        "requirements": {"ecommerce": ["name"]},
    }
    await client.attribute_sets.update("shoes", label_attribute=None, expected_version=1)
    assert body_of(fake.requests[3]) == {"label_attribute": None}
    assert [s.code async for s in client.attribute_sets.iterate()] == ["shoes"]


async def test_entity_types_and_entities(client: PimeloClient, fake: FakePimelo) -> None:
    entity_type = {
        "code": "brand",
        "labels": {},
        "attributes": [{"code": "country", "type": "text"}],
    }
    entity = {
        "type": "brand",
        "code": "acme",
        "labels": {"en_US": "Acme"},
        "values": {},
        "version": 1,
    }
    capture(fake, "GET", "entity-types", {"items": [entity_type], "search_after": None})
    capture(fake, "GET", "entity-types/brand", entity_type)
    capture(fake, "POST", "entities/brand/search", {"items": [entity], "search_after": None})
    capture(fake, "GET", "entities/brand/acme", entity)
    capture(fake, "POST", "entities/brand", entity, 201)
    capture(fake, "PATCH", "entities/brand/acme", {**entity, "version": 2})

    assert isinstance((await client.entity_types.list()).items[0], EntityType)
    assert (await client.entity_types.retrieve("brand")).attributes[0].code == "country"
    assert [t.code async for t in client.entity_types.iterate()] == ["brand"]
    page = await client.entities.search("brand", query="ac", sort="code")
    assert isinstance(page.items[0], Entity)
    assert body_of(fake.requests[3]) == {"query": "ac", "sort": "code"}
    assert (await client.entities.retrieve("brand", "acme")).labels == {"en_US": "Acme"}
    await client.entities.create("brand", "acme", labels={"en_US": "Acme"})
    assert body_of(fake.requests[5]) == {"code": "acme", "labels": {"en_US": "Acme"}}
    assert fake.requests[5].headers["Idempotency-Key"]
    updated = await client.entities.update(
        "brand", "acme", labels={"fr_FR": "Acmé"}, expected_version=1
    )
    assert updated.version == 2
    assert fake.requests[6].headers["If-Match"] == '"1"'
    assert [e.code async for e in client.entities.search_all("brand")] == ["acme"]


@pytest.mark.parametrize(
    "call",
    [
        lambda p: p.products.retrieve(""),
        lambda p: p.products.retrieve(".."),
        lambda p: p.products.retrieve("."),
        lambda p: p.products.retrieve("SHOE/1"),
        lambda p: p.products.retrieve("SHOE 1"),
        lambda p: p.products.update("x" * 256, status="active"),
        lambda p: p.channels.retrieve("E-Commerce"),
        lambda p: p.attributes.retrieve(""),
        lambda p: p.attribute_sets.retrieve("../me"),
        lambda p: p.entity_types.retrieve("Brand"),
        lambda p: p.entities.retrieve("brand", ""),
        lambda p: p.entities.retrieve("", "acme"),
        lambda p: p.entities.search("a/b"),
        lambda p: p.media.retrieve("photo.png"),
        lambda p: p.media.download(""),
        lambda p: p.products.search(limit=0),
        lambda p: p.products.search(limit=101),
        lambda p: p.attributes.list(codes=["ok", "Not OK"]),
    ],
)
async def test_bad_ids_and_codes_are_refused_before_any_request(
    call: Any, client: PimeloClient, fake: FakePimelo
) -> None:
    with pytest.raises(InvalidArgumentError):
        await call(client)
    assert fake.requests == []


async def test_path_segments_are_url_encoded(client: PimeloClient, fake: FakePimelo) -> None:
    fake.route("GET", "products/A.B-C_1")(
        lambda request: json_response({**PRODUCT, "identifier": "A.B-C_1"})
    )
    product = await client.products.retrieve("A.B-C_1")
    assert product.identifier == "A.B-C_1"
    assert fake.requests[0].url.raw_path == b"/api/v1/products/A.B-C_1"


async def test_a_non_json_success_body_is_a_clear_error(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("GET", "me")(lambda request: httpx2.Response(200, content=b"<html>login</html>"))
    with pytest.raises(PimeloError, match="not JSON"):
        await client.me.retrieve()


async def test_media_list_and_retrieve(client: PimeloClient, fake: FakePimelo) -> None:
    media = {
        "code": "shoe_png",
        "filename": "shoe.png",
        "mime_type": "image/png",
        "size": 10,
        "sha256": "ab",
        "width": 1,
        "height": 1,
        "download_url": "https://pimelo.test/api/v1/media/shoe_png/download",
        "created_at": "2026-11-27T10:00:00Z",
    }
    capture(fake, "GET", "media", {"items": [media], "search_after": None})
    capture(fake, "GET", "media/shoe_png", media)
    page = await client.media.list(product="SHOE-1", mime_type="image/png")
    assert isinstance(page.items[0], Media)
    assert dict(fake.requests[0].url.params) == {"product": "SHOE-1", "mime_type": "image/png"}
    assert (await client.media.retrieve("shoe_png")).width == 1
    assert [m.code async for m in client.media.iterate(search="shoe")] == ["shoe_png"]


async def test_an_answer_of_the_wrong_shape_is_a_response_validation_error(
    client: PimeloClient, fake: FakePimelo
) -> None:
    capture(fake, "GET", "products/SHOE-1", {"identifier": "SHOE-1", "categories": "not-a-list"})
    with pytest.raises(APIResponseValidationError) as raised:
        await client.products.retrieve("SHOE-1")
    assert raised.value.model == "Product"
    assert raised.value.errors[0].startswith("categories")
