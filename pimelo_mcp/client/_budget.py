"""One rate budget per token shared by every process that uses it, through a store.

The service counts a token's requests in fixed windows: a window opens at the first request
after the last one closed and admits L requests in W seconds. Pacing from headers alone
lets a process learn of the others only once they have spent, so three replicas serving
one user race each other into 429s. With a shared store, each request first takes a place
in the token's window as the store keeps it (`take`, one atomic operation):

- no open window: one opens now, for W + margin seconds, and this request is its first;
- an open window with places left: this request takes one, and up to 1% of L more (at most
  50) that its process spends on its next requests while the window surely stays open (W
  after it opened); what is not spent then is lost, never a request too many;
- a full window: wait for its end, then try again (no place is promised ahead of time, so
  a caller that gives up costs nobody anything).

The store's window opens when its first request leaves and the service's when that request
arrives, a little later. Until one of the window's requests is answered, the store keeps it
open for W plus a margin (0.05 s + 1% of W) that covers that delay. The first answer settles
it (`settle`): the service's window began before that answer, so it ends at most W after it
(plus a slack for clocks that tick at slightly different rates), and the store's window ends
there, whether that is sooner than the margin guessed or later. The gap between windows is
then what the window's first answer took, measured, not a margin guessed for the worst trip
(which a busy machine exceeds: a 60 ms trip was seen at 50 requests a second). Later answers
can only bring the end closer (each is a bound). Only answers the service counted settle
(they carry its rate-limit headers and are no 429); a hold is never shortened. Whole windows are used as soon as
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
from typing import NamedTuple, Protocol

MARGIN_SECONDS = 0.05
MARGIN_SHARE = 0.01
# A settled window ends W after an answer, plus this: the store's clock and the service's
# may tick at slightly different rates (500 ppm is far beyond a disciplined clock's).
SETTLE_SLACK_SECONDS = 0.002
CLOCK_RATE_SHARE = 0.0005


# Places taken at once: a process takes a few (1% of the limit, at most 50) and spends them
# itself, so that a high limit does not cost a store round trip per request. Unspent ones are
# lost when their window ends: at most 1% of each window per process, never a request too many.
LEASE_SHARE = 0.01
MAX_LEASE = 50


def lease_size(limit: int) -> int:
    return max(1, min(MAX_LEASE, int(limit * LEASE_SHARE)))


class Turn(NamedTuple):
    """The store's answer to `take`."""

    taken: int
    """Places taken (0: the window is full)."""
    wait: float
    """Seconds until the window ends (when full: when to try again)."""
    window: str
    """Which window (an opaque stamp): an answer to a request that took its place here
    settles this window, and no later one."""
    sure: float
    """Seconds during which the window surely stays open, whatever settles it later (its
    opening plus W): places taken ahead are spent within this time or not at all."""


class StoreUnavailable(Exception):
    """The shared store cannot be reached right now (e.g. Redis is down); the message says so."""


class SharedBudget(Protocol):
    async def take(
        self, budget: str, *, limit: int, window_seconds: float, places: int = 1, length: float = 0
    ) -> Turn:
        """Take up to `places` places in `budget`'s current window (as many as are left).

        `window_seconds` includes the margin; `length` is W alone (for `Turn.sure`). When the
        window is full nothing is taken, and the wait says when to try again.
        Raises the store's `StoreUnavailable` when it cannot be reached.
        """
        ...

    async def settle(
        self, budget: str, *, window: str, answered_ago: float, window_seconds: float
    ) -> None:
        """A request that took its place in `window` was answered `answered_ago` seconds ago:
        the window ends `window_seconds` (W plus the slack) after that answer. The first
        settle sets the end, later or sooner than the margin's; later ones only bring it
        closer. Nothing happens once another window has opened, or after a `hold`."""
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


def settled_length(window_seconds: float) -> float:
    """How long after an answer of its window the store keeps a window open."""
    return window_seconds + SETTLE_SLACK_SECONDS + window_seconds * CLOCK_RATE_SHARE


def window_with_margin(window_seconds: float) -> float:
    """How long the store keeps a window open: W plus the margin for the first request's trip."""
    return window_seconds + MARGIN_SECONDS + window_seconds * MARGIN_SHARE
