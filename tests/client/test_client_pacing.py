"""Pacing: requests are held back before the token's budget runs out, shared by every caller."""

from __future__ import annotations

import anyio
import httpx2
import pytest
from client_fakes import BASE, TOKEN, FakeClock, FakePimelo, json_response

from pimelo_mcp.client import Channel, PimeloClient, RateLimitedError, RateLimiter

CHANNEL = {"code": "ecommerce", "labels": {}, "locales": ["en_US"], "currencies": ["EUR"]}


def serve_channel(fake: FakePimelo) -> None:
    fake.route("GET", "channels/ecommerce")(lambda request: json_response(CHANNEL))


def new_client(
    fake: FakePimelo, clock: FakeClock, token: str = TOKEN, **kwargs: object
) -> PimeloClient:
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(fake))
    return PimeloClient(BASE, token, http_client=http, clock=clock, **kwargs)  # type: ignore[arg-type]


async def read_many(pimelo: PimeloClient, count: int) -> list[Channel]:
    results: list[Channel] = []

    async def one() -> None:
        results.append(await pimelo.channels.retrieve("ecommerce"))

    async with anyio.create_task_group() as group:
        for _ in range(count):
            group.start_soon(one)
    return results


async def test_requests_wait_for_the_reset_when_remaining_reaches_zero(
    fake: FakePimelo, clock: FakeClock, client: PimeloClient
) -> None:
    fake.limit, fake.window = 3, 60.0
    serve_channel(fake)
    start = clock.now
    for _ in range(5):
        await client.channels.retrieve("ecommerce")
    assert 429 not in fake.statuses
    assert len(fake.requests) == 5
    assert 60.0 <= clock.now - start <= 62.0


async def test_fifty_concurrent_callers_share_one_budget_without_a_429(
    fake: FakePimelo, clock: FakeClock, client: PimeloClient
) -> None:
    fake.limit, fake.window = 10, 10.0
    serve_channel(fake)
    start = clock.now
    results = await read_many(client, 50)
    assert len(results) == 50
    assert fake.statuses.count(429) == 0
    assert len(fake.requests) == 50
    assert client.rate_limiter.shared is False  # alone: bursts, no spreading
    # Five windows are needed for 50 requests at 10 per window: four waits, no more.
    assert 4 * 10.0 <= clock.now - start <= 4 * 12.0


async def test_in_flight_requests_count_against_the_budget(
    fake: FakePimelo, clock: FakeClock, client: PimeloClient
) -> None:
    fake.limit, fake.window = 10, 10.0
    serve_channel(fake)
    await client.channels.retrieve("ecommerce")  # learn the budget: 9 left
    await read_many(client, 30)
    assert fake.statuses.count(429) == 0
    assert fake.max_in_flight <= 5  # half of what is left, at most


async def test_the_first_request_probes_alone_before_the_budget_is_known(
    fake: FakePimelo, clock: FakeClock, client: PimeloClient
) -> None:
    fake.limit = 100
    serve_channel(fake)
    first_in_flight: list[int] = []
    original = fake.routes[("GET", "/api/v1/channels/ecommerce")]

    def record(request: httpx2.Request) -> httpx2.Response:
        if not first_in_flight:
            first_in_flight.append(fake.in_flight)
        return original(request)  # type: ignore[return-value]

    fake.routes[("GET", "/api/v1/channels/ecommerce")] = record
    await read_many(client, 20)
    assert first_in_flight == [1]
    assert fake.max_in_flight > 1  # once known, the budget lets them run together


async def test_without_a_reset_header_the_window_length_is_waited(
    fake: FakePimelo, clock: FakeClock, client: PimeloClient
) -> None:
    fake.limit, fake.window, fake.send_reset = 5, 60.0, False
    serve_channel(fake)
    await read_many(client, 12)
    assert fake.statuses.count(429) == 0
    assert len(fake.requests) == 12


async def test_the_window_from_me_is_used_when_the_service_sends_no_reset(
    fake: FakePimelo, clock: FakeClock, client: PimeloClient
) -> None:
    fake.limit, fake.window, fake.send_reset = 3, 10.0, False
    serve_channel(fake)
    fake.route("GET", "me")(
        lambda request: json_response({"rate_limit": {"limit": 3, "window_seconds": 10}})
    )
    start = clock.now
    await client.me.retrieve()
    assert client.rate_limiter.window_seconds == 10.0
    await read_many(client, 5)
    assert fake.statuses.count(429) == 0
    assert clock.now - start < 30.0  # waited ~10 s windows, not 60 s


async def test_two_clients_of_one_token_share_one_budget(
    fake: FakePimelo, clock: FakeClock
) -> None:
    fake.limit = 10
    serve_channel(fake)
    first, second = new_client(fake, clock), new_client(fake, clock)
    async with first, second:
        assert first.rate_limiter is second.rate_limiter
        async with anyio.create_task_group() as group:
            group.start_soon(read_many, first, 15)
            group.start_soon(read_many, second, 15)
    assert fake.statuses.count(429) == 0
    assert len(fake.requests) == 30


async def test_clients_of_different_tokens_have_separate_budgets(
    fake: FakePimelo, clock: FakeClock
) -> None:
    first = new_client(fake, clock, token="pim_first_token_abcdef")
    second = new_client(fake, clock, token="pim_second_token_abcdef")
    async with first, second:
        assert first.rate_limiter is not second.rate_limiter


async def test_a_service_without_rate_limit_headers_is_not_paced(
    fake: FakePimelo, clock: FakeClock, client: PimeloClient
) -> None:
    serve_channel(fake)
    start = clock.now
    await read_many(client, 20)
    assert client.rate_limiter.paced is False
    assert clock.now == start
    assert fake.max_in_flight > 1


