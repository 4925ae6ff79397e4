"""Transient failures are retried with backoff where repeating is safe, and nowhere else."""

from __future__ import annotations

import email.utils

import httpx2
import pytest
from client_fakes import BASE, TOKEN, FakeClock, FakePimelo, json_response, problem_response

from pimelo_mcp.client import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PimeloClient,
    Product,
    RateLimitedError,
    ServerError,
    ValidationError,
)
from pimelo_mcp.client import _constants as c

PRODUCT = {"identifier": "SHOE-1", "attribute_set": "shoes", "version": 1}
PAGE = {"items": [PRODUCT], "search_after": None}


def flaky(outcomes: list[httpx2.Response | Exception], final: httpx2.Response):
    """A handler that answers each outcome in turn (raising exceptions), then `final`."""
    queue = list(outcomes)

    def handler(request: httpx2.Request) -> httpx2.Response:
        if queue:
            outcome = queue.pop(0)
            if isinstance(outcome, Exception):
                raise outcome
            return outcome
        return final

    return handler


def transient(kind: str) -> httpx2.Response | Exception:
    if kind == "connect":
        return httpx2.ConnectError("connection refused")
    if kind == "timeout":
        return httpx2.ReadTimeout("read timed out")
    if kind == "429":
        response = problem_response(429, "rate-limited", "Too many requests")
        response.headers["Retry-After"] = "2"
        return response
    return problem_response(int(kind), "unavailable", "Unavailable")


KINDS = ["502", "503", "504", "429", "connect", "timeout"]


