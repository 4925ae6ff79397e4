"""`client.entities`: records of an entity type (brand, supplier...); every method takes the type."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from pimelo_mcp.client._models import BulkResult, Entity, Page
from pimelo_mcp.client._validation import check_code, check_limit, path
from pimelo_mcp.client.resources._base import (
    NOT_GIVEN,
    APIResource,
    NotGiven,
    body,
    if_match,
    paginate,
    parse,
    search_body,
)
from pimelo_mcp.client.resources._bulk import BulkTarget, run_bulk

Values = Mapping[str, Any]
Filters = Mapping[str, Sequence[Mapping[str, Any]]]


class Entities(APIResource):
    async def search(
        self,
        entity_type: str,
        *,
        query: str | None = None,
        filters: Filters | None = None,
        locale: str | None = None,
        channel: str | None = None,
        sort: str | None = None,
        attributes: Sequence[str] | None = None,
        limit: int | None = None,
        search_after: str | None = None,
    ) -> Page[Entity]:
        """One page of records of `entity_type` (`POST /entities/{type}/search`)."""
        payload = search_body(
            query=query,
            filters=filters,
            locale=locale,
            channel=channel,
            sort=sort,
            attributes=attributes,
            limit=check_limit(limit),
            search_after=search_after,
        )
        data = await self._client.request_json(
            "POST", path("entities", check_code(entity_type, "entity_type"), "search"), json=payload
        )
        return parse(Page[Entity], data)

    def search_all(
        self,
        entity_type: str,
        *,
        query: str | None = None,
        filters: Filters | None = None,
        locale: str | None = None,
        channel: str | None = None,
        sort: str | None = None,
        attributes: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Entity]:
        """Every matching record of `entity_type`, page after page."""
        check_code(entity_type, "entity_type")
        return paginate(
            lambda cursor: self.search(
                entity_type,
                query=query,
                filters=filters,
                locale=locale,
                channel=channel,
                sort=sort,
                attributes=attributes,
                limit=limit,
                search_after=cursor,
            )
        )

    async def retrieve(self, entity_type: str, code: str) -> Entity:
        """One record (`GET /entities/{type}/{code}`)."""
        data = await self._client.request_json(
            "GET", path("entities", check_code(entity_type, "entity_type"), check_code(code))
        )
        return parse(Entity, data)

    async def create(
        self,
        entity_type: str,
        code: str,
        *,
        labels: Mapping[str, str] | NotGiven = NOT_GIVEN,
        values: Values | NotGiven = NOT_GIVEN,
    ) -> Entity:
        """A new record (`POST /entities/{type}`); retried safely with one Idempotency-Key."""
        data = await self._client.request_json(
            "POST",
            path("entities", check_code(entity_type, "entity_type")),
            json=body(code=check_code(code), labels=labels, values=values),
            headers={"Idempotency-Key": self._client.new_idempotency_key()},
        )
        return parse(Entity, data)

    async def update(
        self,
        entity_type: str,
        code: str,
        *,
        labels: Mapping[str, str] | NotGiven = NOT_GIVEN,
        values: Values | NotGiven = NOT_GIVEN,
        expected_version: int | None = None,
    ) -> Entity:
        """Merge-update a record (`PATCH /entities/{type}/{code}`), conditional if `expected_version`."""
        data = await self._client.request_json(
            "PATCH",
            path("entities", check_code(entity_type, "entity_type"), check_code(code)),
            json=body(labels=labels, values=values),
            headers=if_match(expected_version),
        )
        return parse(Entity, data)

    async def bulk(self, entity_type: str, operations: Sequence[Mapping[str, Any]]) -> BulkResult:
        """Create/update many records of `entity_type`: `{"op": ..., "code": ..., ...}` each."""
        target = BulkTarget(
            segments=("entities", check_code(entity_type, "entity_type")),
            key_field="code",
            check_key=check_code,
        )
        return await run_bulk(self._client, target, operations)
