"""A small fixture catalog: every attribute type, two sets, two entity types, two tiny PNGs."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import Any

from pimelo_mcp.sandbox.demo import DemoCatalog, DemoMedia


def make_png(width: int, height: int) -> bytes:
    """A valid RGB PNG of `width` x `height` black pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    rows = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _value(data: Any, locale: str | None = None, channel: str | None = None) -> dict[str, Any]:
    return {"locale": locale, "channel": channel, "data": data}


ATTRIBUTES: list[dict[str, Any]] = [
    {
        "code": "name",
        "type": "text",
        "labels": {"en_US": "Name"},
        "group": "marketing",
        "localizable": True,
        "validation": {"max_length": 100},
    },
    {
        "code": "ean",
        "type": "text",
        "labels": {"en_US": "EAN"},
        "validation": {"regex": "^[0-9]{13}$"},
    },
    {
        "code": "description",
        "type": "textarea",
        "labels": {"en_US": "Description"},
        "group": "marketing",
        "localizable": True,
        "scopable": True,
        "validation": {"max_length": 2000},
    },
    {
        "code": "size",
        "type": "number",
        "labels": {"en_US": "Size"},
        "validation": {"min": 1, "max": 60, "decimals_allowed": False},
    },
    {"code": "waterproof", "type": "boolean", "labels": {"en_US": "Waterproof"}},
    {
        "code": "release_date",
        "type": "date",
        "labels": {"en_US": "Release date"},
        "validation": {"min": "2000-01-01"},
    },
    {
        "code": "color",
        "type": "select",
        "labels": {"en_US": "Color"},
        "options": [{"code": c, "labels": {"en_US": c.title()}} for c in ("red", "blue", "green")],
    },
    {
        "code": "tags",
        "type": "multiselect",
        "labels": {"en_US": "Tags"},
        "options": [{"code": c, "labels": {"en_US": c.title()}} for c in ("sale", "new", "eco")],
    },
    {"code": "price", "type": "price", "labels": {"en_US": "Price"}, "validation": {"min": 0}},
    {
        "code": "weight",
        "type": "metric",
        "labels": {"en_US": "Weight"},
        "validation": {"allowed_units": ["KILOGRAM", "GRAM"], "min": 0, "max": 50},
    },
    {
        "code": "image",
        "type": "media",
        "labels": {"en_US": "Image"},
        "validation": {"allowed_extensions": ["png"]},
    },
    {"code": "brand", "type": "entity", "labels": {"en_US": "Brand"}, "entity_type": "brand"},
    {
        "code": "materials",
        "type": "entities",
        "labels": {"en_US": "Materials"},
        "entity_type": "material",
    },
]

SHOE_ATTRIBUTES = [a["code"] for a in ATTRIBUTES]


def _products() -> Iterator[dict[str, Any]]:
    yield {
        "identifier": "SHOE-1",
        "attribute_set": "shoes",
        "status": "active",
        "categories": ["running"],
        "values": {
            "name": [_value("Trail Runner", "en_US"), _value("Coureur des bois", "fr_FR")],
            "description": [_value("Light trail shoe", "en_US", "ecommerce")],
            "size": [_value(42)],
            "waterproof": [_value(True)],
            "release_date": [_value("2024-03-01")],
            "color": [_value("red")],
            "tags": [_value(["sale", "new"])],
            "price": [
                _value(
                    [
                        {"amount": "129.90", "currency": "EUR"},
                        {"amount": "139.00", "currency": "USD"},
                    ]
                )
            ],
            "weight": [_value({"amount": 0.31, "unit": "KILOGRAM"})],
            "image": [_value("shoe_red")],
            "brand": [_value("acme")],
            "materials": [_value(["leather"])],
        },
        "created_at": "2026-01-01T10:00:00Z",
        "updated_at": "2026-01-05T10:00:00Z",
    }
    yield {
        "identifier": "SHOE-2",
        "attribute_set": "shoes",
        "status": "draft",
        "categories": ["shoes"],
        "values": {
            "name": [_value("City Walker", "en_US")],
            "size": [_value(38)],
            "waterproof": [_value(False)],
            "release_date": [_value("2021-06-15")],
            "color": [_value("blue")],
            "tags": [_value(["eco"])],
            "price": [_value([{"amount": "59.00", "currency": "EUR"}])],
            "weight": [_value({"amount": 800, "unit": "GRAM"})],
            "brand": [_value("globex")],
            "materials": [_value(["cotton", "leather"])],
        },
        "created_at": "2026-01-02T10:00:00Z",
        "updated_at": "2026-01-04T10:00:00Z",
    }
    yield {
        "identifier": "SHOE-3",
        "attribute_set": "shoes",
        "status": "archived",
        "categories": [],
        "values": {"name": [_value("", "en_US")], "tags": [_value([])]},
        "created_at": "2026-01-03T10:00:00Z",
        "updated_at": "2026-01-03T10:00:00Z",
    }
    yield {
        "identifier": "BASIC-1",
        "attribute_set": "basic",
        "status": "active",
        "categories": ["clothing"],
        "values": {
            "name": [_value("Plain tee", "en_US")],
            "ean": [_value("1234567890123")],
            "color": [_value("green")],
        },
        "created_at": "2026-01-04T10:00:00Z",
        "updated_at": "2026-01-02T10:00:00Z",
    }


