"""`client.products`: search, read, create, merge-update and bulk-write products."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from pimelo_mcp.client._models import BulkResult, Page, Product
from pimelo_mcp.client._validation import (
    check_code,
    check_identifier,
    check_limit,
    check_locale,
    path,
)
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

_TARGET = BulkTarget(segments=("products",), key_field="identifier", check_key=check_identifier)

Values = Mapping[str, Any]
Filters = Mapping[str, Sequence[Mapping[str, Any]]]


class Products(APIResource):
    async def search(
        self,
        *,
        query: str | None = None,
        filters: Filters | None = None,
        locale: str | None = None,
        channel: str | None = None,
        sort: str | None = None,
        attributes: Sequence[str] | None = None,
        attribute_set: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        with_completeness: bool | None = None,
        limit: int | None = None,
        search_after: str | None = None,
    ) -> Page[Product]:
        """One page of products matching the search (`POST /products/search`)."""
        payload = search_body(
            query=query,
            filters=filters,
            locale=locale,
            channel=channel,
            sort=sort,
            attributes=attributes,
            attribute_set=attribute_set,
            status=status,
            with_completeness=with_completeness,
            limit=check_limit(limit),
            search_after=search_after,
        )
        data = await self._client.request_json("POST", "products/search", json=payload)
        return parse(Page[Product], data)

    def search_all(
        self,
        *,
        query: str | None = None,
        filters: Filters | None = None,
        locale: str | None = None,
        channel: str | None = None,
        sort: str | None = None,
        attributes: Sequence[str] | None = None,
        attribute_set: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        with_completeness: bool | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Product]:
        """Every product matching the search, page after page."""
        return paginate(
            lambda cursor: self.search(
                query=query,
                filters=filters,
                locale=locale,
                channel=channel,
                sort=sort,
                attributes=attributes,
                attribute_set=attribute_set,
                status=status,
                with_completeness=with_completeness,
                limit=limit,
                search_after=cursor,
            )
        )

    async def retrieve(
        self,
        identifier: str,
        *,
        locale: str | None = None,
        channel: str | None = None,
        with_completeness: bool | None = None,
    ) -> Product:
        """One product (`GET /products/{identifier}`), its values limited to a locale/channel if given."""
        data = await self._client.request_json(
            "GET",
            path("products", check_identifier(identifier)),
            params={
                "locale": None if locale is None else check_locale(locale),
                "channel": None if channel is None else check_code(channel, "channel"),
                "with_completeness": with_completeness,
            },
        )
        return parse(Product, data)

    async def create(
        self,
        identifier: str,
        *,
        attribute_set: str | NotGiven = NOT_GIVEN,
        status: str | NotGiven = NOT_GIVEN,
        categories: Sequence[str] | NotGiven = NOT_GIVEN,
        values: Values | NotGiven = NOT_GIVEN,
    ) -> Product:
        """A new product (`POST /products`); retried safely with one Idempotency-Key."""
        payload = body(
            identifier=check_identifier(identifier),
            attribute_set=attribute_set,
            status=status,
            categories=categories,
            values=values,
        )
        data = await self._client.request_json(
            "POST",
            "products",
            json=payload,
            headers={"Idempotency-Key": self._client.new_idempotency_key()},
        )
        return parse(Product, data)

    async def update(
        self,
        identifier: str,
        *,
        attribute_set: str | NotGiven = NOT_GIVEN,
        status: str | NotGiven = NOT_GIVEN,
        categories: Sequence[str] | NotGiven = NOT_GIVEN,
        values: Values | NotGiven = NOT_GIVEN,
        expected_version: int | None = None,
    ) -> Product:
        """Merge-update a product (`PATCH /products/{identifier}`): only what is named changes.

        With `expected_version`, refused (`PreconditionFailedError`, `current_version`) if
        the product changed since that version.
        """
        data = await self._client.request_json(
            "PATCH",
            path("products", check_identifier(identifier)),
            json=body(
                attribute_set=attribute_set, status=status, categories=categories, values=values
            ),
            headers=if_match(expected_version),
        )
        return parse(Product, data)

    async def bulk(self, operations: Sequence[Mapping[str, Any]]) -> BulkResult:
        """Create/update many products: `{"op": "create"|"update", "identifier": ..., ...}` each.

        Sent 100 per request (`POST /products/bulk`), or one by one where the service has
        no bulk endpoint; one result per operation, in order, either way.
        """
        return await run_bulk(self._client, _TARGET, operations)
