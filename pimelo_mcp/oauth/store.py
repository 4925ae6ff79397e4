"""Every OAuth record the server keeps, behind one interface, each with an expiry.

Records are opaque JSON strings under (kind, key); keys of bearer secrets are their digests
(see `crypto.Keys.digest`). Five operations cover every need, and each maps onto one Redis
command or script, so a Redis engine for replicas can be added beside `SqliteStore`
without touching the rest:

- `put` / `get` / `delete`: plain records (clients, the CIMD cache, grants, sign-in requests);
- `consume`: marks a record used and says whether this call was the first, atomically; a
  code works once, and a refresh token presented a second time is recognised as reuse;
- `increment`: a counter that lives until its window ends (sign-in failure limits).

Expired records are invisible at once and deleted by `purge`.

Beside the records, each engine keeps the shared rate budgets of Pimelo tokens (`take` and
`hold`, see `pimelo_mcp.client._budget`) and answers `ping` for readiness. An engine that
cannot reach its storage raises `StoreUnavailable`, whose message is safe to show.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, TypeVar

import anyio.to_thread

from pimelo_mcp.client._budget import StoreUnavailable, Turn

__all__ = [
    "Consumed",
    "Kind",
    "OAuthStore",
    "Record",
    "ServerStore",
    "SqliteStore",
    "StoreUnavailable",
    "Turn",
]

# "review": the review pane's applied handles (pimelo_mcp/review/applied.py), once-only too.
Kind = Literal["client", "cimd", "request", "code", "grant", "access", "refresh", "limit", "review"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Record:
    value: str
    expires_at: float
    used: bool


@dataclass(frozen=True, slots=True)
class Consumed:
    value: str
    first: bool
    """True for the one call that consumed the record; False for every later one (reuse)."""


class OAuthStore(Protocol):
    async def put(self, kind: Kind, key: str, value: str, *, expires_at: float) -> None: ...

    async def get(self, kind: Kind, key: str, *, now: float) -> Record | None: ...

    async def delete(self, kind: Kind, key: str) -> None: ...

    async def consume(self, kind: Kind, key: str, *, now: float) -> Consumed | None: ...

    async def increment(self, kind: Kind, key: str, *, now: float, window: float) -> int: ...

    async def purge(self, *, now: float) -> int: ...

    async def aclose(self) -> None: ...


class ServerStore(OAuthStore, Protocol):
    """What the server opens at start: the OAuth records, the rate budgets and a health check."""

    async def take(
        self, budget: str, *, limit: int, window_seconds: float, places: int = 1, length: float = 0
    ) -> Turn: ...

    async def settle(
        self, budget: str, *, window: str, answered_ago: float, window_seconds: float
    ) -> None: ...

    async def hold(self, budget: str, *, limit: int, seconds: float) -> None: ...

    async def correct(self, budget: str, *, spent: int, unplaced: int, seconds: float) -> None: ...

    async def ping(self) -> str | None:
        """None when the store answers; else why not (for /readyz)."""
        ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires_at REAL NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS records_expiry ON records (expires_at);
CREATE TABLE IF NOT EXISTS budgets (
    name TEXT PRIMARY KEY,
    ends REAL NOT NULL,
    count INTEGER NOT NULL,
    opened TEXT NOT NULL DEFAULT '',
    settled INTEGER NOT NULL DEFAULT 0  -- 0: the margin's end, 1: an answer's, 2: a hold's
) WITHOUT ROWID;
"""

# A file made before windows were settled: its windows last a minute at most, so the table is
# made anew rather than altered.
_OLD_BUDGETS = "SELECT 1 FROM pragma_table_info('budgets') WHERE name = 'opened'"