async def test_a_budget_used_by_another_process_costs_one_429_then_everyone_waits(
    fake: FakePimelo, clock: FakeClock, client: PimeloClient
) -> None:
    fake.limit, fake.window = 10, 60.0
    fake.window_start, fake.used = clock.now, 10  # another process used the whole window
    serve_channel(fake)
    results = await read_many(client, 8)
    assert len(results) == 8
    assert fake.statuses.count(429) == 1


async def test_two_processes_with_one_token_stay_within_the_limit(
    fake: FakePimelo, clock: FakeClock
) -> None:
    fake.limit, fake.window = 10, 10.0
    serve_channel(fake)
    # Two processes: two limiters that know nothing of each other, one service.
    first = new_client(fake, clock, limiter=RateLimiter(clock))
    second = new_client(fake, clock, limiter=RateLimiter(clock))
    async with first, second:
        await first.channels.retrieve("ecommerce")
        await second.channels.retrieve("ecommerce")
        async with anyio.create_task_group() as group:
            group.start_soon(read_many, first, 20)
            group.start_soon(read_many, second, 20)
    assert fake.statuses.count(200) == 42
    # Each learns from Remaining that the budget is shared (the unit tests below show how)
    # and spreads its requests; the service sends a handful of 429s over the whole run,
    # none surfaced.
    assert fake.statuses.count(429) <= 4


async def test_a_wait_longer_than_the_call_budget_fails_fast_with_retry_after(
    fake: FakePimelo, clock: FakeClock
) -> None:
    fake.limit, fake.window = 1, 60.0
    serve_channel(fake)
    async with new_client(fake, clock, call_budget_seconds=20.0) as pimelo:
        await pimelo.channels.retrieve("ecommerce")
        with pytest.raises(RateLimitedError) as raised:
            await pimelo.channels.retrieve("ecommerce")
    assert raised.value.response is None
    assert raised.value.retry_after is not None
    assert 55.0 <= raised.value.retry_after <= 61.0
    assert len(fake.requests) == 1
    assert clock.sleeps == []


async def test_a_limiter_made_outside_an_event_loop_works_inside_one() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    limiter.release(
        {"X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "5"}
    )
    await limiter.acquire(deadline=None)
    assert clock.now == pytest.approx(1005.0)


def test_a_limiter_can_be_used_by_two_event_loops_one_after_the_other() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)

    async def one_turn() -> None:
        limiter.release(
            {"X-RateLimit-Limit": "5", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "3"}
        )
        await limiter.acquire(deadline=None)

    anyio.run(one_turn)
    anyio.run(one_turn)  # would fail on an event made in the first loop
    assert limiter.in_flight == 1
    assert clock.now >= 1006.0


async def test_a_late_answer_from_an_ended_window_changes_nothing() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)

    def answer(remaining: int, reset: int) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "10",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset),
        }

    await limiter.acquire(deadline=None)
    limiter.release(answer(9, 10))
    await limiter.acquire(deadline=None)
    await limiter.acquire(deadline=None)
    limiter.release(answer(8, 10))
    clock.now += 11  # the window ended while one request was still in flight
    await limiter.acquire(deadline=None)
    assert limiter.remaining == 10
    limiter.release(answer(0, 0))  # the straggler, answered at the end of the old window
    assert limiter.remaining == 10
    assert limiter.shared is False


async def test_answers_without_a_reset_header_never_mark_the_budget_shared() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    await limiter.acquire(deadline=None)
    limiter.release({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9"})
    await limiter.acquire(deadline=None)
    limiter.release({"X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "3"})
    assert limiter.remaining == 3
    assert limiter.shared is False


async def test_remaining_falling_faster_than_our_requests_marks_the_budget_shared() -> None:
    clock = FakeClock()
    limiter = RateLimiter(clock)
    headers = {"X-RateLimit-Limit": "10", "X-RateLimit-Reset": "30"}
    await limiter.acquire(deadline=None)
    limiter.release({**headers, "X-RateLimit-Remaining": "9"})
    assert limiter.shared is False
    await limiter.acquire(deadline=None)
    limiter.release({**headers, "X-RateLimit-Remaining": "6"})
    assert limiter.shared is True


async def test_a_client_closed_before_the_next_leaves_its_spending_counted_as_ours(
    fake: FakePimelo, clock: FakeClock
) -> None:
    # The stdio server reads /me with a client of its own, closed before the first tool
    # call: the tool client must not take that request for another process's.
    fake.limit, fake.window = 600, 60.0
    serve_channel(fake)
    async with new_client(fake, clock) as start_up:
        await start_up.channels.retrieve("ecommerce")
    del start_up
    async with new_client(fake, clock) as tools:
        await read_many(tools, 5)
        assert tools.rate_limiter.shared is False
    assert clock.sleeps == []  # alone: no spacing between requests


async def test_a_budget_found_spent_is_shared_until_a_window_passes_without_others() -> None:
    # A restart within a window: the run before spent from it, then stopped.
    clock = FakeClock()
    limiter = RateLimiter(clock)

    def answer(remaining: int, reset: int) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": "10",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": str(reset),
        }

    await limiter.acquire(deadline=None)
    limiter.release(answer(4, 5))  # five spent before our first request
    assert limiter.shared is True
    clock.now += 6  # that window ends
    await limiter.acquire(deadline=None)  # a probe: the budget may still be shared
    limiter.release(answer(9, 10))  # nobody else spent in this one
    await limiter.acquire(deadline=None)
    limiter.release(answer(8, 10))
    clock.now += 11  # the quiet window ends
    await limiter.acquire(deadline=None)
    assert limiter.shared is False
