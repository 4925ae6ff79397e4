"""What every tool call shares for the life of the server: the client, the schema cache, the journal."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import anyio

from pimelo_mcp.audit import AuditJournal
from pimelo_mcp.client import AttributeSet, PimeloClient
from pimelo_mcp.config import Settings
from pimelo_mcp.translate import AttributeDef, CatalogSchema, ChannelDef, Resolution

SCHEMA_TTL_SECONDS = 300.0  # definitions change rarely; five minutes bounds how stale they get


class SchemaCache:
    """Attribute definitions, channels and locales, fetched once and refreshed when stale.

    Translation reads them on every write and filter; a refresh is forced when the input
    names something the cache does not know (it may have been created since).
    """

    def __init__(
        self,
        client: PimeloClient,
        *,
        ttl: float = SCHEMA_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._ttl = ttl
        self._clock = clock
        self._lock = anyio.Lock()
        self._products: tuple[float, CatalogSchema] | None = None
        self._entities: dict[str, tuple[float, CatalogSchema]] = {}
        self._sets: tuple[float, dict[str, AttributeSet]] | None = None

    def invalidate(self) -> None:
        self._products = None
        self._entities.clear()
        self._sets = None

    def _fresh(self, loaded_at: float) -> bool:
        return self._clock() - loaded_at < self._ttl

    async def _channels_and_locales(self) -> tuple[list[ChannelDef], list[str]]:
        channels = [
            ChannelDef(code=c.code, locales=tuple(c.locales), currencies=tuple(c.currencies))
            async for c in self._client.channels.iterate(limit=100)
        ]
        locales = [
            locale.code async for locale in self._client.locales.iterate(enabled=True, limit=100)
        ]
        return channels, locales

    async def products(self, *, refresh: bool = False) -> CatalogSchema:
        """The schema product values are written against."""
        async with self._lock:
            if refresh or self._products is None or not self._fresh(self._products[0]):
                attributes = [
                    AttributeDef.from_api(attribute.model_dump())
                    async for attribute in self._client.attributes.iterate(limit=100)
                ]
                channels, locales = await self._channels_and_locales()
                self._products = (self._clock(), CatalogSchema.build(attributes, channels, locales))
            return self._products[1]

    async def entities(self, entity_type: str, *, refresh: bool = False) -> CatalogSchema:
        """The schema of one entity type's records."""
        async with self._lock:
            cached = self._entities.get(entity_type)
            if refresh or cached is None or not self._fresh(cached[0]):
                definition = await self._client.entity_types.retrieve(entity_type)
                attributes = [AttributeDef.from_api(a.model_dump()) for a in definition.attributes]
                channels, locales = await self._channels_and_locales()
                cached = (self._clock(), CatalogSchema.build(attributes, channels, locales))
                self._entities[entity_type] = cached
            return cached[1]

    async def attribute_sets(self, *, refresh: bool = False) -> Mapping[str, AttributeSet]:
        """Every attribute set by code (what a product may hold, and what each channel requires)."""
        async with self._lock:
            if refresh or self._sets is None or not self._fresh(self._sets[0]):
                sets = {s.code: s async for s in self._client.attribute_sets.iterate(limit=100)}
                self._sets = (self._clock(), sets)
            return self._sets[1]


class EntityLookup:
    """Resolves entity codes or names (labels in any locale) to codes, for translation."""

    def __init__(self, client: PimeloClient) -> None:
        self._client = client

    async def __call__(self, entity_type: str, texts: Sequence[str]) -> Mapping[str, Resolution]:
        answers: dict[str, Resolution] = {}
        by_code = await self._client.entities.search(
            entity_type, filters={"code": [{"operator": "IN", "value": list(texts)}]}, limit=100
        )
        known = {entity.code for entity in by_code.items}
        for text in texts:
            if text in known:
                answers[text] = Resolution(code=text)
                continue
            page = await self._client.entities.search(entity_type, query=text, limit=25)
            folded = text.casefold()
            matches = tuple(
                entity.code
                for entity in page.items
                if any(label.casefold() == folded for label in entity.labels.values())
            )
            answers[text] = (
                Resolution(code=matches[0]) if len(matches) == 1 else Resolution(None, matches)
            )
        return answers


@dataclass
class ToolState:
    """The lifespan state of the MCP server."""

    settings: Settings
    client: PimeloClient
    schema: SchemaCache
    entities: EntityLookup
    audit: AuditJournal
