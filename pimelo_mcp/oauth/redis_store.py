"""The store in Redis, for several replicas: the same five operations as `SqliteStore`.

Each record is a hash `{prefix}{kind}:{key}` with `value`, `expires_at` and `used`, and a
Redis expiry at `expires_at`, so Redis itself forgets what has expired (`purge` has nothing
left to do). Every operation that reads and writes is one Lua script, run atomically by
Redis: a code consumed on one replica is consumed for all of them, even when two replicas
try in the same millisecond.

Losing Redis raises `StoreUnavailable` (a clear message, never the client's traceback);
the client reconnects by itself on the next operation once Redis is back.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

import redis.asyncio as aioredis
from redis import exceptions as redis_errors

from pimelo_mcp.config import redacted_url
from pimelo_mcp.oauth.store import Consumed, Kind, Record, StoreUnavailable, Turn

T = TypeVar("T")
KEY_PREFIX = "pimelo-mcp:"
_CONNECT_TIMEOUT_SECONDS = 2.0
_COMMAND_TIMEOUT_SECONDS = 5.0

# KEYS[1] record; ARGV now. Returns {value, used} after marking it used, or nil.
_CONSUME = """
local expires = redis.call('HGET', KEYS[1], 'expires_at')
if not expires or tonumber(expires) <= tonumber(ARGV[1]) then return nil end
local used = redis.call('HINCRBY', KEYS[1], 'used', 1)
return {redis.call('HGET', KEYS[1], 'value'), used}
"""

# KEYS[1] counter; ARGV now, window end (seconds), window end (milliseconds). Returns the count.
_INCREMENT = """
local expires = redis.call('HGET', KEYS[1], 'expires_at')
if expires and tonumber(expires) > tonumber(ARGV[1]) then
  return redis.call('HINCRBY', KEYS[1], 'value', 1)
end
redis.call('HSET', KEYS[1], 'value', 1, 'expires_at', ARGV[2], 'used', 0)
redis.call('PEXPIREAT', KEYS[1], ARGV[3])
return 1
"""

# A token's shared window, on Redis's own clock so that every replica reads the same time
# (see `pimelo_mcp.client._budget`). KEYS[1] the window; ARGV limit, window length with its
# margin, places wanted, W. Returns {places taken (0: full), seconds until the window ends,
# the window's stamp, seconds it surely stays open}.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local limit, wanted = tonumber(ARGV[1]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'end', 'count', 'opened')
local ends = tonumber(state[1])
local count = tonumber(state[2]) or 0
local opened = state[3] or ''
local opened_at = tonumber(opened) or now
if ends == nil or now >= ends then
  ends = now + tonumber(ARGV[2])
  opened = string.format('%.6f', now)
  opened_at = now
  count = 0
  redis.call('HSET', KEYS[1], 'end', string.format('%.6f', ends), 'count', 0,
             'opened', opened, 'settled', 0)
  redis.call('PEXPIRE', KEYS[1], math.ceil((ends - now) * 1000) + 1000)
end
local taken = math.max(0, math.min(wanted, limit - count))
if taken > 0 then
  redis.call('HINCRBY', KEYS[1], 'count', taken)
end
local sure = math.min(ends, opened_at + tonumber(ARGV[4])) - now
return {taken, string.format('%.6f', ends - now), opened,
        string.format('%.6f', math.max(0, sure))}
"""

# An answer to a request of the window stamped ARGV[1] came ARGV[2] seconds ago: the window
# ends ARGV[3] seconds after it. The first settle sets the end, later ones only lower it;
# 'settled' is 0 (the margin's end), 1 (an answer's or the service's) or 2 (a hold's: kept).
_SETTLE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'end', 'opened', 'settled')
if state[1] == false or state[2] ~= ARGV[1] or state[3] == '2' then
  return 0
end
local ends = now - tonumber(ARGV[2]) + tonumber(ARGV[3])
if state[3] == '1' and ends >= tonumber(state[1]) then
  return 0
end
redis.call('HSET', KEYS[1], 'end', string.format('%.6f', ends), 'settled', 1)
redis.call('PEXPIRE', KEYS[1], math.max(0, math.ceil((ends - now) * 1000)) + 1000)
return 1
"""

# The service refused a request: the window is full until its Retry-After. KEYS[1] the
# window; ARGV limit, seconds.
_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ends = now + tonumber(ARGV[2])
local known = tonumber(redis.call('HGET', KEYS[1], 'end') or '0')
if known > ends then ends = known end
redis.call('HSET', KEYS[1], 'end', string.format('%.6f', ends), 'count', ARGV[1],
           'opened', 'held ' .. string.format('%.6f', now), 'settled', 2)
redis.call('PEXPIRE', KEYS[1], math.ceil((ends - now) * 1000) + 1000)
return 1
"""

# Requests that went without a place, and what the service said of its window then.
# KEYS[1] the window; ARGV spent, unplaced, seconds to the window's end.
_CORRECT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ends = tonumber(redis.call('HGET', KEYS[1], 'end') or '0')
if now >= ends then
  ends = now + tonumber(ARGV[3])
  redis.call('HSET', KEYS[1], 'end', string.format('%.6f', ends), 'count', ARGV[1],
             'opened', string.format('%.6f', now), 'settled', 1)
  redis.call('PEXPIRE', KEYS[1], math.ceil((ends - now) * 1000) + 1000)
