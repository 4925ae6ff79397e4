"""Both store engines, SQLite and Redis, behave alike; Redis shares it all between replicas.

Each Redis case uses a real redis-server; "two replicas" are two separate RedisStore
clients of it, as two server processes would hold.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import anyio
import pytest

from pimelo_mcp.config import redacted_url
from pimelo_mcp.oauth.redis_store import RedisStore
from pimelo_mcp.oauth.store import SqliteStore, StoreUnavailable
from tests.scale.redis_server import RedisServer

Engine = SqliteStore | RedisStore


@pytest.fixture(params=["sqlite", "redis"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Engine]:
    if request.param == "sqlite":
        engine: Engine = SqliteStore(tmp_path / "oauth.sqlite3")
    else:
        server: RedisServer = request.getfixturevalue("redis_server")
        engine = RedisStore(server.url)
    try:
        yield engine
    finally:
        await engine.aclose()


async def test_records_round_trip_and_expire(store: Engine) -> None:
    await store.put("grant", "g1", '{"a": 1}', expires_at=4_000_000_000.0)
    record = await store.get("grant", "g1", now=3_999_999_999.0)
    assert record is not None
    assert (record.value, record.expires_at, record.used) == ('{"a": 1}', 4_000_000_000.0, False)
    assert await store.get("grant", "g1", now=4_000_000_000.0) is None  # expired at its time
    await store.put("grant", "g1", "new", expires_at=4_000_000_001.0)
    record = await store.get("grant", "g1", now=0.0)
    assert record is not None
    assert record.value == "new"
    await store.delete("grant", "g1")
    assert await store.get("grant", "g1", now=0.0) is None
    assert await store.get("client", "g1", now=0.0) is None  # kinds do not mix


async def test_consume_is_first_exactly_once(store: Engine) -> None:
    await store.put("code", "c1", "payload", expires_at=4_000_000_000.0)
    first = await store.consume("code", "c1", now=1.0)
    again = await store.consume("code", "c1", now=1.0)
    assert first is not None
    assert again is not None
    assert (first.value, first.first, again.first) == ("payload", True, False)
    record = await store.get("code", "c1", now=1.0)
    assert record is not None
    assert record.used
    assert await store.consume("code", "c1", now=4_000_000_000.0) is None
    assert await store.consume("code", "missing", now=1.0) is None


async def test_counters_count_within_their_window_and_restart_after(store: Engine) -> None:
    now = 3_000_000_000.0
    counts = [await store.increment("limit", "ip", now=now, window=60.0) for _ in range(3)]
    assert counts == [1, 2, 3]
    assert await store.increment("limit", "ip", now=now + 60.0, window=60.0) == 1


async def test_a_window_admits_its_limit_then_says_when_it_ends(store: Engine) -> None:
    answers = [await store.take("b1", limit=3, window_seconds=30.0) for _ in range(4)]
    assert [turn.taken for turn in answers] == [True, True, True, False]
    assert all(0 < turn.wait <= 30.0 for turn in answers)
    assert len({turn.window for turn in answers}) == 1  # one window, one stamp
    assert (await store.take("b2", limit=3, window_seconds=30.0))[0]  # budgets do not mix


async def test_a_short_window_opens_again_once_it_ended(store: Engine) -> None:
    assert (await store.take("b", limit=1, window_seconds=0.05))[0]
    taken, wait, _, _ = await store.take("b", limit=1, window_seconds=0.05)
    assert not taken
    await anyio.sleep(wait + 0.01)  # the store's own clock decides; this waits past its answer
    assert (await store.take("b", limit=1, window_seconds=0.05))[0]


async def test_a_hold_closes_the_window_for_everyone(store: Engine) -> None:
    await store.hold("b", limit=5, seconds=20.0)
    taken, wait, held, _ = await store.take("b", limit=5, window_seconds=1.0)
    assert not taken
    assert 19.0 < wait <= 20.0
    # An answer of the window held cannot end the hold sooner.
    await store.settle("b", window=held, answered_ago=0.0, window_seconds=1.0)
    assert 19.0 < (await store.take("b", limit=5, window_seconds=1.0)).wait <= 20.0


async def test_places_are_taken_several_at_once_as_far_as_the_window_has_them(
    store: Engine,
) -> None:
    first = await store.take("b", limit=5, window_seconds=30.0, places=3, length=10.0)
    assert first.taken == 3
    assert 9.5 < first.sure <= 10.0  # opened now: open for W whatever settles it later
    assert (await store.take("b", limit=5, window_seconds=30.0, places=3)).taken == 2  # the rest
    assert (await store.take("b", limit=5, window_seconds=30.0, places=3)).taken == 0
    # A settled end nearer than W after the opening bounds how long places taken stay good.
    await store.settle("b", window=first.window, answered_ago=8.0, window_seconds=10.0)
    late = await store.take("b", limit=5, window_seconds=30.0, places=3, length=10.0)
    assert late.taken == 0
    assert late.sure <= late.wait <= 2.0


async def test_a_window_ends_a_window_length_after_its_first_answer(store: Engine) -> None:
    first = await store.take("b", limit=2, window_seconds=30.0)  # the margin's guess: 30 s
    assert (await store.take("b", limit=2, window_seconds=30.0)).taken
    # Its first answer came 0.5 s ago: the service's window ends 10 s after that answer.
    await store.settle("b", window=first.window, answered_ago=0.5, window_seconds=10.0)
    full = await store.take("b", limit=2, window_seconds=30.0)
    assert not full.taken
    assert 9.0 < full.wait <= 9.5
    # A later answer can only bring the end closer, never push it back.
    await store.settle("b", window=first.window, answered_ago=0.0, window_seconds=12.0)
    assert 9.0 < (await store.take("b", limit=2, window_seconds=30.0)).wait <= 9.5
    await store.settle("b", window=first.window, answered_ago=0.0, window_seconds=8.0)
    assert 7.5 < (await store.take("b", limit=2, window_seconds=30.0)).wait <= 8.0
    # An answer from another window changes nothing.
    await store.settle("b", window="0.000001", answered_ago=0.0, window_seconds=1.0)
    assert 7.5 < (await store.take("b", limit=2, window_seconds=30.0)).wait <= 8.0


async def test_the_first_answer_can_also_push_the_end_later(store: Engine) -> None:
    # A slow first request: its service window ends later than the margin guessed.
    first = await store.take("b", limit=1, window_seconds=1.0)
    await store.settle("b", window=first.window, answered_ago=0.0, window_seconds=20.0)
    full = await store.take("b", limit=1, window_seconds=1.0)
    assert not full.taken
    assert 19.0 < full.wait <= 20.0


async def test_a_window_settled_to_its_end_opens_the_next(store: Engine) -> None:
    first = await store.take("b", limit=1, window_seconds=30.0)
    await store.settle("b", window=first.window, answered_ago=1.0, window_seconds=0.5)
    after = await store.take("b", limit=1, window_seconds=30.0)
    assert after.taken
    assert after.window != first.window


async def test_a_correction_opens_a_window_or_adds_what_it_did_not_count(store: Engine) -> None:
    await store.correct("b", spent=3, unplaced=1, seconds=30.0)  # opens: the service's count
    for _ in range(2):
        assert (await store.take("b", limit=5, window_seconds=1.0))[0]
    await store.correct("b", spent=3, unplaced=1, seconds=30.0)  # open: adds its one request
    taken, wait, _, _ = await store.take("b", limit=5, window_seconds=1.0)
    assert not taken
    assert 29.0 < wait <= 30.0


async def test_the_store_answers_ping(store: Engine) -> None:
    assert await store.ping() is None


# -- Redis across replicas -----------------------------------------------------------------


async def test_a_code_is_consumed_once_across_replicas_even_at_once(
    redis_server: RedisServer,
) -> None:
    replica_a, replica_b = RedisStore(redis_server.url), RedisStore(redis_server.url)
    codes = [f"code-{n}" for n in range(50)]
    for code in codes:
        await replica_a.put("code", code, "payload", expires_at=4_000_000_000.0)
    firsts: dict[str, int] = dict.fromkeys(codes, 0)

    async def redeem(store: RedisStore, code: str) -> None:
        consumed = await store.consume("code", code, now=1.0)
        assert consumed is not None
        firsts[code] += consumed.first

    async with anyio.create_task_group() as group:
        for code in codes:
            group.start_soon(redeem, replica_a, code)
            group.start_soon(redeem, replica_b, code)
    assert firsts == dict.fromkeys(codes, 1)
    await replica_a.aclose()
    await replica_b.aclose()


async def test_a_window_is_shared_by_replicas(redis_server: RedisServer) -> None:
    replicas = [RedisStore(redis_server.url) for _ in range(3)]
    answers: list[int] = []

    async def take(store: RedisStore) -> None:
        answers.append((await store.take("shared", limit=10, window_seconds=60.0)).taken)

    async with anyio.create_task_group() as group:
        for n in range(30):
            group.start_soon(take, replicas[n % 3])
    assert answers.count(True) == 10
    for store in replicas:
        await store.aclose()


async def test_records_carry_a_redis_expiry(redis_server: RedisServer) -> None:
    import redis.asyncio as aioredis

    store = RedisStore(redis_server.url)
    await store.put("request", "r", "{}", expires_at=4_000_000_000.0)
    raw = aioredis.Redis.from_url(redis_server.url)  # pyright: ignore[reportUnknownMemberType]
    assert await raw.expiretime("pimelo-mcp:request:r") == 4_000_000_000
    await raw.aclose()
    await store.aclose()


async def test_losing_redis_is_a_clear_error_and_its_return_needs_no_restart(
    redis_server: RedisServer,
) -> None:
    store = RedisStore(redis_server.url)
    await store.put("grant", "g", "v", expires_at=4_000_000_000.0)
    redis_server.stop()
    with pytest.raises(StoreUnavailable, match=r"shared store redis://127\.0\.0\.1:\d+/0"):
        await store.get("grant", "g", now=0.0)
    reason = await store.ping()
    assert reason is not None
    assert "cannot be reached" in reason
    redis_server.start()  # empty again: this Redis keeps nothing on disk
    assert await store.ping() is None
    await store.put("grant", "g", "v2", expires_at=4_000_000_000.0)
    record = await store.get("grant", "g", now=0.0)
    assert record is not None
    assert record.value == "v2"
    await store.aclose()


def test_messages_never_show_the_redis_password() -> None:
    assert redacted_url("redis://user:hunter2@cache:6379/0") == "redis://user:***@cache:6379/0"
    assert redacted_url("redis://cache:6379/0") == "redis://cache:6379/0"
