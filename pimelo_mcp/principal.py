"""Who a request acts as: the Pimelo token it uses, the scopes it may use, the names the journal records.

Over stdio and with static API keys, every request acts as the server itself (its own
`PIMELO_API_TOKEN`). With OAuth, each access token carries the principal of its grant: the
Pimelo token one person pasted, the scopes that person granted, their Pimelo user and the
OAuth client that asked. The authorization side makes principals; the tool side only reads
them, through `get_access_token()` inside a request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from mcp.server.auth.provider import AccessToken
from pydantic import ConfigDict, Field

SERVER_KEY = "server"
"""The key of the principal that uses the server's own token (stdio, static API keys)."""


@dataclass(frozen=True, slots=True)
class Principal:
    """One identity the server acts as; per-principal resources (a client, caches) pool by `key`."""

    key: str
    """A grant's id, or `SERVER_KEY`; never the token itself."""
    pimelo_token: str = field(repr=False)
    scopes: frozenset[str] | None = None
    """The Pimelo scopes this principal may use; None: whatever the token itself has."""
    user: str | None = None
    """The Pimelo user the token belongs to (from `GET /me`), named in the audit journal."""
    client: str | None = None
    """The OAuth client that acts for the user (its name and client_id), named in the journal."""


class PrincipalAccessToken(AccessToken):
    """An access token the OAuth verifier accepted, with the principal of its grant."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    principal: Principal = Field(exclude=True, repr=False)


PrincipalRevoker = Callable[[Principal], Awaitable[None]]
"""Called when Pimelo answers 401 for a principal's token: its grant ends, so the client reconnects."""