else
  redis.call('HINCRBY', KEYS[1], 'count', ARGV[2])
end
return 1
"""


class RedisStore:
    """The OAuth records and the shared rate budgets in one Redis database."""

    def __init__(self, url: str, *, prefix: str = KEY_PREFIX) -> None:
        self.url = url
        self.prefix = prefix
        try:
            self._redis: aioredis.Redis = aioredis.Redis.from_url(  # pyright: ignore[reportUnknownMemberType]
                url,
                decode_responses=True,
                socket_connect_timeout=_CONNECT_TIMEOUT_SECONDS,
                socket_timeout=_COMMAND_TIMEOUT_SECONDS,
            )
        except ValueError as error:
            raise ValueError(
                f"the store URL {redacted_url(url)} is not a Redis URL: {error}"
            ) from None
        self._consume = self._redis.register_script(_CONSUME)
        self._increment = self._redis.register_script(_INCREMENT)
        self._take = self._redis.register_script(_TAKE)
        self._hold = self._redis.register_script(_HOLD)
        self._correct = self._redis.register_script(_CORRECT)
        self._settle = self._redis.register_script(_SETTLE)

    def _key(self, kind: str, key: str) -> str:
        return f"{self.prefix}{kind}:{key}"

    async def _run(self, operation: Callable[[], Awaitable[T]]) -> T:
        try:
            return await operation()
        except (redis_errors.ConnectionError, redis_errors.TimeoutError) as error:
            raise StoreUnavailable(
                f"the shared store {redacted_url(self.url)} cannot be reached ({error}); "
                "requests that need it fail until it answers again"
            ) from None
        except redis_errors.ResponseError as error:
            raise StoreUnavailable(
                f"the shared store {redacted_url(self.url)} refused an operation: {error}"
            ) from None

    async def ping(self) -> str | None:
        """None when Redis answers; else why not (for /readyz)."""
        try:
            await self._run(lambda: cast(Awaitable[Any], self._redis.ping()))  # pyright: ignore[reportUnknownMemberType]
        except StoreUnavailable as error:
            return str(error)
        return None

    async def put(self, kind: Kind, key: str, value: str, *, expires_at: float) -> None:
        name = self._key(kind, key)

        async def write() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(name)
                pipe.hset(name, mapping={"value": value, "expires_at": repr(expires_at), "used": 0})
                pipe.pexpireat(name, max(1, int(expires_at * 1000)))
                await pipe.execute()

        await self._run(write)

    async def get(self, kind: Kind, key: str, *, now: float) -> Record | None:
        name = self._key(kind, key)
        fields = await self._run(lambda: cast(Awaitable[dict[str, str]], self._redis.hgetall(name)))
        if not fields or "expires_at" not in fields or float(fields["expires_at"]) <= now:
            return None
        return Record(fields["value"], float(fields["expires_at"]), int(fields["used"]) > 0)

    async def delete(self, kind: Kind, key: str) -> None:
        name = self._key(kind, key)
        await self._run(lambda: self._redis.delete(name))

    async def consume(self, kind: Kind, key: str, *, now: float) -> Consumed | None:
        name = self._key(kind, key)
        answer = await self._run(
            lambda: cast(Awaitable[list[Any] | None], self._consume(keys=[name], args=[now]))
        )
        if answer is None:
            return None
        return Consumed(str(answer[0]), first=int(answer[1]) == 1)

    async def increment(self, kind: Kind, key: str, *, now: float, window: float) -> int:
        name = self._key(kind, key)
        end = now + window
        count = await self._run(
            lambda: cast(
                Awaitable[int],
                self._increment(keys=[name], args=[now, repr(end), max(1, int(end * 1000))]),
            )
        )
        return int(count)

    async def purge(self, *, now: float) -> int:
        return 0  # Redis drops each record at its own expiry

    async def take(
        self, budget: str, *, limit: int, window_seconds: float, places: int = 1, length: float = 0
    ) -> Turn:
        """Places in the token's shared window (see `pimelo_mcp.client._budget`)."""
        name = self._key("budget", budget)
        args = [limit, repr(window_seconds), places, repr(length)]
        answer = await self._run(
            lambda: cast(Awaitable[list[Any]], self._take(keys=[name], args=args))
        )
        return Turn(int(answer[0]), float(answer[1]), str(answer[2]), float(answer[3]))

    async def settle(
        self, budget: str, *, window: str, answered_ago: float, window_seconds: float
    ) -> None:
        name = self._key("budget", budget)
        await self._run(
            lambda: self._settle(
                keys=[name], args=[window, repr(answered_ago), repr(window_seconds)]
            )
        )

    async def hold(self, budget: str, *, limit: int, seconds: float) -> None:
        name = self._key("budget", budget)
        await self._run(lambda: self._hold(keys=[name], args=[limit, repr(seconds)]))

    async def correct(self, budget: str, *, spent: int, unplaced: int, seconds: float) -> None:
        name = self._key("budget", budget)
        await self._run(lambda: self._correct(keys=[name], args=[spent, unplaced, repr(seconds)]))

    async def aclose(self) -> None:
        await self._redis.aclose()
