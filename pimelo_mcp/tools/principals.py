"""Each principal's Pimelo client and definition caches, pooled by `principal.key`.

A hosted server acts for many people: each signed-in user's calls go through a client of
their own (their token, their rate budget) and caches of their own (a definition one token
may read is not shown to another). The pool keeps the most recently used ones open, at
most `max_size` of them, and closes one that has not been used for `idle_seconds`; the
server's own principal (stdio, static API keys) is kept for the life of the server, as
before there were principals.

A client is closed only once no call is using it: a call leases its principal's resources
for its duration, and an entry evicted meanwhile is closed when its last lease ends.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import anyio

from pimelo_mcp.principal import SERVER_KEY, Principal, PrincipalRevoker

if TYPE_CHECKING:
    from pimelo_mcp.client import PimeloClient
    from pimelo_mcp.tools.caches import EntityLookup, SchemaCache

logger = logging.getLogger(__name__)

ClientOpener = Callable[[Principal], "PimeloClient"]


class PrincipalResources:
    """One principal's client and caches, each made at the first call that needs it.

    Claude Desktop starts the stdio server on every launch; an HTTP client (its TLS
    context, its pool, the client's own modules) would be most of what start-up adds to
    the SDK's own, so nothing is made before a call needs it.
    """

    def __init__(self, principal: Principal, open_client: ClientOpener) -> None:
        self.principal = principal
        self._open_client = open_client
        self._client: PimeloClient | None = None
        self._schema: SchemaCache | None = None
        self._entities: EntityLookup | None = None
        self.refused = False  # Pimelo refused the token: the grant is being ended
        self._token_scopes: frozenset[str] | None = None

    @property
    def opened(self) -> bool:
        return self._client is not None

    @property
    def client(self) -> PimeloClient:
        if self._client is None:
            self._client = self._open_client(self.principal)
        return self._client

    @property
    def schema(self) -> SchemaCache:
        if self._schema is None:
            from pimelo_mcp.tools.caches import SchemaCache

            self._schema = SchemaCache(self.client)
        return self._schema

    @property
    def entities(self) -> EntityLookup:
        if self._entities is None:
            from pimelo_mcp.tools.caches import EntityLookup

            self._entities = EntityLookup(self.client)
        return self._entities

    async def token_scopes(self) -> frozenset[str]:
        """The scopes the token itself has (`GET /me`, once while these resources live).

        Raises what the client raises (AuthenticationError for a token Pimelo refuses).
        """
        if self._token_scopes is None:
            me = await self.client.me.retrieve()
            self._token_scopes = frozenset(me.token.scopes)
        return self._token_scopes

    async def aclose(self) -> None:
        """Close the client if a call opened it; the caches go with it."""
        client, self._client = self._client, None
        self._schema = self._entities = None
        if client is not None:
            await client.aclose()


@dataclass(eq=False)
class _Entry:
    resources: PrincipalResources
    last_used: float
    leases: int = 0
    retired: bool = False  # out of the pool: closed when its last lease ends


class PrincipalPool:
    """Per-principal resources: at most `max_size` kept, least recently used evicted first."""

    def __init__(
        self,
        open_client: ClientOpener,
        *,
        server: Principal | None,
        max_size: int,
        idle_seconds: float,
        revoke: PrincipalRevoker | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_size < 1 or not idle_seconds > 0:
            raise ValueError("a pool needs max_size >= 1 and idle_seconds > 0")
        self._open_client = open_client
        self._server = None if server is None else PrincipalResources(server, open_client)
        self.max_size = max_size
        self.idle_seconds = idle_seconds
        self._revoke = revoke
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()  # least recently used first

    @property
    def server(self) -> PrincipalResources | None:
        """The server's own principal, or None when the server has no Pimelo token."""
        return self._server

    def keys(self) -> list[str]:
        """The pooled principals' keys, least recently used first (the server's is not pooled)."""
        return list(self._entries)

    @asynccontextmanager
    async def lease(self, principal: Principal) -> AsyncGenerator[PrincipalResources]:
        """The principal's resources for one call; they stay open until the call ends."""
        if principal.key == SERVER_KEY:
            # The key is reserved: a grant that claimed it must never reach the server's token.
            server = self._server
            if server is None or principal.pimelo_token != server.principal.pimelo_token:
                raise ValueError(f"the principal key {SERVER_KEY!r} is the server's own")
            yield server
            return
        entry, replaced = self._checkout(principal)
        try:
            await self._close_retired_now([*replaced, *self._evict_beyond_bound()])
            yield entry.resources
        finally:
            entry.leases -= 1
            entry.last_used = self._clock()
            if entry.retired and entry.leases == 0:
                with anyio.CancelScope(shield=True):
                    await entry.resources.aclose()

    def _checkout(self, principal: Principal) -> tuple[_Entry, list[_Entry]]:
        """The principal's entry, leased; and the entry it replaces, if any, to close."""
        # No await between looking up and inserting: two concurrent first calls of one
        # principal share one entry instead of opening two clients.
        replaced: list[_Entry] = []
        entry = self._entries.get(principal.key)
        if entry is not None and entry.resources.principal.pimelo_token != principal.pimelo_token:
            # The same key with another token (the grant's token was replaced): start afresh.
            replaced.append(entry)
            self._retire(principal.key)
            entry = None
        if entry is None:
            entry = _Entry(PrincipalResources(principal, self._open_client), self._clock())
            self._entries[principal.key] = entry
        else:
            # Same grant: its scopes or names may have changed; the client and caches stay.
            entry.resources.principal = principal
        self._entries.move_to_end(principal.key)
        entry.leases += 1
        return entry, replaced

    def _retire(self, key: str) -> _Entry | None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            entry.retired = True
        return entry

    def _evict_beyond_bound(self) -> list[_Entry]:
        evicted: list[_Entry] = []
        while len(self._entries) > self.max_size:
            key = next(iter(self._entries))
            entry = self._retire(key)
            assert entry is not None
            logger.debug("client pool full (%d): closing the least recently used", self.max_size)
            evicted.append(entry)
        return evicted

    async def _close_retired_now(self, entries: list[_Entry]) -> None:
        """Close the retired entries no call is using; the others close at their last lease."""
        for entry in entries:
            if entry.leases == 0:
                with anyio.CancelScope(shield=True):
                    await entry.resources.aclose()

    async def refused(self, resources: PrincipalResources) -> None:
        """Pimelo refused these resources' token: forget their client and end the grant, once.

        Concurrent calls that all meet the refusal revoke the grant once; a grant whose
        token was replaced meanwhile (a new client under the same key) is left alone.
        """
        principal = resources.principal
        if principal.key == SERVER_KEY or resources.refused:
            return  # the server's own token is its operator's to replace; or already done
        resources.refused = True
        entry = self._entries.get(principal.key)
        if entry is not None and entry.resources is not resources:
            return  # the key holds a newer token now: that grant is not the one refused
        if entry is not None:
            self._retire(principal.key)
            await self._close_retired_now([entry])  # a call using it closes it when it ends
        if self._revoke is not None:
            try:
                await self._revoke(principal)
            except Exception:  # the call's answer (sign in again) stands; the failure is logged
                logger.exception(
                    "could not revoke the grant %s after Pimelo refused it", principal.key
                )

    async def close_idle(self) -> list[str]:
        """Close every pooled client unused for `idle_seconds`; the keys closed."""
        now = self._clock()
        idle = [
            key
            for key, entry in self._entries.items()
            if entry.leases == 0 and now - entry.last_used >= self.idle_seconds
        ]
        await self._close_retired_now([entry for key in idle if (entry := self._retire(key))])
        return idle

    async def close_idle_forever(self) -> None:
        """Run `close_idle` every quarter of `idle_seconds` (an idle client closes within 1.25 times it)."""
        while True:
            await anyio.sleep(self.idle_seconds / 4)
            await self.close_idle()

    async def aclose(self) -> None:
        """Close every client (at shutdown, when no call is running any more)."""
        entries = [entry for key in list(self._entries) if (entry := self._retire(key))]
        with anyio.CancelScope(shield=True):
            for entry in entries:
                await entry.resources.aclose()
            if self._server is not None:
                await self._server.aclose()
