"""`client.channels`: channels with their locales and currencies."""

from __future__ import annotations

from collections.abc import AsyncIterator

from pimelo_mcp.client._models import Channel, Page
from pimelo_mcp.client._validation import check_code, check_limit, path
from pimelo_mcp.client.resources._base import APIResource, paginate, parse


class Channels(APIResource):
    async def list(
        self, *, limit: int | None = None, search_after: str | None = None
    ) -> Page[Channel]:
        """One page of channels (`GET /channels`)."""
        data = await self._client.request_json(
            "GET", "channels", params={"limit": check_limit(limit), "search_after": search_after}
        )
        return parse(Page[Channel], data)

    def iterate(self, *, limit: int | None = None) -> AsyncIterator[Channel]:
        """Every channel, page after page."""
        return paginate(lambda cursor: self.list(limit=limit, search_after=cursor))

    async def retrieve(self, code: str) -> Channel:
        """One channel (`GET /channels/{code}`)."""
        data = await self._client.request_json("GET", path("channels", check_code(code, "channel")))
        return parse(Channel, data)
