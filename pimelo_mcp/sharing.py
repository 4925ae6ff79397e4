"""What every worker and replica of one HTTP server shares, opened once at start.

- the store (SQLite on one machine, Redis for several): OAuth records and the rate budget
  of each Pimelo token (`pimelo_mcp.client._budget`), checked by /readyz;
- the keys derived from the server secret: sealed Pimelo tokens, bearer-secret digests and
  the MCP SDK's request-state key, so that any replica can answer any request.

A single process with static API keys needs none of it: its store is opened only for
OAuth, when `--store` / PIMELO_MCP_STORE names one, or for several workers.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from pimelo_mcp.client._ratelimit import use_shared_budget
from pimelo_mcp.config import HttpSettings, OAuthSettings
from pimelo_mcp.oauth.assembly import load_keys, open_store
from pimelo_mcp.oauth.crypto import Keys
from pimelo_mcp.oauth.store import ServerStore, SqliteStore

logger = logging.getLogger(__name__)


@dataclass
class SharedState:
    store: ServerStore
    keys: Keys
    name: str
    """The store as a person reads it (no password)."""

    def request_state_keys(self) -> list[bytes]:
        return [self.keys.request_state_key]

    def describe(self) -> str:
        return f"shared store: {self.name} (OAuth records and one rate budget per Pimelo token)"


def needs_shared_state(settings: OAuthSettings, http: HttpSettings, *, oauth: bool) -> bool:
    return oauth or settings.store_given or http.workers > 1


@asynccontextmanager
async def open_shared_state(
    settings: OAuthSettings, http: HttpSettings, *, oauth: bool, in_memory: bool = False
) -> AsyncGenerator[SharedState | None]:
    """The shared store and keys (None when this process needs none); the store closes after.

    `in_memory` (the embedded sandbox, whose catalog and tokens live in memory): the store
    and the secret are made for the run, and nothing outlives the tokens they came from."""
    if not needs_shared_state(settings, http, oauth=oauth):
        yield None
        return
    if in_memory:
        store: ServerStore = SqliteStore(None)
        shared = SharedState(store, Keys(secrets.token_urlsafe(32)), "in memory")
    else:
        store = open_store(settings)  # first: it makes the folder the key file goes in
        try:
            keys = load_keys(settings)
        except BaseException:
            await store.aclose()
            raise
        shared = SharedState(store, keys, settings.store_name())
        reason = await store.ping()
        if reason is not None:  # not fatal: /readyz says so until it answers
            logger.warning("the store does not answer yet: %s", reason)
    use_shared_budget(store)
    try:
        yield shared
    finally:
        use_shared_budget(None)
        await store.aclose()
