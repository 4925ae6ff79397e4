"""`client.attributes`: attribute definitions (type, localizable, scopable, options, validation)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

from pimelo_mcp.client._models import Attribute, AttributeOption, Page
from pimelo_mcp.client._validation import check_code, check_limit, path
from pimelo_mcp.client.resources._base import (
    NOT_GIVEN,
    APIResource,
    NotGiven,
    body,
    if_match,
    paginate,
    parse,
)

Options = Sequence[AttributeOption | Mapping[str, Any]]


class Attributes(APIResource):
    async def list(
        self,
        *,
        codes: Sequence[str] | None = None,
        type: str | None = None,
        group: str | None = None,
        attribute_set: str | None = None,
        search: str | None = None,
        limit: int | None = None,
        search_after: str | None = None,
    ) -> Page[Attribute]:
        """One page of attributes (`GET /attributes`), filtered by the arguments given."""
        if codes is not None:
            codes = [check_code(code, "codes[]") for code in codes]
        data = await self._client.request_json(
            "GET",
            "attributes",
            params={
                "codes": codes,
                "type": type,
                "group": group,
                "attribute_set": None
                if attribute_set is None
                else check_code(attribute_set, "attribute_set"),
                "search": search,
                "limit": check_limit(limit),
                "search_after": search_after,
            },
        )
        return parse(Page[Attribute], data)

    def iterate(
        self,
        *,
        codes: Sequence[str] | None = None,
        type: str | None = None,
        group: str | None = None,
        attribute_set: str | None = None,
        search: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[Attribute]:
        """Every matching attribute, page after page."""
        return paginate(
            lambda cursor: self.list(
                codes=codes,
                type=type,
                group=group,
                attribute_set=attribute_set,
                search=search,
                limit=limit,
                search_after=cursor,
            )
        )

    async def retrieve(self, code: str) -> Attribute:
        """One attribute (`GET /attributes/{code}`)."""
        data = await self._client.request_json(
            "GET", path("attributes", check_code(code, "attribute"))
        )
        return parse(Attribute, data)

    async def create(
        self,
        *,
        code: str,
        type: str,
        labels: Mapping[str, str] | NotGiven = NOT_GIVEN,
        group: str | NotGiven | None = NOT_GIVEN,
        localizable: bool | NotGiven = NOT_GIVEN,
        scopable: bool | NotGiven = NOT_GIVEN,
        options: Options | NotGiven = NOT_GIVEN,
        validation: Mapping[str, Any] | NotGiven = NOT_GIVEN,
        entity_type: str | NotGiven | None = NOT_GIVEN,
    ) -> Attribute:
        """A new attribute (`POST /attributes`); retried safely with one Idempotency-Key."""
        payload = body(
            code=check_code(code, "code"),
            type=type,
            labels=labels,
            group=group,
            localizable=localizable,
            scopable=scopable,
            options=options,
            validation=validation,
            entity_type=entity_type,
        )
        data = await self._client.request_json(
            "POST",
            "attributes",
            json=payload,
            headers={"Idempotency-Key": self._client.new_idempotency_key()},
        )
        return parse(Attribute, data)

    async def update(
        self,
        code: str,
        *,
        labels: Mapping[str, str] | NotGiven = NOT_GIVEN,
        group: str | NotGiven | None = NOT_GIVEN,
        options: Options | NotGiven = NOT_GIVEN,
        validation: Mapping[str, Any] | NotGiven = NOT_GIVEN,
        expected_version: int | None = None,
    ) -> Attribute:
        """Merge-update an attribute (`PATCH /attributes/{code}`); type and code are immutable.

        With `expected_version`, refused (`PreconditionFailedError`) if it changed since.
        """
        data = await self._client.request_json(
            "PATCH",
            path("attributes", check_code(code, "attribute")),
            json=body(labels=labels, group=group, options=options, validation=validation),
            headers=if_match(expected_version),
        )
        return parse(Attribute, data)