def build_fixture_catalog() -> DemoCatalog:
    return DemoCatalog(
        locales=[
            {"code": "en_US", "label": "English (US)", "enabled": True},
            {"code": "fr_FR", "label": "French", "enabled": True},
            {"code": "de_DE", "label": "German", "enabled": True},
            {"code": "es_ES", "label": "Spanish", "enabled": False},
        ],
        channels=[
            {
                "code": "ecommerce",
                "labels": {"en_US": "E-commerce"},
                "locales": ["en_US", "fr_FR"],
                "currencies": ["EUR", "USD"],
                "category_tree": "master",
            },
            {
                "code": "print",
                "labels": {"en_US": "Print"},
                "locales": ["de_DE"],
                "currencies": ["EUR"],
                "category_tree": None,
            },
        ],
        categories=[
            {"code": "master", "parent": None, "labels": {"en_US": "Master"}},
            {"code": "shoes", "parent": "master", "labels": {"en_US": "Shoes"}},
            {"code": "running", "parent": "shoes", "labels": {"en_US": "Running"}},
            {"code": "clothing", "parent": "master", "labels": {"en_US": "Clothing"}},
        ],
        attributes=ATTRIBUTES,
        attribute_sets=[
            {
                "code": "shoes",
                "labels": {"en_US": "Shoes"},
                "attributes": SHOE_ATTRIBUTES,
                "requirements": {
                    "ecommerce": ["name", "description", "price", "image"],
                    "print": ["name"],
                },
                "label_attribute": "name",
                "image_attribute": "image",
            },
            {
                "code": "basic",
                "labels": {"en_US": "Basic"},
                "attributes": ["name", "ean", "color"],
                "requirements": {"ecommerce": ["name"]},
                "label_attribute": "name",
                "image_attribute": None,
            },
        ],
        entity_types=[
            {
                "code": "brand",
                "labels": {"en_US": "Brand"},
                "attributes": [
                    {"code": "country", "type": "text", "labels": {"en_US": "Country"}},
                    {"code": "founded", "type": "number", "labels": {"en_US": "Founded"}},
                ],
            },
            {
                "code": "material",
                "labels": {"en_US": "Material"},
                "attributes": [
                    {
                        "code": "notes",
                        "type": "textarea",
                        "labels": {"en_US": "Notes"},
                        "localizable": True,
                    }
                ],
            },
        ],
        entities=[
            {
                "type": "brand",
                "code": "acme",
                "labels": {"en_US": "Acme"},
                "values": {"country": [_value("US")], "founded": [_value(1950)]},
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            },
            {
                "type": "brand",
                "code": "globex",
                "labels": {"en_US": "Globex"},
                "values": {"country": [_value("FR")], "founded": [_value(1990)]},
                "created_at": "2026-01-02T00:00:00Z",
                "updated_at": "2026-01-02T00:00:00Z",
            },
            {
                "type": "brand",
                "code": "initech",
                "labels": {"en_US": "Initech"},
                "values": {},
                "created_at": "2026-01-03T00:00:00Z",
                "updated_at": "2026-01-03T00:00:00Z",
            },
            {
                "type": "material",
                "code": "cotton",
                "labels": {"en_US": "Cotton"},
                "values": {"notes": [_value("Soft", "en_US")]},
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            },
            {
                "type": "material",
                "code": "leather",
                "labels": {"en_US": "Leather"},
                "values": {},
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": "2026-01-01T00:00:00Z",
            },
        ],
        media=[
            DemoMedia("shoe_red", "shoe_red.png", "image/png", make_png(4, 3)),
            DemoMedia("logo", "logo.png", "image/png", make_png(2, 2)),
        ],
        product_count=4,
        iter_products=_products,
    )
