"""Attributes and attribute sets: lists and filters, create per type, PATCH rules, versions."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.sandbox.problem_checks import assert_refused

VALID: list[dict[str, Any]] = [
    {
        "code": "a_text",
        "type": "text",
        "validation": {"max_length": 20, "regex": "^[A-Z]+$"},
        "localizable": True,
    },
    {"code": "a_textarea", "type": "textarea", "validation": {"max_length": 500}, "scopable": True},
    {
        "code": "a_number",
        "type": "number",
        "validation": {"min": 0, "max": 10, "decimals_allowed": False},
    },
    {"code": "a_boolean", "type": "boolean"},
    {"code": "a_date", "type": "date", "validation": {"min": "2020-01-01", "max": "2030-12-31"}},
    {"code": "a_select", "type": "select", "options": [{"code": "x", "labels": {"en_US": "X"}}]},
    {
        "code": "a_multiselect",
        "type": "multiselect",
        "options": [{"code": "x", "labels": {}}, {"code": "y", "labels": {}}],
    },
    {
        "code": "a_price",
        "type": "price",
        "validation": {"min": "0.50", "max": 1000, "decimals_allowed": True},
    },
    {
        "code": "a_metric",
        "type": "metric",
        "validation": {"allowed_units": ["LITER", "MILLILITER"], "min": 0},
    },
    {"code": "a_media", "type": "media", "validation": {"allowed_extensions": ["png", "jpg"]}},
    {"code": "a_entity", "type": "entity", "entity_type": "brand"},
    {"code": "a_entities", "type": "entities", "entity_type": "material"},
]


@pytest.mark.parametrize("body", VALID, ids=[b["type"] for b in VALID])
async def test_attributes_of_every_type_can_be_created(
    client: httpx2.AsyncClient, body: dict[str, Any]
) -> None:
    response = await client.post(
        "attributes", json={**body, "labels": {"en_US": "Label"}, "group": "tech"}
    )
    assert response.status_code == 201, response.text
    attribute = response.json()
    assert response.headers["location"].endswith(f"/attributes/{body['code']}")
    assert response.headers["etag"] == '"1"'
    assert attribute["type"] == body["type"]
    assert attribute["version"] == 1
    assert set(attribute) == {
        "code",
        "type",
        "labels",
        "group",
        "localizable",
        "scopable",
        "options",
        "validation",
        "entity_type",
        "version",
        "created_at",
        "updated_at",
    }
    assert (await client.get(f"attributes/{body['code']}")).json() == attribute


INVALID: list[tuple[dict[str, Any], str]] = [
    ({"code": "Bad Code", "type": "text"}, "code"),
    ({"code": "status", "type": "text"}, "code"),
    ({"code": "x", "type": "colour"}, "type"),
    ({"code": "x", "type": "text", "validation": {"min": 1}}, "validation.min"),
    ({"code": "x", "type": "text", "validation": {"max_length": 300}}, "validation.max_length"),
    ({"code": "x", "type": "text", "validation": {"regex": "("}}, "validation.regex"),
    ({"code": "x", "type": "number", "validation": {"min": "a"}}, "validation.min"),
    ({"code": "x", "type": "number", "validation": {"min": 5, "max": 1}}, "validation.min"),
    ({"code": "x", "type": "date", "validation": {"max": "tomorrow"}}, "validation.max"),
    ({"code": "x", "type": "metric"}, "validation.allowed_units"),
    (
        {"code": "x", "type": "metric", "validation": {"allowed_units": ["GRAM", "METER"]}},
        "validation.allowed_units",
    ),
    (
        {"code": "x", "type": "metric", "validation": {"allowed_units": ["PARSEC"]}},
        "validation.allowed_units",
    ),
    (
        {"code": "x", "type": "media", "validation": {"allowed_extensions": []}},
        "validation.allowed_extensions",
    ),
    ({"code": "x", "type": "text", "options": [{"code": "a"}]}, "options"),
    ({"code": "x", "type": "select", "options": [{"code": "a"}, {"code": "a"}]}, "options[1].code"),
    ({"code": "x", "type": "entity"}, "entity_type"),
    ({"code": "x", "type": "entity", "entity_type": "nope"}, "entity_type"),
    ({"code": "x", "type": "text", "entity_type": "brand"}, "entity_type"),
    ({"code": "x", "type": "text", "localizable": "yes"}, "localizable"),
    ({"code": "x", "type": "text", "labels": {"xx_XX": "X"}}, "labels.xx_XX"),
    ({"code": "x", "type": "text", "colour": 1}, "colour"),
]


@pytest.mark.parametrize(("body", "field"), INVALID)
async def test_invalid_attribute_definitions_are_refused(
    client: httpx2.AsyncClient, body: dict[str, Any], field: str
) -> None:
    response = await client.post("attributes", json=body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_creating_an_existing_attribute_is_a_conflict(client: httpx2.AsyncClient) -> None:
    response = await client.post("attributes", json={"code": "name", "type": "text"})
    assert response.status_code == 409


async def test_patch_updates_labels_options_and_validation(client: httpx2.AsyncClient) -> None:
    response = await client.patch(
        "attributes/color",
        json={
            "labels": {"fr_FR": "Couleur"},
            "options": [{"code": c, "labels": {}} for c in ("red", "blue", "green", "black")],
        },
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200
    attribute = response.json()
    assert attribute["labels"] == {"fr_FR": "Couleur"}
    assert [o["code"] for o in attribute["options"]] == ["red", "blue", "green", "black"]
    assert attribute["version"] == 2
    assert response.headers["etag"] == '"2"'
    accepted = await client.patch(
        "products/SHOE-2",
        json={"values": {"color": [{"locale": None, "channel": None, "data": "black"}]}},
    )
    assert accepted.status_code == 200


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"type": "number"}, "type"),
        ({"code": "other"}, "code"),
        ({"localizable": False}, "localizable"),
    ],
)
async def test_type_code_and_scoping_are_immutable(
    client: httpx2.AsyncClient, patch: dict[str, Any], field: str
) -> None:
    response = await client.patch("attributes/name", json=patch)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field


async def test_attribute_patch_that_changes_nothing_keeps_version(
    client: httpx2.AsyncClient,
) -> None:
    response = await client.patch(
        "attributes/name", json={"type": "text", "labels": {"en_US": "Name"}}
    )
    assert response.json()["version"] == 1


async def test_attribute_patch_with_stale_if_match_is_412(client: httpx2.AsyncClient) -> None:
    response = await client.patch(
        "attributes/name", json={"labels": {}}, headers={"If-Match": '"7"'}
    )
    assert response.status_code == 412
    assert response.json()["current_version"] == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"codes": "name,size,nope"}, ["name", "size"]),
        ({"type": "text"}, ["ean", "name"]),
        ({"group": "marketing"}, ["description", "name"]),
        ({"attribute_set": "basic"}, ["color", "ean", "name"]),
        ({"search": "DESCRIP"}, ["description"]),
        ({"search": "release", "type": "date"}, ["release_date"]),
    ],
)
async def test_attribute_list_filters(
    client: httpx2.AsyncClient, params: dict[str, str], expected: list[str]
) -> None:
    response = await client.get("attributes", params=params)
    assert [a["code"] for a in response.json()["items"]] == expected


async def test_attribute_list_refuses_an_unknown_type_or_set(client: httpx2.AsyncClient) -> None:
    response = await client.get("attributes", params={"type": "colour", "attribute_set": "nope"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"type", "attribute_set"}


async def test_attribute_set_can_be_created_and_read(client: httpx2.AsyncClient) -> None:
    body = {
        "code": "boots",
        "labels": {"en_US": "Boots"},
        "attributes": ["name", "size", "image"],
        "requirements": {"ecommerce": ["name", "size"]},
        "label_attribute": "name",
        "image_attribute": "image",
    }
    response = await client.post("attribute-sets", json=body)
    assert response.status_code == 201
    assert response.headers["location"].endswith("/attribute-sets/boots")
    assert response.json() | {} == {
        **body,
        "version": 1,
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
    }
    listed = (await client.get("attribute-sets")).json()["items"]
    assert [s["code"] for s in listed] == ["basic", "boots", "shoes"]
    assert (await client.post("attribute-sets", json=body)).status_code == 409


async def test_invalid_attribute_sets_list_every_error(client: httpx2.AsyncClient) -> None:
    body = {
        "code": "bad",
        "attributes": ["name", "nope"],
        "requirements": {"ecommerce": ["size"], "web": ["name"]},
        "label_attribute": "size",
        "image_attribute": "name",
    }
    response = await client.post("attribute-sets", json=body)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {
        "attributes[1]",
        "requirements.web",
        "requirements.ecommerce",
        "label_attribute",
        "image_attribute",
    }


async def test_attribute_set_patch_refreshes_completeness(client: httpx2.AsyncClient) -> None:
    search = {"channel": "print", "filters": {"completeness": [{"operator": "=", "value": 100}]}}
    before = (await client.post("products/search", json=search)).json()["items"]
    assert [p["identifier"] for p in before] == ["BASIC-1"]
    response = await client.patch("attribute-sets/shoes", json={"requirements": {"print": []}})
    assert response.status_code == 200
    assert response.json()["version"] == 2
    after = (await client.post("products/search", json=search)).json()["items"]
    assert [p["identifier"] for p in after] == ["BASIC-1", "SHOE-1", "SHOE-2", "SHOE-3"]


async def test_attribute_set_cannot_drop_attributes_that_products_use(
    client: httpx2.AsyncClient,
) -> None:
    response = await client.patch(
        "attribute-sets/basic", json={"attributes": ["name", "color"], "label_attribute": "name"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "attributes"
    assert "ean" in response.json()["errors"][0]["message"]


# --- a field of the wrong JSON type is a 422, never a 500 ----------------------------------


async def test_a_set_naming_a_set_as_its_label_attribute_is_refused(
    client: httpx2.AsyncClient,
) -> None:
    body = {"code": "s4", "attributes": ["shoes"], "label_attribute": "shoes"}
    response = await client.post("attribute-sets", json=body)
    assert_refused(response, "attributes[0]", "label_attribute")


@pytest.mark.parametrize("bad", [["name"], {"code": "name"}, 3, True])
@pytest.mark.parametrize("field", ["label_attribute", "image_attribute"])
async def test_a_set_attribute_reference_that_is_not_a_string_is_refused(
    client: httpx2.AsyncClient, field: str, bad: Any
) -> None:
    body = {"code": "s5", "attributes": ["name", "image"], field: bad}
    assert_refused(await client.post("attribute-sets", json=body), field)


async def test_patching_a_set_with_an_object_as_image_attribute_is_refused(
    client: httpx2.AsyncClient,
) -> None:
    response = await client.patch("attribute-sets/shoes", json={"image_attribute": {}})
    assert_refused(response, "image_attribute")
    assert (await client.get("attribute-sets/shoes")).json()["version"] == 1


async def test_an_entity_attribute_with_a_list_as_entity_type_is_refused(
    client: httpx2.AsyncClient,
) -> None:
    body = {"code": "maker", "type": "entity", "entity_type": ["brand"]}
    assert_refused(await client.post("attributes", json=body), "entity_type")


async def test_a_metric_attribute_with_a_list_among_its_units_is_refused(
    client: httpx2.AsyncClient,
) -> None:
    body = {"code": "depth", "type": "metric", "validation": {"allowed_units": [["METER"]]}}
    assert_refused(await client.post("attributes", json=body), "validation.allowed_units")


@pytest.mark.parametrize("regex", ["a{99999999999}", "(" * 2000 + ")" * 2000])
async def test_a_regex_too_large_to_compile_is_refused(
    client: httpx2.AsyncClient, regex: str
) -> None:
    body = {"code": "motto", "type": "text", "validation": {"regex": regex}}
    assert_refused(await client.post("attributes", json=body), "validation.regex")


async def test_number_bounds_too_large_for_a_float_are_compared_exactly(
    client: httpx2.AsyncClient,
) -> None:
    body = {"code": "huge", "type": "number", "validation": {"min": 10**400, "max": 1}}
    assert_refused(await client.post("attributes", json=body), "validation.min")
    body["validation"] = {"min": 1, "max": 10**400}
    assert (await client.post("attributes", json=body)).status_code == 201
