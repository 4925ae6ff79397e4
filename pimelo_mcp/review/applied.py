"""Which reviews were applied: a handle applies once, on every worker and replica.

With a shared store (OAuth, several workers or replicas) the claim is the store's atomic
counter, so two replicas given the same handle at once agree on which one applies it; a
single process without one keeps the ids in memory. Either way an id is kept until its
handle expires: after that the handle itself is refused. The version guards of each
operation hold even without this: a second send of an update is refused as stale.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from pimelo_mcp.oauth.store import OAuthStore

OUTCOME_PREFIX = "outcome:"


class AppliedReviews(Protocol):
    async def claim(self, review_id: str, *, until: float) -> bool:
        """True for the one call that claims `review_id` first; False for every later one."""
        ...

    async def remember(self, review_id: str, outcomes: str, *, until: float) -> None:
        """Keep what applying it did (JSON), for a second apply to say."""
        ...

    async def recall(self, review_id: str) -> str | None:
        """What applying it did, when the first apply finished and said so."""
        ...

    async def release(self, review_id: str) -> None:
        """Undo a claim whose apply Pimelo refused as a whole (nothing written): it may retry."""
        ...


class MemoryAppliedReviews:
    """One process's applied reviews (no shared store): forgotten when their handles expire."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._claimed: dict[str, float] = {}
        self._outcomes: dict[str, str] = {}

    def _forget_expired(self) -> None:
        now = self._clock()
        for review_id in [key for key, until in self._claimed.items() if until <= now]:
            del self._claimed[review_id]
            self._outcomes.pop(review_id, None)

    async def claim(self, review_id: str, *, until: float) -> bool:
        # No await between the check and the mark: one event loop claims atomically.
        self._forget_expired()
        if review_id in self._claimed:
            return False
        self._claimed[review_id] = until
        return True

    async def remember(self, review_id: str, outcomes: str, *, until: float) -> None:
        if review_id in self._claimed:
            self._outcomes[review_id] = outcomes

    async def recall(self, review_id: str) -> str | None:
        return self._outcomes.get(review_id)

    async def release(self, review_id: str) -> None:
        self._claimed.pop(review_id, None)
        self._outcomes.pop(review_id, None)

    def __len__(self) -> int:
        return len(self._claimed)


class StoreAppliedReviews:
    """Applied reviews in the shared store (SQLite or Redis), agreed on by every replica."""

    def __init__(self, store: OAuthStore, clock: Callable[[], float] = time.time) -> None:
        self._store = store
        self._clock = clock

    async def claim(self, review_id: str, *, until: float) -> bool:
        now = self._clock()
        count = await self._store.increment(
            "review", review_id, now=now, window=max(until - now, 1.0)
        )
        return count == 1

    async def remember(self, review_id: str, outcomes: str, *, until: float) -> None:
        await self._store.put("review", OUTCOME_PREFIX + review_id, outcomes, expires_at=until)

    async def recall(self, review_id: str) -> str | None:
        record = await self._store.get("review", OUTCOME_PREFIX + review_id, now=self._clock())
        return None if record is None else record.value

    async def release(self, review_id: str) -> None:
        await self._store.delete("review", review_id)
