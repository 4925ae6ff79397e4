"""`client.attribute_sets`: which attributes a product has, and which each channel requires."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence

from pimelo_mcp.client._models import AttributeSet, Page
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


class AttributeSets(APIResource):
    async def list(
        self, *, limit: int | None = None, search_after: str | None = None
    ) -> Page[AttributeSet]:
        """One page of attribute sets (`GET /attribute-sets`)."""
        data = await self._client.request_json(
            "GET",
            "attribute-sets",
            params={"limit": check_limit(limit), "search_after": search_after},
        )
        return parse(Page[AttributeSet], data)

    def iterate(self, *, limit: int | None = None) -> AsyncIterator[AttributeSet]:
        """Every attribute set, page after page."""
        return paginate(lambda cursor: self.list(limit=limit, search_after=cursor))

    async def retrieve(self, code: str) -> AttributeSet:
        """One attribute set (`GET /attribute-sets/{code}`)."""
        data = await self._client.request_json(
            "GET", path("attribute-sets", check_code(code, "attribute_set"))
        )
        return parse(AttributeSet, data)

    async def create(
        self,
        *,
        code: str,
        labels: Mapping[str, str] | NotGiven = NOT_GIVEN,
        attributes: Sequence[str] | NotGiven = NOT_GIVEN,
        requirements: Mapping[str, Sequence[str]] | NotGiven = NOT_GIVEN,
        label_attribute: str | NotGiven | None = NOT_GIVEN,
        image_attribute: str | NotGiven | None = NOT_GIVEN,
    ) -> AttributeSet:
        """A new attribute set (`POST /attribute-sets`); retried safely with one Idempotency-Key."""
        payload = body(
            code=check_code(code, "code"),
            labels=labels,
            attributes=attributes,
            requirements=requirements,
            label_attribute=label_attribute,
            image_attribute=image_attribute,
        )
        data = await self._client.request_json(
            "POST",
            "attribute-sets",
            json=payload,
            headers={"Idempotency-Key": self._client.new_idempotency_key()},
        )
        return parse(AttributeSet, data)

    async def update(
        self,
        code: str,
        *,
        labels: Mapping[str, str] | NotGiven = NOT_GIVEN,
        attributes: Sequence[str] | NotGiven = NOT_GIVEN,
        requirements: Mapping[str, Sequence[str]] | NotGiven = NOT_GIVEN,
        label_attribute: str | NotGiven | None = NOT_GIVEN,
        image_attribute: str | NotGiven | None = NOT_GIVEN,
        expected_version: int | None = None,
    ) -> AttributeSet:
        """Merge-update an attribute set (`PATCH /attribute-sets/{code}`)."""
        data = await self._client.request_json(
            "PATCH",
            path("attribute-sets", check_code(code, "attribute_set")),
            json=body(
                labels=labels,
                attributes=attributes,
                requirements=requirements,
                label_attribute=label_attribute,
                image_attribute=image_attribute,
            ),
            headers=if_match(expected_version),
        )
        return parse(AttributeSet, data)
