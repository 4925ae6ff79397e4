"""Time as the client sees it: a monotonic clock, the wall clock and sleeping, swappable in tests."""

from __future__ import annotations

import time
from typing import Protocol

import anyio


class Clock(Protocol):
    """What the client needs of time. Tests pass a fake that never really sleeps."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for deadlines and windows)."""
        ...

    def time(self) -> float:
        """Seconds since the epoch (to read HTTP-date `Retry-After` values)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait this many seconds (cancellable)."""
        ...


class SystemClock:
    """The real clock: `time.monotonic`, `time.time` and `anyio.sleep`."""

    def monotonic(self) -> float:
        return time.monotonic()

    def time(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


SYSTEM_CLOCK = SystemClock()
