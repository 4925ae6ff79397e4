"""Value validation: every attribute type accepts its data and rejects the rest; locale/channel rules."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest


def value(data: Any, locale: str | None = None, channel: str | None = None) -> list[dict[str, Any]]:
    return [{"locale": locale, "channel": channel, "data": data}]


def scoped(code: str) -> tuple[str | None, str | None]:
    if code == "name":
        return "en_US", None
    if code == "description":
        return "en_US", "ecommerce"
    return None, None


ACCEPTED: list[tuple[str, Any]] = [
    ("name", "Trail Runner"),
    ("name", ""),
    ("ean", "4006381333931"),
    ("description", "Line one\nline two"),
    ("size", 41),
    ("size", 41.0),
    ("waterproof", False),
    ("release_date", "2026-02-28"),
    ("color", "green"),
    ("tags", ["eco", "sale"]),
    ("tags", []),
    ("price", [{"amount": "10.50", "currency": "USD"}, {"amount": "9", "currency": "EUR"}]),
    ("weight", {"amount": 250, "unit": "GRAM"}),
    ("image", "logo"),
    ("brand", "initech"),
    ("materials", ["cotton"]),
]

REJECTED: list[tuple[str, Any]] = [
    ("name", 42),
    ("name", "x" * 101),
    ("name", "two\nlines"),
    ("ean", "123"),
    ("description", "x" * 2001),
    ("size", "41"),
    ("size", 41.5),
    ("size", 0),
    ("size", 61),
    ("size", True),
    ("waterproof", "yes"),
    ("release_date", "2026-02-30"),
    ("release_date", "1999-12-31"),
    ("release_date", "27/11/2026"),
    ("color", "purple"),
    ("color", ["red"]),
    ("tags", ["sale", "sale"]),
    ("tags", ["vintage"]),
    ("tags", "sale"),
    ("price", [{"amount": 10.5, "currency": "EUR"}]),
    ("price", [{"amount": "10.555", "currency": "EUR"}]),
    ("price", [{"amount": "10.00", "currency": "GBP"}]),
    ("price", [{"amount": "1", "currency": "EUR"}, {"amount": "2", "currency": "EUR"}]),
    ("price", [{"amount": "-1.00", "currency": "EUR"}]),
    ("price", {"amount": "1", "currency": "EUR"}),
    ("weight", {"amount": 1, "unit": "METER"}),
    ("weight", {"amount": "1", "unit": "GRAM"}),
    ("weight", {"amount": 51, "unit": "KILOGRAM"}),
    ("weight", {"amount": 1}),
    ("image", "missing_media"),
    ("brand", "cotton"),
    ("brand", ["acme"]),
    ("materials", ["cotton", "nope"]),
    ("materials", ["cotton", "cotton"]),
]


@pytest.mark.parametrize(("code", "data"), ACCEPTED)
async def test_each_type_accepts_data_of_its_shape(
    client: httpx2.AsyncClient, code: str, data: Any
) -> None:
    locale, channel = scoped(code)
    response = await client.patch(
        "products/SHOE-2", json={"values": {code: value(data, locale, channel)}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["values"][code] == value(data, locale, channel)


@pytest.mark.parametrize(("code", "data"), REJECTED)
async def test_each_type_rejects_data_that_does_not_fit(
    client: httpx2.AsyncClient, code: str, data: Any
) -> None:
    locale, channel = scoped(code)
    response = await client.patch(
        "products/SHOE-2", json={"values": {code: value(data, locale, channel)}}
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["type"].endswith("/validation-failed")
    expected = f"values.{code}" + (
        f"[locale={locale},channel={channel}]"
        if channel
        else f"[locale={locale}]"
        if locale
        else ""
    )
    assert [e["field"] for e in body["errors"]] == [expected]
    assert (await client.get("products/SHOE-2")).json()["version"] == 1


async def test_media_value_must_have_an_allowed_extension(client: httpx2.AsyncClient) -> None:
    upload = await client.post(
        "media", files={"file": ("photo.gif", b"GIF89a\x01\x00\x01\x00", "image/gif")}
    )
    assert upload.status_code == 201
    response = await client.patch(
        "products/SHOE-2", json={"values": {"image": value(upload.json()["code"])}}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "values.image"


@pytest.mark.parametrize(
    ("code", "entry", "field"),
    [
        ("name", {"locale": None, "channel": None, "data": "x"}, "values.name"),
        ("name", {"locale": "es_ES", "channel": None, "data": "x"}, "values.name[locale=es_ES]"),
        ("name", {"locale": "xx_XX", "channel": None, "data": "x"}, "values.name[locale=xx_XX]"),
        (
            "name",
            {"locale": "en_US", "channel": "ecommerce", "data": "x"},
            "values.name[locale=en_US,channel=ecommerce]",
        ),
        ("size", {"locale": "en_US", "channel": None, "data": 40}, "values.size[locale=en_US]"),
        (
            "description",
            {"locale": "en_US", "channel": None, "data": "x"},
            "values.description[locale=en_US]",
        ),
        (
            "description",
            {"locale": "en_US", "channel": "web", "data": "x"},
            "values.description[locale=en_US,channel=web]",
        ),
        (
            "description",
            {"locale": "de_DE", "channel": "ecommerce", "data": "x"},
            "values.description[locale=de_DE,channel=ecommerce]",
        ),
        ("size", {"locale": None, "channel": None}, "values.size"),
        ("size", {"locale": None, "channel": None, "data": 40, "extra": 1}, "values.size"),
    ],
)
async def test_locale_and_channel_rules_are_enforced(
    client: httpx2.AsyncClient, code: str, entry: dict[str, Any], field: str
) -> None:
    response = await client.patch("products/SHOE-2", json={"values": {code: [entry]}})
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_two_values_for_the_same_locale_and_channel_are_refused(
    client: httpx2.AsyncClient,
) -> None:
    entries = [
        {"locale": "en_US", "channel": None, "data": "a"},
        {"locale": "en_US", "channel": None, "data": "b"},
    ]
    response = await client.patch("products/SHOE-2", json={"values": {"name": entries}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "values.name[locale=en_US]"


async def test_every_invalid_field_is_listed(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "products",
        json={
            "identifier": "bad id!",
            "attribute_set": "basic",
            "status": "live",
            "categories": ["nowhere"],
            "values": {
                "name": [{"locale": "fr_FR", "channel": None, "data": 5}],
                "size": value(40),
                "unknown_attr": value("x"),
                "ean": value("12"),
            },
        },
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {
        "identifier",
        "status",
        "categories[0]",
        "values.name[locale=fr_FR]",
        "values.size",
        "values.unknown_attr",
        "values.ean",
    }
    assert response.json()["detail"] == "7 fields are invalid."


async def test_attributes_outside_the_products_set_are_refused(client: httpx2.AsyncClient) -> None:
    response = await client.patch("products/BASIC-1", json={"values": {"size": value(40)}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "values.size"
    assert "attribute set basic" in response.json()["errors"][0]["message"]
