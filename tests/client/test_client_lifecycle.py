"""The client object: token checks, base URL, owned vs given HTTP clients, and no token anywhere."""

from __future__ import annotations

import logging

import httpx2
import pytest
from client_fakes import BASE, TOKEN, FakeClock, FakePimelo, json_response, problem_response

import pimelo_mcp.client as client_package
from pimelo_mcp.client import (
    DEFAULT_BASE_URL,
    APIConnectionError,
    AuthenticationError,
    InvalidArgumentError,
    PimeloClient,
    PimeloError,
    RateLimitedError,
)


@pytest.mark.parametrize("token", ["", "   ", "abc", "Bearer pim_x", "pim_", "pim_has space"])
def test_a_token_that_is_not_a_pimelo_token_is_refused_at_once(token: str) -> None:
    with pytest.raises(InvalidArgumentError) as raised:
        PimeloClient(token=token)
    assert "pim_" in str(raised.value) or "token" in str(raised.value).lower()
    assert isinstance(raised.value, ValueError)


def test_the_default_base_url_is_the_public_service() -> None:
    client = PimeloClient(token=TOKEN)
    assert client.base_url == DEFAULT_BASE_URL == "https://www.pimelo.app/api/v1/"


def test_a_base_url_without_trailing_slash_still_joins_under_it() -> None:
    assert PimeloClient("http://sandbox/api/v1", TOKEN).base_url == "http://sandbox/api/v1/"


@pytest.mark.parametrize("base_url", ["ftp://x/api/v1/", "not a url", "https://x/api/v1/?a=1"])
def test_a_bad_base_url_is_refused(base_url: str) -> None:
    with pytest.raises(InvalidArgumentError):
        PimeloClient(base_url, TOKEN)


def test_the_client_can_be_made_outside_an_event_loop() -> None:
    client = PimeloClient(token=TOKEN)
    assert client.rate_limiter.paced is None


async def test_async_with_closes_the_http_client_it_opened() -> None:
    async with PimeloClient(BASE, TOKEN) as pimelo:
        http = pimelo._http  # pyright: ignore[reportPrivateUsage]
        assert not http.is_closed
    assert http.is_closed


async def test_async_with_leaves_a_given_http_client_open(
    fake: FakePimelo, clock: FakeClock
) -> None:
    fake.route("GET", "me")(lambda request: json_response({}))
    async with httpx2.AsyncClient(transport=httpx2.MockTransport(fake)) as http:
        async with PimeloClient(BASE, TOKEN, http_client=http, clock=clock) as pimelo:
            await pimelo.me.retrieve()
        assert not http.is_closed
        async with PimeloClient(BASE, TOKEN, http_client=http, clock=clock) as again:
            await again.me.retrieve()


async def test_a_closed_client_refuses_new_calls(fake: FakePimelo, clock: FakeClock) -> None:
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(fake))
    pimelo = PimeloClient(BASE, TOKEN, http_client=http, clock=clock)
    await pimelo.aclose()
    await pimelo.aclose()  # twice is fine
    with pytest.raises(PimeloError):
        await pimelo.me.retrieve()
    await http.aclose()


def test_the_token_is_not_in_the_repr_of_the_client() -> None:
    client = PimeloClient(token=TOKEN)
    assert TOKEN not in repr(client)
    assert TOKEN not in str(client)
    assert "pim_***" in repr(client)
    assert TOKEN not in repr(client.rate_limiter)
    assert TOKEN not in repr(vars(client))


async def test_the_token_is_in_no_error_and_no_log_record(
    fake: FakePimelo, client: PimeloClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake.route("GET", "me")(
        lambda request: problem_response(401, "unauthenticated", "Unauthenticated")
    )

    def limited(request: httpx2.Request) -> httpx2.Response:
        response = problem_response(429, "rate-limited", "Too many")
        response.headers["Retry-After"] = "1"
        return response

    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused")

    fake.route("GET", "channels")(limited)
    fake.route("GET", "locales")(refuse)
    errors: list[PimeloError] = []
    for call, error_class in [
        (client.me.retrieve, AuthenticationError),
        (client.channels.list, RateLimitedError),
        (client.locales.list, APIConnectionError),
    ]:
        with pytest.raises(error_class) as raised:
            await call()
        errors.append(raised.value)
    for error in errors:
        assert TOKEN not in str(error)
        assert TOKEN not in repr(error)
        assert TOKEN not in repr(error.args)
    assert caplog.records, "the client logs its requests at debug level"
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
        assert TOKEN not in repr(record.__dict__)


async def test_the_limiter_registry_never_holds_the_token() -> None:
    from pimelo_mcp.client import _ratelimit

    client = PimeloClient(token=TOKEN)
    assert all(TOKEN not in repr(key) for key in _ratelimit._LIMITERS)  # pyright: ignore[reportPrivateUsage]
    assert client.rate_limiter is not None


def test_all_lists_every_public_name_of_the_package() -> None:
    public = {name for name in vars(client_package) if not name.startswith("_")}
    modules = {"errors", "resources"}
    assert set(client_package.__all__) == public - modules
    for name in client_package.__all__:
        assert hasattr(client_package, name)
