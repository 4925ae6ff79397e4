"""When to try again: `Retry-After` parsing and exponential backoff with jitter."""

from __future__ import annotations

import email.utils
import math
import random
import time

from pimelo_mcp.client import _constants as c


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a `Retry-After` value: delta-seconds or an HTTP-date.

    None when missing or unreadable. Negative values and dates in the past give 0. Not
    capped here: callers cap with `MAX_SERVER_DELAY_SECONDS`.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is always GMT
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def parse_seconds(value: str | None) -> float | None:
    """A non-negative number of seconds from a header such as `X-RateLimit-Reset`, or None."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) and seconds >= 0 else None


def parse_count(value: str | None) -> int | None:
    """A non-negative integer from a header such as `X-RateLimit-Remaining`, or None."""
    if value is None:
        return None
    try:
        count = int(value.strip())
    except ValueError:
        return None
    return count if count >= 0 else None


def backoff_delay(attempt: int, *, rng: random.Random | None = None) -> float:
    """The pause before retry number `attempt + 1` (attempt 0 is the first retry)."""
    base = min(c.INITIAL_RETRY_DELAY_SECONDS * (2**attempt), c.MAX_RETRY_DELAY_SECONDS)
    jitter = (rng or random).random() * c.RETRY_JITTER_FRACTION
    return base * (1.0 - jitter)


def cap_server_delay(seconds: float) -> float:
    """A server-directed delay, capped so that a wrong header cannot park a call for long."""
    return min(max(0.0, seconds), c.MAX_SERVER_DELAY_SECONDS)
