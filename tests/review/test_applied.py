"""A review applies once: the first claim of its id wins, in memory and in the shared store."""

import anyio

from pimelo_mcp.oauth.store import SqliteStore
from pimelo_mcp.review.applied import AppliedReviews, MemoryAppliedReviews, StoreAppliedReviews


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def claims_once(applied: AppliedReviews, clock: Clock) -> None:
    until = clock.now + 60
    results: list[bool] = []

    async def claim() -> None:
        results.append(await applied.claim("review-1", until=until))

    async with anyio.create_task_group() as group:
        for _ in range(10):
            group.start_soon(claim)
    assert sorted(results) == [False] * 9 + [True]
    assert await applied.recall("review-1") is None  # the first apply has not said yet
    await applied.remember("review-1", '[{"key": "A", "outcome": "applied"}]', until=until)
    assert await applied.recall("review-1") == '[{"key": "A", "outcome": "applied"}]'
    assert await applied.claim("review-2", until=until)  # another review is its own


async def test_in_memory_a_review_is_claimed_once_and_forgotten_when_its_handle_expires() -> None:
    clock = Clock()
    applied = MemoryAppliedReviews(clock)
    await claims_once(applied, clock)
    clock.now += 61  # both handles expired: they are refused before any claim, so forget them
    assert await applied.claim("review-3", until=clock.now + 60)
    assert len(applied) == 1
    assert await applied.recall("review-1") is None


async def test_in_the_shared_store_every_replica_agrees_on_the_one_claim(tmp_path: object) -> None:
    clock = Clock()
    store = SqliteStore(None)
    try:
        first, second = StoreAppliedReviews(store, clock), StoreAppliedReviews(store, clock)
        await claims_once(first, clock)
        assert not await second.claim("review-1", until=clock.now + 60)  # another replica
        assert await second.recall("review-1") == '[{"key": "A", "outcome": "applied"}]'
    finally:
        await store.aclose()


async def test_a_released_claim_can_be_claimed_again() -> None:
    clock = Clock()
    store = SqliteStore(None)
    try:
        for applied in (MemoryAppliedReviews(clock), StoreAppliedReviews(store, clock)):
            assert await applied.claim("review-1", until=clock.now + 60)
            await applied.release("review-1")
            assert await applied.claim("review-1", until=clock.now + 60)
            assert not await applied.claim("review-1", until=clock.now + 60)
    finally:
        await store.aclose()
