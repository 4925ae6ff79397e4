"""The caches tool calls read through: catalog definitions and entity names.

They sit between the tools and the client: translation reads definitions on every write
and filter, and a batch of 100 items names the same entities again and again.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

import anyio

from pimelo_mcp.client import AttributeSet, InsufficientScopeError, PimeloClient
from pimelo_mcp.tools.state import current_call
from pimelo_mcp.translate import AttributeDef, CatalogSchema, ChannelDef, Resolution

T = TypeVar("T")
ENTITY_CODE = re.compile(r"^[a-z0-9_]{1,100}$")

SCHEMA_TTL_SECONDS = 300.0  # definitions change rarely; five minutes bounds how stale they get
ENTITY_NAMES_TTL_SECONDS = 60.0  # entity name → code answers, reused across the items of a batch


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
        # What a read got when the token may not read every definition (see `readable_*`).
        self._partial: dict[str, tuple[float, CatalogSchema]] = {}
        self._refreshed_during: dict[str, object] = {}  # kind → the call that last refreshed it

    def invalidate(self) -> None:
        self._products = None
        self._entities.clear()
        self._sets = None
        self._partial.clear()

    def _reload(self, kind: str, loaded_at: float | None, refresh: bool) -> bool:
        if loaded_at is None or self._clock() - loaded_at >= self._ttl:
            return True
        if not refresh:
            return False
        call = current_call.get()
        if call is not None and self._refreshed_during.get(kind) is call:
            return False  # already reloaded for this call: the answer would be the same
        if call is not None:
            self._refreshed_during[kind] = call
        return True

    async def _channels_and_locales(self) -> tuple[list[ChannelDef], list[str]]:
        channels = [
            ChannelDef(code=c.code, locales=tuple(c.locales), currencies=tuple(c.currencies))
            async for c in self._client.channels.iterate(limit=100)
        ]
        locales = [
            locale.code async for locale in self._client.locales.iterate(enabled=True, limit=100)
        ]
        return channels, locales

    async def _attributes(self) -> list[AttributeDef]:
        return [
            AttributeDef.from_api(attribute.model_dump())
            async for attribute in self._client.attributes.iterate(limit=100)
        ]

    async def products(self, *, refresh: bool = False) -> CatalogSchema:
        """The schema product values are written against."""
        async with self._lock:
            if self._reload("products", self._products and self._products[0], refresh):
                attributes = await self._attributes()
                channels, locales = await self._channels_and_locales()
                self._products = (self._clock(), CatalogSchema.build(attributes, channels, locales))
            assert self._products is not None
            return self._products[1]

    async def readable_products(self) -> CatalogSchema:
        """What a product read can use of the definitions this token may read.

        A token without attributes:read or settings:read still searches and reads products:
        the parts it may not read come back empty and marked unknown. A refusal is kept as
        long as definitions are, so a read pays for it once, not on every call.
        """
        cached = self._partial.get("products")
        attributes_refused = False
        if cached is None or self._clock() - cached[0] >= self._ttl:
            try:
                return await self.products()
            except InsufficientScopeError as error:
                # products() reads attributes first: a refusal there need not be asked again
                attributes_refused = error.required_scope == "attributes:read"
        async with self._lock:
            cached = self._partial.get("products")
            if cached is None or self._clock() - cached[0] >= self._ttl:
                attributes = (
                    None if attributes_refused else await _unless_refused(self._attributes())
                )
                settings = await _unless_refused(self._channels_and_locales())
                channels, locales = settings or ([], [])
                schema = CatalogSchema.build(
                    attributes or [],
                    channels,
                    locales,
                    attributes_known=attributes is not None,
                    settings_known=settings is not None,
                )
                cached = self._partial["products"] = (self._clock(), schema)
            return cached[1]

    async def entities(self, entity_type: str, *, refresh: bool = False) -> CatalogSchema:
        """The schema of one entity type's records."""
        async with self._lock:
            cached = self._entities.get(entity_type)
            if self._reload(f"entity:{entity_type}", cached and cached[0], refresh):
                definition = await self._client.entity_types.retrieve(entity_type)
                attributes = [AttributeDef.from_api(a.model_dump()) for a in definition.attributes]
                channels, locales = await self._channels_and_locales()
                cached = (self._clock(), CatalogSchema.build(attributes, channels, locales))
                self._entities[entity_type] = cached
            assert cached is not None
            return cached[1]

    async def readable_entities(self, entity_type: str, *, refresh: bool = False) -> CatalogSchema:
        """An entity type's schema for a read: without settings:read, channels and locales unknown."""
        kind = f"entity:{entity_type}"
        if kind not in self._partial:  # else this token is known to lack settings:read
            try:
                return await self.entities(entity_type, refresh=refresh)
            except InsufficientScopeError as error:
                if error.required_scope != "settings:read":
                    raise
        async with self._lock:
            cached = self._partial.get(kind)
            if self._reload(f"readable-{kind}", cached and cached[0], refresh):
                definition = await self._client.entity_types.retrieve(entity_type)
                attributes = [AttributeDef.from_api(a.model_dump()) for a in definition.attributes]
                cached = (
                    self._clock(),
                    CatalogSchema.build(attributes, [], [], settings_known=False),
                )
                self._partial[kind] = cached
            assert cached is not None
            return cached[1]

    async def attribute_sets(self, *, refresh: bool = False) -> Mapping[str, AttributeSet]:
        """Every attribute set by code (what a product may hold, and what each channel requires)."""
        async with self._lock:
            if self._reload("sets", self._sets and self._sets[0], refresh):
                sets = {s.code: s async for s in self._client.attribute_sets.iterate(limit=100)}
                self._sets = (self._clock(), sets)
            assert self._sets is not None
            return self._sets[1]


