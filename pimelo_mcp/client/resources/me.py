"""`client.me`: who the token is (`GET /me`)."""

from __future__ import annotations

from pimelo_mcp.client._models import Me
from pimelo_mcp.client.resources._base import APIResource, parse


class MeResource(APIResource):
    async def retrieve(self) -> Me:
        """The token's scopes, user, organization and rate limit (also tunes the pacing window)."""
        me = parse(Me, await self._client.request_json("GET", "me"))
        if me.rate_limit is not None:
            self._client.rate_limiter.set_window_seconds(float(me.rate_limit.window_seconds))
        return me
