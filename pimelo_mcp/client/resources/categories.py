"""`client.categories`: the category tree."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pimelo_mcp.client._models import Category, Page
from pimelo_mcp.client._validation import check_code, check_limit
from pimelo_mcp.client.resources._base import APIResource, paginate, parse


class Categories(APIResource):
    async def list(
        self,
        *,
        parent: str | None = None,
        limit: int | None = None,
        search_after: str | None = None,
    ) -> Page[Category]:
        """One page of categories (`GET /categories`), the children of `parent` if given."""
        data = await self._client.request_json(
            "GET",
            "categories",
            params={
                "parent": None if parent is None else check_code(parent, "parent"),
                "limit": check_limit(limit),
                "search_after": search_after,
            },
        )
        return parse(Page[Category], data)

    def iterate(
        self, *, parent: str | None = None, limit: int | None = None
    ) -> AsyncIterator[Category]:
        """Every category, page after page."""
        return paginate(lambda cursor: self.list(parent=parent, limit=limit, search_after=cursor))