@pytest.mark.parametrize("kind", KINDS)
async def test_get_is_retried_after_a_transient_failure(
    kind: str, client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("GET", "products/SHOE-1")(
        flaky([transient(kind), transient(kind)], json_response(PRODUCT))
    )
    product = await client.products.retrieve("SHOE-1")
    assert isinstance(product, Product)
    assert len(fake.calls("GET", "products/SHOE-1")) == 3


@pytest.mark.parametrize("kind", KINDS)
async def test_search_is_retried_after_a_transient_failure(
    kind: str, client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "products/search")(flaky([transient(kind)], json_response(PAGE)))
    page = await client.products.search(query="shoe")
    assert [p.identifier for p in page.items] == ["SHOE-1"]
    assert len(fake.calls("POST", "products/search")) == 2


@pytest.mark.parametrize("kind", KINDS)
async def test_patch_is_retried_after_a_transient_failure(
    kind: str, client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("PATCH", "products/SHOE-1")(flaky([transient(kind)], json_response(PRODUCT)))
    await client.products.update("SHOE-1", status="active", expected_version=1)
    calls = fake.calls("PATCH", "products/SHOE-1")
    assert len(calls) == 2
    assert {call.headers["If-Match"] for call in calls} == {'"1"'}


@pytest.mark.parametrize("kind", KINDS)
async def test_create_is_retried_with_the_same_idempotency_key(
    kind: str, client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "products")(
        flaky([transient(kind), transient(kind)], json_response(PRODUCT, 201))
    )
    await client.products.create("SHOE-1", attribute_set="shoes")
    calls = fake.calls("POST", "products")
    assert len(calls) == 3
    keys = {call.headers["Idempotency-Key"] for call in calls}
    assert len(keys) == 1
    assert next(iter(keys))


async def test_two_creates_carry_different_idempotency_keys(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "products")(lambda request: json_response(PRODUCT, 201))
    await client.products.create("SHOE-1")
    await client.products.create("SHOE-1")
    keys = [call.headers["Idempotency-Key"] for call in fake.calls("POST", "products")]
    assert len(set(keys)) == 2


@pytest.mark.parametrize(
    ("status", "slug", "error_class"),
    [
        (400, "bad-request", BadRequestError),
        (404, "not-found", NotFoundError),
        (409, "conflict", ConflictError),
        (422, "validation-failed", ValidationError),
        (500, "internal", ServerError),
    ],
)
async def test_a_client_error_or_a_bug_is_not_retried(
    status: int, slug: str, error_class: type[Exception], client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("GET", "products/SHOE-1")(lambda request: problem_response(status, slug, "No"))
    with pytest.raises(error_class):
        await client.products.retrieve("SHOE-1")
    assert len(fake.calls("GET", "products/SHOE-1")) == 1


async def test_retries_stop_after_max_retries_with_the_last_error(
    client: PimeloClient, fake: FakePimelo, clock: FakeClock
) -> None:
    fake.route("GET", "channels")(lambda request: problem_response(503, "unavailable", "Down"))
    with pytest.raises(ServerError) as raised:
        await client.channels.list()
    assert raised.value.status_code == 503
    assert raised.value.attempts == 1 + c.DEFAULT_MAX_RETRIES
    assert len(fake.calls("GET", "channels")) == 1 + c.DEFAULT_MAX_RETRIES
    assert len(clock.sleeps) == c.DEFAULT_MAX_RETRIES


async def test_backoff_grows_exponentially_with_jitter(
    client: PimeloClient, fake: FakePimelo, clock: FakeClock
) -> None:
    fake.route("GET", "channels")(lambda request: problem_response(502, "bad-gateway", "Down"))
    with pytest.raises(ServerError):
        await client.channels.list()
    for attempt, slept in enumerate(clock.sleeps):
        base = min(c.INITIAL_RETRY_DELAY_SECONDS * 2**attempt, c.MAX_RETRY_DELAY_SECONDS)
        assert base * (1 - c.RETRY_JITTER_FRACTION) <= slept <= base


async def test_connection_errors_after_all_retries_raise_api_connection_error(
    client: PimeloClient, fake: FakePimelo
) -> None:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused")

    fake.route("GET", "me")(refuse)
    with pytest.raises(APIConnectionError) as raised:
        await client.me.retrieve()
    assert not isinstance(raised.value, APITimeoutError)
    assert isinstance(raised.value.__cause__, httpx2.ConnectError)
    assert raised.value.path == "/api/v1/me"


async def test_timeouts_after_all_retries_raise_api_timeout_error(
    client: PimeloClient, fake: FakePimelo
) -> None:
    def slow(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("slow")

    fake.route("GET", "me")(slow)
    with pytest.raises(APITimeoutError):
        await client.me.retrieve()


async def test_max_retries_zero_sends_once(fake: FakePimelo, clock: FakeClock) -> None:
    fake.route("GET", "me")(lambda request: problem_response(503, "unavailable", "Down"))
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(fake))
    async with http, PimeloClient(BASE, TOKEN, http_client=http, clock=clock, max_retries=0) as p:
        with pytest.raises(ServerError):
            await p.me.retrieve()
    assert len(fake.requests) == 1


def rate_limited(retry_after: str | None) -> httpx2.Response:
    response = problem_response(429, "rate-limited", "Too many requests")
    if retry_after is not None:
        response.headers["Retry-After"] = retry_after
    return response


@pytest.mark.parametrize(
    ("retry_after", "expected_wait"),
    [
        ("7", 7.0),
        (email.utils.formatdate(1_800_000_000.0 + 12, usegmt=True), 12.0),
        ("99999", c.MAX_SERVER_DELAY_SECONDS),
    ],
)
async def test_a_429_waits_the_retry_after_capped_then_retries(
    retry_after: str,
    expected_wait: float,
    client: PimeloClient,
    fake: FakePimelo,
    clock: FakeClock,
) -> None:
    fake.route("GET", "me")(flaky([rate_limited(retry_after)], json_response({})))
    start = clock.now
    await client.me.retrieve()
    assert len(fake.requests) == 2
    assert clock.now - start == pytest.approx(expected_wait, abs=0.01)


@pytest.mark.parametrize("retry_after", [None, "garbage"])
async def test_a_429_without_a_readable_retry_after_backs_off(
    retry_after: str | None, client: PimeloClient, fake: FakePimelo, clock: FakeClock
) -> None:
    fake.route("GET", "me")(flaky([rate_limited(retry_after)], json_response({})))
    await client.me.retrieve()
    assert len(fake.requests) == 2
    assert 0 < clock.sleeps[0] <= c.INITIAL_RETRY_DELAY_SECONDS


async def test_a_503_with_retry_after_waits_as_told(
    client: PimeloClient, fake: FakePimelo, clock: FakeClock
) -> None:
    unavailable = problem_response(503, "unavailable", "Maintenance")
    unavailable.headers["Retry-After"] = "20"
    fake.route("GET", "me")(flaky([unavailable], json_response({})))
    await client.me.retrieve()
    assert clock.sleeps == [20.0]


async def test_a_retry_that_would_pass_the_call_budget_is_not_attempted(
    fake: FakePimelo, clock: FakeClock
) -> None:
    fake.route("GET", "me")(lambda request: rate_limited("50"))
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(fake))
    async with (
        http,
        PimeloClient(BASE, TOKEN, http_client=http, clock=clock, call_budget_seconds=30) as pimelo,
    ):
        with pytest.raises(RateLimitedError) as raised:
            await pimelo.me.retrieve()
    assert raised.value.retry_after == 50.0
    assert len(fake.requests) == 1
    assert clock.sleeps == []


async def test_a_plain_post_without_idempotency_key_is_not_retried(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "import-export/jobs")(
        lambda request: problem_response(503, "unavailable", "Down")
    )
    with pytest.raises(ServerError):
        await client.request("POST", "import-export/jobs", json={})
    assert len(fake.requests) == 1


async def test_a_post_search_through_the_low_level_request_is_retried(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "entities/brand/search")(
        flaky([transient("503")], json_response({"items": [], "search_after": None}))
    )
    response = await client.request("POST", "entities/brand/search", json={})
    assert response.status_code == 200
    assert len(fake.requests) == 2


async def test_a_conflict_after_a_lost_answer_says_how_many_attempts_were_made(
    client: PimeloClient, fake: FakePimelo
) -> None:
    fake.route("POST", "products")(
        flaky([httpx2.ReadError("reset")], problem_response(409, "conflict", "Exists"))
    )
    with pytest.raises(ConflictError) as raised:
        await client.products.create("SHOE-1")
    assert raised.value.attempts == 2
