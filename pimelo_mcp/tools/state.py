"""What every tool call shares for the life of the server: settings, journal, client and caches."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import TYPE_CHECKING

from pimelo_mcp.audit import AuditJournal
from pimelo_mcp.config import Settings

if TYPE_CHECKING:
    from pimelo_mcp.client import PimeloClient
    from pimelo_mcp.tools.caches import EntityLookup, SchemaCache

# The tool call being served (set by the server for each call). A refresh is done at most once
# per call and kind, so a batch of 100 items naming the same unknown attribute reloads once.
current_call: ContextVar[object | None] = ContextVar("pimelo_current_call", default=None)


class ToolState:
    """The lifespan state of the MCP server.

    The Pimelo client, and the caches that read through it, are made at the first call that
    needs them rather than at start-up: Claude Desktop starts the server on every launch,
    and an HTTP client (its TLS context, its pool, the client's own modules) would be most
    of what start-up adds to the SDK's own.
    """

    def __init__(
        self, settings: Settings, audit: AuditJournal, open_client: Callable[[], PimeloClient]
    ) -> None:
        self.settings = settings
        self.audit = audit
        self._open_client = open_client
        self._client: PimeloClient | None = None
        self._schema: SchemaCache | None = None
        self._entities: EntityLookup | None = None

    @property
    def client(self) -> PimeloClient:
        if self._client is None:
            self._client = self._open_client()
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

    async def aclose(self) -> None:
        """Close the client if a call opened it."""
        if self._client is not None:
            await self._client.aclose()
