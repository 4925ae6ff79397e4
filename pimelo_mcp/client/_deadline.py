"""One wall-clock deadline for everything a logical operation sends, waits for and reads.

The MCP server sets it once per tool call (`call_deadline`); every request the client makes
inside, every pacing wait, retry pause and byte of an answer, must fit before it. A write
keeps some of it back (`keep_back`) so that, if its answer is lost, there is still time to
read the record and say whether the write happened.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from contextlib import contextmanager
from contextvars import ContextVar

# Absolute time on `time.monotonic()`'s clock; None: no deadline beyond the client's own.
_DEADLINE: ContextVar[float | None] = ContextVar("pimelo_call_deadline", default=None)
# The whole length of the current deadline, for messages ("within its 40 s deadline").
_LENGTH: ContextVar[float | None] = ContextVar("pimelo_call_deadline_length", default=None)


# Writes of the current operation sent without a definite answer (no answer, a 5xx, a cut
# body): each one may or may not have happened. A list per operation, set by its owner.
_UNSETTLED: ContextVar[list[str] | None] = ContextVar("pimelo_unsettled_writes", default=None)


@contextmanager
def tracking_unsettled_writes() -> Generator[list[str]]:
    """Inside, every write that ends without a definite answer is listed ("PATCH /path")."""
    unsettled: list[str] = []
    token = _UNSETTLED.set(unsettled)
    try:
        yield unsettled
    finally:
        _UNSETTLED.reset(token)


def write_label(method: str, path: str) -> str:
    """How a write is named among the unsettled ones, and in the message that lists them."""
    return f"{method.upper()} /{path.lstrip('/')}"


def note_unsettled_write(what: str) -> None:
    unsettled = _UNSETTLED.get()
    if unsettled is not None:
        unsettled.append(what)


def settle_write(what: str) -> None:
    """A noted write turned out definite after all (read back): no longer unsettled."""
    unsettled = _UNSETTLED.get()
    if unsettled is not None and what in unsettled:
        unsettled.remove(what)


# Of a call's deadline, the share a write leaves for reading the record back after a lost
# answer (at most this many seconds), so that the call can still say what happened.
READ_BACK_SHARE = 0.25
MAX_READ_BACK_SECONDS = 10.0


def read_back_reserve() -> float:
    """Seconds a write keeps back for a read-back, under the current deadline (0: none)."""
    length = _LENGTH.get()
    return min(MAX_READ_BACK_SECONDS, length * READ_BACK_SHARE) if length else 0.0


def current_deadline() -> float | None:
    """The monotonic time by which the current operation must be done, if one was set."""
    return _DEADLINE.get()


def deadline_length() -> float | None:
    """How long the whole current deadline is, in seconds (for messages)."""
    return _LENGTH.get()


@contextmanager
def call_deadline(seconds: float) -> Generator[float]:
    """Everything inside must be done within `seconds` (an outer, earlier deadline wins)."""
    at = time.monotonic() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(at if outer is None else min(outer, at))
    length = _LENGTH.set(seconds if outer is None else _LENGTH.get())
    try:
        yield at
    finally:
        _DEADLINE.reset(token)
        _LENGTH.reset(length)


@contextmanager
def keep_back(seconds: float) -> Generator[None]:
    """Inside, the deadline comes `seconds` earlier (time kept for what follows, e.g. a read-back)."""
    deadline = _DEADLINE.get()
    if deadline is None:
        yield
        return
    token = _DEADLINE.set(deadline - seconds)
    try:
        yield
    finally:
        _DEADLINE.reset(token)
