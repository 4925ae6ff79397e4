"""Per-token fixed-window rate limit and the X-RateLimit-* / Retry-After headers of every answer."""

from __future__ import annotations

import math
from collections.abc import Callable

from pimelo_mcp.sandbox.cli_args import RateLimit


class RateLimiter:
    """Windows start at a token's first request and last `seconds`; refused requests do not count."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.clock = clock
        self._windows: dict[str, list[float]] = {}  # token hash -> [start, count]

    def hit(self, key: str, cost: int = 1) -> tuple[bool, dict[str, str]]:
        """Count one request of `key`: (allowed, headers to send)."""
        now = self.clock()
        window = self._windows.get(key)
        if window is None or now >= window[0] + self.limit.seconds:
            window = [now, 0]
            self._windows[key] = window
        reset = max(0, math.ceil(window[0] + self.limit.seconds - now))
        allowed = window[1] + cost <= self.limit.requests
        if allowed:
            window[1] += cost
        remaining = max(0, self.limit.requests - int(window[1]))
        headers = {
            "X-RateLimit-Limit": str(self.limit.requests),
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset),
            "Retry-After": "0" if allowed else str(max(1, reset)),
        }
        return allowed, headers

    def anonymous_headers(self) -> dict[str, str]:
        """Headers for a request without a valid token: not counted against anyone."""
        return {
            "X-RateLimit-Limit": str(self.limit.requests),
            "X-RateLimit-Remaining": str(self.limit.requests),
            "X-RateLimit-Reset": str(self.limit.seconds),
            "Retry-After": "0",
        }
