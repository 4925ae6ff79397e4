"""A deterministic, realistic demo catalog for the sandbox (interface; filled in by demo/catalog.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

JSON = dict[str, Any]


@dataclass(frozen=True)
class DemoMedia:
    """One file of the demo catalog: a real image (PNG) with its metadata."""

    code: str
    filename: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class DemoCatalog:
    """Everything the sandbox loads into a fresh database, in the contract's shapes.

    Records carry only the fields a client would send on create (plus timestamps for
    products and entities); the loader adds uuid, version and the rest.
    """

    locales: list[JSON]  # Locale: {code, label, enabled}
    channels: list[JSON]  # Channel: {code, labels, locales, currencies, category_tree}
    categories: list[JSON]  # Category: {code, parent, labels}, parents before children
    attributes: list[JSON]  # Attribute without version/timestamps
    attribute_sets: list[JSON]  # AttributeSet without version/timestamps
    entity_types: list[JSON]  # EntityType: {code, labels, attributes: [definitions]}
    entities: list[JSON]  # {type, code, labels, values, created_at, updated_at}
    media: list[DemoMedia]
    product_count: int
    iter_products: Callable[[], Iterator[JSON]]
    # ^ yields {identifier, attribute_set, status, categories, values, created_at, updated_at}
    #   lazily, so that 100,000 products never sit in memory at once.


def build_demo_catalog(
    products: int = 1000, *, seed: int = 7, now: datetime | None = None
) -> DemoCatalog:
    """Build the demo catalog: same arguments, same catalog (timestamps relative to `now`)."""
    from pimelo_mcp.sandbox.demo.catalog import build

    return build(products=products, seed=seed, now=now)


__all__ = ["DemoCatalog", "DemoMedia", "build_demo_catalog"]
