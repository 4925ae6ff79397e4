"""One rate budget per token shared by every process that uses it, through a store.

The service counts a token's requests in fixed windows: a window opens at the first request
after the last one closed and admits L requests in W seconds. Pacing from headers alone
lets a process learn of the others only once they have spent, so three replicas serving
one user race each other into 429s. With a shared store, each request first takes a place
in the token's window as the store keeps it (`take`, one atomic operation):

- no open window: one opens now, for W + margin seconds, and this request is its first;
- an open window with places left: this request takes one;
- a full window: wait for its end, then try again (no place is promised ahead of time, so
  a caller that gives up costs nobody anything).

The store's window opens when its first request leaves and the service's when that request
arrives, a little later; the margin (0.05 s + 1% of W) covers that delay, so every request of
the next store window lands in the next service window. Whole windows are used as soon as
they open, which is what the limit allows at best: N requests need ceil(N / L) - 1 whole
windows, plus the time to send the last ones.

The store answers `take` with a Lua script in Redis on Redis's clock, or a transaction in
SQLite on the machine's clock. The service's answers still correct it: a 429 closes the
window for everyone until its Retry-After (`hold`), and the answer to a request that went
without a place (the first, before the limit is known; any while the store was down) tells
the store how much of the service's window is spent and when it ends (`correct`). A store that cannot be reached costs no
request: the process falls back to pacing from the headers alone.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

MARGIN_SECONDS = 0.05
MARGIN_SHARE = 0.01


class StoreUnavailable(Exception):
    """The shared store cannot be reached right now (e.g. Redis is down); the message says so."""


class SharedBudget(Protocol):
    async def take(self, budget: str, *, limit: int, window_seconds: float) -> tuple[bool, float]:
        """Take a place in `budget`'s current window: (taken, seconds until the window ends).

        `window_seconds` includes the margin. When the window is full nothing is taken, and
        the wait says when to try again.
        Raises the store's `StoreUnavailable` when it cannot be reached.
        """
        ...

    async def hold(self, budget: str, *, limit: int, seconds: float) -> None:
        """The service refused a request: nobody starts one for `seconds`."""
        ...

    async def correct(self, budget: str, *, spent: int, unplaced: int, seconds: float) -> None:
        """`unplaced` requests went without a place; the service then said `spent` of its
        window were gone and that it ends in `seconds`. With no window open, open one with
        that end and count; else add the requests it does not know of."""
        ...


def budget_name(token_fingerprint: str, base_url: str) -> str:
    """The store key of a token's budget on a service: one-way, holds no secret."""
    return hashlib.sha256(f"{token_fingerprint}\x00{base_url}".encode()).hexdigest()


def window_with_margin(window_seconds: float) -> float:
    """How long the store keeps a window open: W plus the margin for the first request's trip."""
    return window_seconds + MARGIN_SECONDS + window_seconds * MARGIN_SHARE