class SqliteStore:
    """The store in one SQLite file (mode 0600), or in memory for tests (`path=None`).

    One connection behind a lock, used from worker threads: a record operation is a single
    statement, and WAL lets several processes share the file.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # Created here with mode 0600 so that SQLite never makes it with the umask's mode.
            os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
        else:
            self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(_SCHEMA)
        if self._db.execute(_OLD_BUDGETS).fetchone() is None:
            self._db.executescript("DROP TABLE budgets;" + _SCHEMA)
        self._lock = threading.Lock()

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        def locked() -> T:
            with self._lock:
                return work(self._db)

        return await anyio.to_thread.run_sync(locked)

    async def put(self, kind: Kind, key: str, value: str, *, expires_at: float) -> None:
        await self._run(
            lambda db: db.execute(
                "INSERT INTO records (kind, key, value, expires_at, used) VALUES (?, ?, ?, ?, 0) "
                "ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, "
                "expires_at = excluded.expires_at, used = 0",
                (kind, key, value, expires_at),
            )
        )

    async def get(self, kind: Kind, key: str, *, now: float) -> Record | None:
        row = await self._run(
            lambda db: db.execute(
                "SELECT value, expires_at, used FROM records "
                "WHERE kind = ? AND key = ? AND expires_at > ?",
                (kind, key, now),
            ).fetchone()
        )
        return None if row is None else Record(row[0], float(row[1]), bool(row[2]))

    async def delete(self, kind: Kind, key: str) -> None:
        await self._run(
            lambda db: db.execute("DELETE FROM records WHERE kind = ? AND key = ?", (kind, key))
        )

    async def consume(self, kind: Kind, key: str, *, now: float) -> Consumed | None:
        row = await self._run(
            lambda db: db.execute(
                "UPDATE records SET used = used + 1 WHERE kind = ? AND key = ? AND expires_at > ? "
                "RETURNING value, used",
                (kind, key, now),
            ).fetchone()
        )
        return None if row is None else Consumed(row[0], first=row[1] == 1)

    async def increment(self, kind: Kind, key: str, *, now: float, window: float) -> int:
        row = await self._run(
            lambda db: db.execute(
                "INSERT INTO records (kind, key, value, expires_at, used) VALUES (?, ?, '1', ?, 0) "
                "ON CONFLICT (kind, key) DO UPDATE SET "
                "value = CASE WHEN expires_at > ? THEN CAST(value AS INTEGER) + 1 ELSE 1 END, "
                "expires_at = CASE WHEN expires_at > ? THEN expires_at ELSE excluded.expires_at END "
                "RETURNING value",
                (kind, key, now + window, now, now),
            ).fetchone()
        )
        return int(row[0])

    async def purge(self, *, now: float) -> int:
        def purge(db: sqlite3.Connection) -> int:
            # Budgets are kept on the real clock (see `take`), records on the caller's.
            db.execute("DELETE FROM budgets WHERE ends <= ?", (time.time(),))
            return db.execute("DELETE FROM records WHERE expires_at <= ?", (now,)).rowcount

        return await self._run(purge)

    async def ping(self) -> str | None:
        try:
            await self._run(lambda db: db.execute("SELECT 1").fetchone())
        except sqlite3.Error as error:
            return f"the store {self.path or ':memory:'} cannot be read: {error}"
        return None

    async def _budget(self, work: Callable[[sqlite3.Connection, float], T]) -> T:
        """`work(db, now)` in one write transaction: one process at a time, on this machine's
        clock (every process sharing the file reads the same one)."""

        def locked(db: sqlite3.Connection) -> T:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = work(db, time.time())
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

        return await self._run(locked)

    async def take(
        self, budget: str, *, limit: int, window_seconds: float, places: int = 1, length: float = 0
    ) -> Turn:
        """Places in the token's shared window (see `pimelo_mcp.client._budget`)."""

        def take(db: sqlite3.Connection, now: float) -> Turn:
            row = db.execute(
                "SELECT ends, count, opened FROM budgets WHERE name = ?", (budget,)
            ).fetchone()
            if row is None or now >= float(row[0]):
                ends, count, opened, opened_at = now + window_seconds, 0, f"{now:.6f}", now
                db.execute(
                    "INSERT INTO budgets (name, ends, count, opened, settled) "
                    "VALUES (?, ?, 0, ?, 0) ON CONFLICT (name) DO UPDATE SET "
                    "ends = excluded.ends, count = 0, opened = excluded.opened, settled = 0",
                    (budget, ends, opened),
                )
            else:
                ends, count, opened = float(row[0]), int(row[1]), str(row[2])
                opened_at = float(opened) if opened[:1].isdigit() else now
            taken = max(0, min(places, limit - count))
            if taken:
                db.execute("UPDATE budgets SET count = count + ? WHERE name = ?", (taken, budget))
            sure = max(0.0, min(ends, opened_at + length) - now)
            return Turn(taken, ends - now, opened, sure)

        return await self._budget(take)

    async def settle(
        self, budget: str, *, window: str, answered_ago: float, window_seconds: float
    ) -> None:
        def settle(db: sqlite3.Connection, now: float) -> None:
            ends = now - answered_ago + window_seconds
            db.execute(
                "UPDATE budgets SET ends = ?, settled = 1 "
                "WHERE name = ? AND opened = ? AND (settled = 0 OR (settled = 1 AND ends > ?))",
                (ends, budget, window, ends),
            )

        await self._budget(settle)

    async def hold(self, budget: str, *, limit: int, seconds: float) -> None:
        def hold(db: sqlite3.Connection, now: float) -> None:
            db.execute(
                "INSERT INTO budgets (name, ends, count, opened, settled) VALUES (?, ?, ?, ?, 2) "
                "ON CONFLICT (name) DO UPDATE SET ends = max(ends, excluded.ends), "
                "count = excluded.count, opened = excluded.opened, settled = 2",
                (budget, now + seconds, limit, f"held {now:.6f}"),
            )

        await self._budget(hold)

    async def correct(self, budget: str, *, spent: int, unplaced: int, seconds: float) -> None:
        def correct(db: sqlite3.Connection, now: float) -> None:
            row = db.execute("SELECT ends FROM budgets WHERE name = ?", (budget,)).fetchone()
            if row is None or now >= float(row[0]):
                db.execute(
                    "INSERT INTO budgets (name, ends, count, opened, settled) "
                    "VALUES (?, ?, ?, ?, 1) ON CONFLICT (name) DO UPDATE SET "
                    "ends = excluded.ends, count = excluded.count, opened = excluded.opened, "
                    "settled = 1",
                    (budget, now + seconds, spent, f"{now:.6f}"),
                )
            else:
                db.execute(
                    "UPDATE budgets SET count = count + ? WHERE name = ?", (unplaced, budget)
                )

        await self._budget(correct)

    async def aclose(self) -> None:
        with self._lock:
            self._db.close()
