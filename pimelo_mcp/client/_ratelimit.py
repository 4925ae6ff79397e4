"""Pacing: one request budget per token and service, shared by every client in the process.

The service's rate-limit headers are the source of truth. After each answer the limiter
knows `remaining` (the smallest X-RateLimit-Remaining seen in the current window) and when
the window ends (X-RateLimit-Reset, else Retry-After on a 429, else a window length counted
from the first answer of the window, which can only err on the late side).

- Before the first answer, one request probes while the others wait.
- A request may start only while `remaining - in_flight > 0`, so that 50 tasks that all saw
  "remaining=10" send 10 and wait for the window's end instead of collecting 40 429s; and
  only while at most half of `remaining` is in flight.
- When the window ends, `remaining` goes back to the known limit.
- A 429 holds every request back until its Retry-After (capped).
- A service that sends no rate-limit headers is not paced (429s are still honoured).

Several processes (or replicas) with the same token see each other in Remaining. Once it
falls faster than this process's own requests explain, the limiter turns "shared": each
window starts with a probe and requests are spaced evenly over the time left (time left /
requests left), so each process slows down as the budget shrinks and together they spend
the window without racing each other into 429s. Alone, a process bursts through its window.
Sharing is judged window by window: a window that passes with no sign of anyone else ends it.

With a shared store (`use_shared_budget`, see `_budget`), the processes do not guess: each
request takes its place in the token's window as the store keeps it, and this limiter only
keeps what the answers say (a 429 holds everyone back, through the store too). When the
store cannot be reached, the limiter paces from the headers as above until it answers.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Mapping

import anyio
import anyio.lowlevel

from pimelo_mcp.client import _constants as c
from pimelo_mcp.client._budget import (
    SharedBudget,
    StoreUnavailable,
    budget_name,
    lease_size,
    settled_length,
    window_with_margin,
)
from pimelo_mcp.client._clock import Clock
from pimelo_mcp.client._retry import cap_server_delay, parse_count, parse_retry_after, parse_seconds

logger = logging.getLogger(__name__)

STORE_RETRY_SECONDS = 5.0  # while the shared store is down, how often to try it again
SETTLE_WAIT_SECONDS = 1.0  # the longest a call waits to tell the store what its answer taught

# The store every limiter of this process takes its places from (None: headers only).
_shared_budget: SharedBudget | None = None


def use_shared_budget(budget: SharedBudget | None) -> None:
    """Pace every token of this process through `budget` from now on (None: stop)."""
    global _shared_budget
    _shared_budget = budget


class BudgetWaitTooLong(Exception):
    """Waiting for the budget would pass the call's deadline; `wait` is how long it would take."""

    def __init__(self, wait: float) -> None:
        super().__init__(wait)
        self.wait = wait