async def _unless_refused(loading: Awaitable[T]) -> T | None:
    """What `loading` reads, or None when the token lacks the scope to read it."""
    try:
        return await loading
    except InsufficientScopeError:
        return None


class EntityLookup:
    """Resolves entity codes or names (labels in any locale) to codes, for translation."""

    def __init__(
        self, client: PimeloClient, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._clock = clock
        self._answers: dict[tuple[str, str], tuple[float, Resolution]] = {}

    async def __call__(self, entity_type: str, texts: Sequence[str]) -> Mapping[str, Resolution]:
        now = self._clock()
        answers: dict[str, Resolution] = {}
        for text in texts:
            cached = self._answers.get((entity_type, text))
            if cached is not None and now - cached[0] < ENTITY_NAMES_TTL_SECONDS:
                answers[text] = cached[1]
        missing = [text for text in texts if text not in answers]
        if missing:
            for text, resolution in (await self._lookup(entity_type, missing)).items():
                self._answers[(entity_type, text)] = (now, resolution)
                answers[text] = resolution
        return answers

    async def _lookup(self, entity_type: str, texts: Sequence[str]) -> dict[str, Resolution]:
        try:
            return await self._look_up(entity_type, texts)
        except InsufficientScopeError as error:
            if error.required_scope not in (None, "entities:read"):
                raise
        # A token without entities:read can still name a record by its code: Pimelo checks
        # that it exists when the value is written. A name cannot be looked up.
        return {
            text: Resolution(code=text)
            if ENTITY_CODE.fullmatch(text)
            else Resolution(
                None,
                refusal=f"{text!r} is not a {entity_type} code, and finding a record by its "
                "name needs the entities:read scope, which this token lacks: give the code, or "
                "ask the user to add entities:read to the token (Pimelo, Settings > API Tokens)",
            )
            for text in texts
        }

    async def _look_up(self, entity_type: str, texts: Sequence[str]) -> dict[str, Resolution]:
        answers: dict[str, Resolution] = {}
        by_code = await self._client.entities.search(
            entity_type, filters={"code": [{"operator": "IN", "value": list(texts)}]}, limit=100
        )
        known = {entity.code for entity in by_code.items}
        for text in texts:
            if text in known:
                answers[text] = Resolution(code=text)
                continue
            # A short name ("On") is a substring of many labels: look at a full page for exact ones.
            page = await self._client.entities.search(entity_type, query=text, limit=100)
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
