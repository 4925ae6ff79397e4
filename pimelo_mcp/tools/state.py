"""What every tool call shares: settings and journal for the server, client and caches per principal."""

from __future__ import annotations

from contextvars import ContextVar
from typing import TYPE_CHECKING

from pimelo_mcp.audit import AuditJournal
from pimelo_mcp.config import Settings

if TYPE_CHECKING:
    from pimelo_mcp.client import PimeloClient
    from pimelo_mcp.review.desk import ReviewDesk
    from pimelo_mcp.tools.caches import EntityLookup, SchemaCache
    from pimelo_mcp.tools.principals import PrincipalPool, PrincipalResources

# The tool call being served (set by the server for each call). A refresh is done at most once
# per call and kind, so a batch of 100 items naming the same unknown attribute reloads once.
current_call: ContextVar[object | None] = ContextVar("pimelo_current_call", default=None)

# The resources of the principal the call being served acts as (set by the server per call).
current_resources: ContextVar[PrincipalResources | None] = ContextVar(
    "pimelo_current_resources", default=None
)


class NoPrincipalError(RuntimeError):
    """A call that acts as nobody: no signed-in user, and the server has no token of its own."""


class ToolState:
    """The lifespan state of the MCP server, as each tool call sees it.

    `client`, `schema` and `entities` are those of the principal the current call acts as
    (its user's, or the server's own), so a tool never chooses whose token it uses.
    """

    def __init__(
        self,
        settings: Settings,
        audit: AuditJournal,
        pool: PrincipalPool,
        review: ReviewDesk | None = None,
    ) -> None:
        self.settings = settings
        self._audit = audit
        self.pool = pool
        self._review = review

    @property
    def review(self) -> ReviewDesk:
        """How review handles are signed and which were applied (a process-local desk unless
        the server was given a shared key and store)."""
        if self._review is None:
            from pimelo_mcp.server import review_desk

            self._review = review_desk(self.settings, None, None)
        return self._review

    def resources(self) -> PrincipalResources:
        """The current call's principal's resources; the server's own outside a call."""
        resources = current_resources.get() or self.pool.server
        if resources is None:
            raise NoPrincipalError("no principal for this call and no server token")
        return resources

    @property
    def client(self) -> PimeloClient:
        return self.resources().client

    @property
    def schema(self) -> SchemaCache:
        return self.resources().schema

    @property
    def entities(self) -> EntityLookup:
        return self.resources().entities

    @property
    def audit(self) -> AuditJournal:
        """The journal, naming the current call's Pimelo user and OAuth client on each line."""
        principal = self.resources().principal
        return self._audit.acting_as(user=principal.user, client=principal.client)

    async def aclose(self) -> None:
        """Close every client a call opened."""
        await self.pool.aclose()
