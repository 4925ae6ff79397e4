"""`client.locales`: the locales of the catalog."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pimelo_mcp.client._models import Locale, Page
from pimelo_mcp.client._validation import check_limit
from pimelo_mcp.client.resources._base import APIResource, paginate, parse


class Locales(APIResource):
    async def list(
        self,
        *,
        enabled: bool | None = None,
        limit: int | None = None,
        search_after: str | None = None,
    ) -> Page[Locale]:
        """One page of locales (`GET /locales`), only enabled (or disabled) ones if asked."""
        data = await self._client.request_json(
            "GET",
            "locales",
            params={"enabled": enabled, "limit": check_limit(limit), "search_after": search_after},
        )
        return parse(Page[Locale], data)

    def iterate(
        self, *, enabled: bool | None = None, limit: int | None = None
    ) -> AsyncIterator[Locale]:
        """Every locale, page after page."""
        return paginate(lambda cursor: self.list(enabled=enabled, limit=limit, search_after=cursor))
