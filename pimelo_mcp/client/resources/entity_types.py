"""`client.entity_types`: the kinds of reference records (brand, supplier...)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pimelo_mcp.client._models import EntityType, Page
from pimelo_mcp.client._validation import check_code, check_limit, path
from pimelo_mcp.client.resources._base import APIResource, paginate, parse


class EntityTypes(APIResource):
    async def list(
        self, *, limit: int | None = None, search_after: str | None = None
    ) -> Page[EntityType]:
        """One page of entity types (`GET /entity-types`)."""
        data = await self._client.request_json(
            "GET",
            "entity-types",
            params={"limit": check_limit(limit), "search_after": search_after},
        )
        return parse(Page[EntityType], data)

    def iterate(self, *, limit: int | None = None) -> AsyncIterator[EntityType]:
        """Every entity type, page after page."""
        return paginate(lambda cursor: self.list(limit=limit, search_after=cursor))

    async def retrieve(self, entity_type: str) -> EntityType:
        """One entity type with its attribute definitions (`GET /entity-types/{type}`)."""
        data = await self._client.request_json(
            "GET", path("entity-types", check_code(entity_type, "entity_type"))
        )
        return parse(EntityType, data)