class RateLimiter:
    """The request budget of one token on one service (see the module docstring)."""

    def __init__(
        self,
        clock: Clock,
        *,
        window_seconds: float = c.DEFAULT_WINDOW_SECONDS,
        budget_key: str | None = None,
    ) -> None:
        self._clock = clock
        self.budget_key = budget_key  # this token's budget in the shared store, if any
        # The shared store failed: pacing from the headers alone until this time, then try it.
        self._store_retry_at: float | None = None
        self._hold_for: float | None = None  # a 429's wait, to tell the shared store
        self._unplaced = 0  # requests in flight that took no place in the shared store
        # (spent, requests without a place, monotonic end of the service's window) for the store
        self._correction: tuple[int, int, float] | None = None
        # The shared window this process last settled, and (window, monotonic time of the
        # answer) when the first answer of a newer one is still to be told to the store.
        self._settled_window: str | None = None
        self._settle: tuple[str, float] | None = None
        # Places taken ahead from the store: (their window, how many, monotonic time until
        # which that window surely stays open); spent before the store is asked again.
        self._leased: tuple[str, int, float] | None = None
        self.window_seconds = window_seconds
        self.limit: int | None = None
        self.remaining: int | None = None
        self.window_end: float | None = None  # monotonic; None: not told by the service
        self.window_start: float | None = None  # monotonic time of the window's first answer
        self.ended_at: float | None = None  # end of the last window that rolled over
        self.blocked_until = 0.0  # a 429's Retry-After: nobody sends before this
        # The end of the pause the service asked for, uncapped: the hold above is capped (a
        # client waits at most so long itself), but what a refusal tells must be the truth.
        self.asked_until = 0.0
        self.in_flight = 0
        self.last_start: float | None = None  # monotonic time the last request started
        # Set once Remaining fell faster than this process's own requests explain: another
        # process (or replica) spends the same token, so the end of each window is spread.
        self.shared = False
        self._others_this_window = False  # did someone else spend in the current window?
        self.paced: bool | None = None  # None: no answer yet; False: the service sends no headers
        # Made on first wait: an anyio.Event can only be created inside an event loop, and
        # belongs to that loop (a limiter may outlive one `asyncio.run`).
        self._changed: anyio.Event | None = None
        self._changed_loop: object = None

    def __repr__(self) -> str:
        return (
            f"RateLimiter(limit={self.limit}, remaining={self.remaining}, "
            f"in_flight={self.in_flight}, paced={self.paced}, shared={self.shared})"
        )

    # -- state -------------------------------------------------------------------------

    def _effective_end(self) -> float | None:
        if self.window_end is not None:
            return self.window_end
        if self.window_start is not None:
            return self.window_start + self.window_seconds
        return None

    def _roll_over(self, now: float) -> None:
        end = self._effective_end()
        if end is not None and now >= end and self.remaining is not None:
            self._judge_ended_window()
            # A new window: the whole limit, unless others share it (then probe first).
            self.remaining = None if self.shared else self.limit
            self.ended_at = end
            self.window_end = None
            self.window_start = None

    def _others_spent(self) -> None:
        self.shared = True
        self._others_this_window = True

    def _judge_ended_window(self) -> None:
        # Sharing is judged window by window: once a whole window passed with no sign of
        # anyone else, the budget is this process's again. A run that spent from the
        # window this process started in (a restart) slows it for a window or two, not
        # for its whole life.
        self.shared = self._others_this_window
        self._others_this_window = False

    def _budget(self) -> SharedBudget | None:
        """The shared store, once the limit is known and while the store answers."""
        if _shared_budget is None or self.budget_key is None:
            return None
        if self._store_retry_at is not None and self._clock.monotonic() < self._store_retry_at:
            return None
        return _shared_budget if self.paced and self.limit is not None else None

    def _next_start(self, now: float) -> tuple[bool, float | None]:
        """(may a request start now, when to look again if not; None: when something changes)."""
        if now < self.blocked_until:
            return False, self.blocked_until
        self._roll_over(now)
        if self.paced is False or self._budget() is not None:
            return True, None
        if self.remaining is None:
            return self.in_flight == 0, None
        free = self.remaining - self.in_flight
        end = self._effective_end()
        if free > 0:
            allowed_in_flight = max(1, math.ceil(self.remaining * c.IN_FLIGHT_SHARE_OF_REMAINING))
            if self.in_flight >= allowed_in_flight:
                return False, None  # an answer in flight will free a place
            if self.shared and end is not None and self.last_start is not None:
                # Shared budget: space the rest evenly over the time left in the window.
                next_at = self.last_start + max(0.0, end - self.last_start) / free
                if now < next_at:
                    return False, next_at
            return True, None
        if end is None:  # exhausted with no idea of the window: assume it began now
            self.window_start = now
            end = now + self.window_seconds
        # In-flight requests may still free nothing; the window's end always does.
        return False, end

    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    # -- the two calls around every request ---------------------------------------------

    async def acquire(self, deadline: float | None) -> str | None:
        """Wait until a request may start, and count it in flight.

        Returns the shared window the request took its place in (None: it took none), for
        `release`. Raises `BudgetWaitTooLong` at once when the wait would pass `deadline`.
        """
        while True:
            now = self._clock.monotonic()
            ok, wake = self._next_start(now)
            if ok:
                self.in_flight += 1
                self.last_start = now
                try:
                    window = await self._take_shared_place(deadline)
                    if window is None:
                        self._unplaced += _shared_budget is not None and self.budget_key is not None
                except BaseException:
                    self.in_flight -= 1
                    self._notify()
                    raise
                return window
            if deadline is not None:
                if wake is not None and wake > deadline:
                    raise BudgetWaitTooLong(self._true_wait(wake, now))
                if now >= deadline:
                    raise BudgetWaitTooLong(0.0)
                wake = deadline if wake is None else wake
            await self._wait(wake)

    def _true_wait(self, wake: float, now: float) -> float:
        """How long until a request may really start: past a capped hold, the service's own end."""
        if wake <= self.blocked_until and self.asked_until > wake:
            return self.asked_until - now
        return wake - now

    async def _take_shared_place(self, deadline: float | None) -> str | None:
        """Wait for a place in the token's window as the shared store keeps it: its window.

        None when the request goes without one (no store, limit unknown, store down)."""
        while (budget := self._budget()) is not None:
            assert self.budget_key is not None
            assert self.limit is not None
            if (window := self._spend_leased()) is not None:
                return window
            asked = self._clock.monotonic()
            try:
                await self._tell(budget)
                taken, wait, window, sure = await budget.take(
                    self.budget_key,
                    limit=self.limit,
                    window_seconds=window_with_margin(self.window_seconds),
                    places=lease_size(self.limit),
                    length=self.window_seconds,
                )
            except StoreUnavailable as error:
                self._store_down(error)
                return None
            if self._store_retry_at is not None:
                logger.warning("pacing through the shared store again")
                self._store_retry_at = None
            if taken:
                if taken > 1:  # counted from when it was asked: the store's now is later
                    self._lease(window, taken - 1, asked + sure)
                return window
            now = self._clock.monotonic()
            if deadline is not None and now + wait > deadline:
                raise BudgetWaitTooLong(wait)
            await self._clock.sleep(wait)
        return None

    def _lease(self, window: str, places: int, until: float) -> None:
        if self._leased is not None and self._leased[0] == window:
            places += self._leased[1]
            until = min(until, self._leased[2])
        self._leased = (window, places, until)  # an older window's places are past spending

    def _spend_leased(self) -> str | None:
        """One of the places taken ahead, while its window surely stays open; else None."""
        if self._leased is None:
            return None
        window, places, until = self._leased
        if self._clock.monotonic() >= until or places <= 0:
            self._leased = None
            return None
        self._leased = (window, places - 1, until) if places > 1 else None
        return window

    def _store_down(self, error: StoreUnavailable) -> None:
        if self._store_retry_at is None:
            logger.warning("pacing from the rate-limit headers alone: %s", error)
        self._store_retry_at = self._clock.monotonic() + STORE_RETRY_SECONDS

    async def report(self) -> None:
        """Tell the store at once what the last answer taught: a 429's hold, what requests
        made without a place spent, when a window's first answer came (see `_budget`).

        Called after `release`, so that the others know before this process's next request
        (a start-up's GET /me is counted before anyone fills the window it opened). Never
        a long wait: past SETTLE_WAIT_SECONDS the next `take` tells it instead."""
        if self._hold_for is None and self._correction is None and self._settle is None:
            return
        budget = self._budget()
        if budget is None:
            return
        try:
            with anyio.move_on_after(SETTLE_WAIT_SECONDS):
                await self._tell(budget)
        except StoreUnavailable as error:
            self._store_down(error)

    async def _tell(self, budget: SharedBudget) -> None:
        """Send the store the hold, correction and settle waiting to be told, in that order."""
        assert self.budget_key is not None
        assert self.limit is not None
        if self._hold_for is not None:
            seconds, self._hold_for = self._hold_for, None
            await budget.hold(self.budget_key, limit=self.limit, seconds=seconds)
        if self._correction is not None:
            (spent, unplaced, end), self._correction = self._correction, None
            seconds = end - self._clock.monotonic()
            if seconds > 0:
                await budget.correct(
                    self.budget_key, spent=spent, unplaced=unplaced, seconds=seconds
                )
        if self._settle is not None:
            (window, answered_at), self._settle = self._settle, None
            await budget.settle(
                self.budget_key,
                window=window,
                answered_ago=max(0.0, self._clock.monotonic() - answered_at),
                window_seconds=settled_length(self.window_seconds),
            )

    async def _wait(self, wake: float | None) -> None:
        loop = anyio.lowlevel.current_token()
        if self._changed is None or self._changed_loop != loop:
            self._changed = anyio.Event()
            self._changed_loop = loop
        changed = self._changed
        if wake is None:
            await changed.wait()
            return
        async with anyio.create_task_group() as group:

            async def on_change() -> None:
                await changed.wait()
                group.cancel_scope.cancel()

            async def on_time() -> None:
                await self._clock.sleep(wake - self._clock.monotonic())
                group.cancel_scope.cancel()

            group.start_soon(on_change)
            group.start_soon(on_time)

    def release(
        self,
        headers: Mapping[str, str] | None,
        status: int | None = None,
        window: str | None = None,
    ) -> None:
        """Count a request as finished and learn from its answer's headers (None: no answer).

        `window`: the shared window the request took its place in (what `acquire` returned)."""
        self.in_flight = max(0, self.in_flight - 1)
        now = self._clock.monotonic()
        if (
            window is not None
            and window != self._settled_window
            and headers is not None
            and status != 429
            and parse_count(headers.get("X-RateLimit-Remaining")) is not None
        ):
            # The service counted it (its headers say so), so its window had begun by now.
            self._settled_window = window
            self._settle = (window, now)
        if self._unplaced and headers is not None:
            # It went without a place: its answer tells the store what the service counts.
            self._unplaced -= 1
            left = parse_count(headers.get("X-RateLimit-Remaining"))
            limit = parse_count(headers.get("X-RateLimit-Limit"))
            reset = parse_seconds(headers.get("X-RateLimit-Reset"))
            if left is not None and limit is not None and reset is not None:
                unplaced = 1 + (self._correction[1] if self._correction else 0)
                self._correction = (limit - left, unplaced, now + cap_server_delay(reset))
        elif self._unplaced and headers is None:
            self._unplaced -= 1
        if headers is None:
            # It may or may not have counted; assume it did, so we err on the safe side.
            if self.remaining is not None:
                self.remaining = max(0, self.remaining - 1)
        else:
            self._learn(headers, status, now)
        self._notify()

    def _learn(self, headers: Mapping[str, str], status: int | None, now: float) -> None:
        limit = parse_count(headers.get("X-RateLimit-Limit"))
        remaining = parse_count(headers.get("X-RateLimit-Remaining"))
        reset = parse_seconds(headers.get("X-RateLimit-Reset"))
        retry_after = parse_retry_after(headers.get("Retry-After"), now=self._clock.time())
        if status == 429:
            remaining = 0
            self._leased = None  # the service refused: places taken ahead are not to be trusted
            if retry_after is not None:
                self.blocked_until = max(self.blocked_until, now + cap_server_delay(retry_after))
                self.asked_until = max(self.asked_until, now + retry_after)
                if _shared_budget is not None and self.budget_key is not None:
                    self._hold_for = cap_server_delay(retry_after)
                if reset is None:
                    reset = retry_after
        if limit is None and remaining is None:
            if self.paced is None and status is not None and status < 400:
                self.paced = False
            return
        self.paced = True
        if limit is not None:
            self.limit = limit
        if remaining is None:
            return
        end = now + cap_server_delay(reset) if reset is not None else None
        known_end = self.window_end
        tolerance = min(c.WINDOW_END_TOLERANCE_SECONDS, self.window_seconds / 2)
        if end is not None and known_end is not None and end < known_end - tolerance:
            return  # a late answer from a window that already ended
        if end is not None and self.ended_at is not None and end <= self.ended_at + tolerance:
            return  # the same, after the roll-over
        # Without a Reset header, windows are guessed: too fuzzy to tell others' requests.
        can_tell_others = end is not None
        ended_under_us = end is not None and known_end is not None and end > known_end + tolerance
        if (
            self.remaining is None
            or ended_under_us
            or (end is not None and known_end is None and self.window_start is None)
        ):
            if ended_under_us:  # the Reset moved on before our clock rolled the window over
                self._judge_ended_window()
            # The first answer of a window: if the window was already in use by more than
            # our own requests in flight, someone else spends this token too.
            if (
                can_tell_others
                and self.limit is not None
                and remaining < self.limit - 1 - self.in_flight
            ):
                self._others_spent()
            self.remaining = remaining
            self.window_start = now
        else:
            # Ours explain a drop of one (this answer) plus those still in flight.
            if can_tell_others and remaining < self.remaining - 1 - self.in_flight:
                self._others_spent()
            self.remaining = min(self.remaining, remaining)
        if end is not None:
            self.window_end = end
        elif self.window_start is None:
            self.window_start = now

    def set_window_seconds(self, seconds: float) -> None:
        """The window length the service reports (e.g. /me's rate_limit.window_seconds)."""
        if seconds > 0:
            self.window_seconds = seconds


# Held for the life of the process, as the service holds the budget: a client that closes
# (the start-up's GET /me) leaves what it spent counted, so the next client of the same
# token does not take this process's own requests for another's.
_LIMITERS: dict[tuple[str, str, int], RateLimiter] = {}


def token_fingerprint(token: str) -> str:
    """A one-way key for a token, so the registry never holds the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def forget_limiters() -> None:
    """Drop every budget this process knows (tests: each starts with a fresh service)."""
    _LIMITERS.clear()


def shared_limiter(token: str, base_url: str, clock: Clock) -> RateLimiter:
    """The limiter of this token on this service, shared by every client that uses them."""
    fingerprint = token_fingerprint(token)
    key = (fingerprint, base_url, id(clock))
    limiter = _LIMITERS.get(key)
    if limiter is None:
        limiter = RateLimiter(clock, budget_key=budget_name(fingerprint, base_url))
        _LIMITERS[key] = limiter
    return limiter
