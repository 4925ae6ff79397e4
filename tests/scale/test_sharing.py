"""What workers and replicas share, in one process: settings, keys, the limiter's use of a
shared budget, and the clear 503 while the store is down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp.server.request_state import InvalidRequestState, RequestStateBoundary
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import Receive, Scope, Send

from pimelo_mcp.client._budget import StoreUnavailable, Turn
from pimelo_mcp.client._ratelimit import RateLimiter, use_shared_budget
from pimelo_mcp.config import ConfigError, HttpSettings, OAuthSettings, Settings
from pimelo_mcp.http import StoreOutageAnswers
from pimelo_mcp.oauth.assembly import load_keys
from pimelo_mcp.oauth.crypto import Keys
from pimelo_mcp.server import build_server
from tests.client.client_fakes import FakeClock

SECRET = "a-shared-secret-for-every-replica-0123456789"


# -- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["0", "-1", "two", "65", "1.5"])
def test_a_worker_count_out_of_range_says_what_it_must_be(text: str) -> None:
    with pytest.raises(ConfigError, match=r"PIMELO_MCP_WORKERS must be a whole number .* 1 to 64"):
        HttpSettings.from_env({"PIMELO_MCP_WORKERS": text})


def test_worker_count_and_redis_store_from_the_environment() -> None:
    assert HttpSettings.from_env({"PIMELO_MCP_WORKERS": " 3 "}).workers == 3
    assert HttpSettings.from_env({}).workers == 1
    settings = OAuthSettings.from_env({"PIMELO_MCP_STORE": "redis://:pw-1234@cache:6379/0"})
    assert settings.store_url == "redis://:pw-1234@cache:6379/0"
    assert settings.store_given
    assert settings.store_name() == "redis://:***@cache:6379/0"
    assert "pw-1234" not in repr(settings)
    assert not OAuthSettings.from_env({}).store_given


def test_a_store_flag_switches_between_sqlite_and_redis(tmp_path: Path) -> None:
    base = OAuthSettings.from_env({})
    assert base.with_store("redis://cache:6379/1").store_url == "redis://cache:6379/1"
    on_disk = base.with_store("redis://cache:6379/1").with_store(str(tmp_path / "s.sqlite3"))
    assert (on_disk.store_url, on_disk.store_path) == (None, tmp_path / "s.sqlite3")


def test_a_redis_store_without_the_shared_secret_is_refused() -> None:
    settings = OAuthSettings.from_env({"PIMELO_MCP_STORE": "redis://:pw-1234@cache:6379/0"})
    with pytest.raises(ConfigError, match="PIMELO_MCP_SECRET_KEY") as refused:
        load_keys(settings)
    assert "pw-1234" not in str(refused.value)
    assert load_keys(OAuthSettings.from_env({**settings_env(), "PIMELO_MCP_SECRET_KEY": SECRET}))


def settings_env() -> dict[str, str]:
    return {"PIMELO_MCP_STORE": "redis://cache:6379/0"}


# -- request state ------------------------------------------------------------------------


def boundary_of(server: Any) -> RequestStateBoundary:
    return next(
        m for m in server._lowlevel_server.middleware if isinstance(m, RequestStateBoundary)
    )


def test_request_state_sealed_by_one_replica_opens_on_another() -> None:
    settings = Settings(api_token="pim_" + "x" * 30)
    keys_a, keys_b = Keys(SECRET), Keys(SECRET)
    assert keys_a.request_state_key == keys_b.request_state_key
    assert (
        keys_a.request_state_key != Keys("another-secret-0123456789-abcdefghijk").request_state_key
    )
    replica_a = build_server(settings, request_state_keys=[keys_a.request_state_key])
    replica_b = build_server(settings, request_state_keys=[keys_b.request_state_key])
    alone = build_server(settings)
    sealed = boundary_of(replica_a)._security.codec.seal(b"round 1")  # pyright: ignore[reportPrivateUsage]
    assert boundary_of(replica_b)._security.codec.unseal(sealed) == b"round 1"  # pyright: ignore[reportPrivateUsage]
    with pytest.raises(InvalidRequestState, match="unknown key"):
        boundary_of(alone)._security.codec.unseal(sealed)  # pyright: ignore[reportPrivateUsage]


# -- the limiter with a shared budget --------------------------------------------------------


class FakeBudget:
    """A shared window kept in memory, with the store's answers; `down` makes it unreachable."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.ends = float("-inf")
        self.count = 0
        self.window = ""
        self.settled = False
        self.opened = 0.0
        self.down = False
        self.calls: list[tuple[str, Any]] = []

    def _check(self) -> None:
        if self.down:
            raise StoreUnavailable("the shared store redis://fake cannot be reached")

    async def take(
        self, budget: str, *, limit: int, window_seconds: float, places: int = 1, length: float = 0
    ) -> Turn:
        self._check()
        now = self.clock.monotonic()
        if now >= self.ends:
            self.ends, self.count = now + window_seconds, 0
            self.window, self.settled, self.opened = f"opened {now}", False, now
        self.calls.append(("take", limit))
        taken = max(0, min(places, limit - self.count))
        self.count += taken
        sure = max(0.0, min(self.ends, self.opened + length) - now)
        return Turn(taken, self.ends - now, self.window, sure)

    async def settle(
        self, budget: str, *, window: str, answered_ago: float, window_seconds: float
    ) -> None:
        self._check()
        self.calls.append(("settle", (window, answered_ago, window_seconds)))
        ends = self.clock.monotonic() - answered_ago + window_seconds
        if window == self.window and (not self.settled or ends < self.ends):
            self.ends, self.settled = ends, True

    async def hold(self, budget: str, *, limit: int, seconds: float) -> None:
        self._check()
        self.calls.append(("hold", seconds))
        self.ends, self.count = max(self.ends, self.clock.monotonic() + seconds), limit
        self.window = "held"

    async def correct(self, budget: str, *, spent: int, unplaced: int, seconds: float) -> None:
        self._check()
        self.calls.append(("correct", (spent, unplaced, seconds)))
        now = self.clock.monotonic()
        if now >= self.ends:
            self.ends, self.count = now + seconds, spent
            self.window, self.settled, self.opened = f"corrected {now}", True, now
        else:
            self.count += unplaced


HEADERS = {"X-RateLimit-Limit": "3", "X-RateLimit-Remaining": "2", "X-RateLimit-Reset": "10"}


@pytest.fixture
def shared() -> Iterator[tuple[FakeClock, FakeBudget, RateLimiter]]:
    clock = FakeClock()
    budget = FakeBudget(clock)
    use_shared_budget(budget)
    yield clock, budget, RateLimiter(clock, window_seconds=10, budget_key="token-budget")
    use_shared_budget(None)


async def test_requests_take_places_in_the_shared_window_and_wait_for_its_end(
    shared: tuple[FakeClock, FakeBudget, RateLimiter],
) -> None:
    clock, budget, limiter = shared
    await limiter.acquire(None)  # the first: the limit is not known yet, no place taken
    limiter.release(HEADERS, 200)
    assert budget.calls == []
    for _ in range(2):
        await limiter.acquire(None)
        limiter.release(HEADERS, 200)
    # The first answer told the store what the service had spent (1) before any place.
    assert budget.calls[0] == ("correct", (1, 1, 10.0))
    assert budget.count == 3
    started = clock.monotonic()
    await limiter.acquire(None)  # the window is full: wait for its end, then a new one
    assert clock.monotonic() - started >= 10.0
    assert budget.count == 1


async def test_the_first_answer_of_a_window_settles_its_end_at_once(
    shared: tuple[FakeClock, FakeBudget, RateLimiter],
) -> None:
    clock, budget, limiter = shared
    await limiter.acquire(None)  # learns the limit: 3 per 10 s
    limiter.release(HEADERS, 200)
    await limiter.report()
    await clock.sleep(20)  # that window is gone; the next opens with the next request
    first = await limiter.acquire(None)
    second = await limiter.acquire(None)
    assert first is not None
    assert first == second == budget.window
    assert budget.ends - clock.monotonic() == pytest.approx(10 + 0.05 + 0.1)  # the margin's end
    await clock.sleep(0.25)  # the first request's trip
    limiter.release(HEADERS, 200, first)
    await limiter.report()  # told at once, not at the next request
    assert budget.calls[-1] == ("settle", (first, 0.0, pytest.approx(10 + 0.002 + 0.005)))
    # The service's window began before that answer: it ends 10 s (and the slack) after it.
    assert budget.ends - clock.monotonic() == pytest.approx(10.007)
    limiter.release(HEADERS, 200, second)  # a second answer of the same window: nothing to tell
    await limiter.report()
    assert [call for call, _ in budget.calls].count("settle") == 1


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({**HEADERS, "X-RateLimit-Remaining": "0", "Retry-After": "7"}, 429),  # not counted
        ({"Content-Type": "text/html"}, 502),  # a proxy's answer: the service may not have seen it
        (None, None),  # no answer at all
    ],
)
async def test_an_answer_the_service_did_not_count_settles_nothing(
    shared: tuple[FakeClock, FakeBudget, RateLimiter],
    headers: dict[str, str] | None,
    status: int | None,
) -> None:
    _, budget, limiter = shared
    await limiter.acquire(None)
    limiter.release(HEADERS, 200)
    window = await limiter.acquire(None)
    limiter.release(headers, status, window)
    await limiter.report()
    assert "settle" not in [call for call, _ in budget.calls]


async def test_what_went_without_a_place_is_told_before_the_next_request(
    shared: tuple[FakeClock, FakeBudget, RateLimiter],
) -> None:
    # A start-up's GET /me goes before the limit is known: its answer's correction reaches
    # the store at once, so no other process fills the window it opened first.
    _, budget, limiter = shared
    await limiter.acquire(None)
    limiter.release(HEADERS, 200)
    await limiter.report()
    assert budget.calls == [("correct", (1, 1, 10.0))]
    assert budget.count == 1


async def test_places_taken_ahead_are_spent_without_the_store_while_their_window_holds(
    shared: tuple[FakeClock, FakeBudget, RateLimiter],
) -> None:
    clock, budget, limiter = shared
    plenty = {**HEADERS, "X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "299"}
    await limiter.acquire(None)  # learns the limit: 300 per 10 s, so 3 places a take
    limiter.release(plenty, 200)
    await limiter.report()
    await clock.sleep(20)
    takes = lambda: [call for call, _ in budget.calls].count("take")  # noqa: E731
    windows = [await limiter.acquire(None) for _ in range(3)]
    assert takes() == 1  # one store round trip for three requests
    assert len(set(windows)) == 1
    assert budget.count == 3
    await limiter.acquire(None)  # the fourth asks again
    assert takes() == 2
    await clock.sleep(10)  # W after the opening: the window may end any moment now
    await limiter.acquire(None)
    assert takes() == 3  # the two places left from the last take were not spent
    await clock.sleep(20)
    await limiter.acquire(None)  # a new window, two places taken ahead
    assert takes() == 4
    limiter.release({**plenty, "X-RateLimit-Remaining": "0", "Retry-After": "1"}, 429)
    await limiter.acquire(None)  # a 429 drops them: the store is asked (and holds everyone)
    assert takes() > 4
    assert ("hold", 1.0) in budget.calls


async def test_a_full_window_past_the_deadline_is_refused_at_once(
    shared: tuple[FakeClock, FakeBudget, RateLimiter],
) -> None:
    from pimelo_mcp.client._ratelimit import BudgetWaitTooLong

    clock, budget, limiter = shared
    await limiter.acquire(None)
    limiter.release(HEADERS, 200)
    budget.ends, budget.count = clock.monotonic() + 30, 3
    with pytest.raises(BudgetWaitTooLong):
        await limiter.acquire(clock.monotonic() + 5)
    assert limiter.in_flight == 0


async def test_a_429_holds_every_process_through_the_store(
    shared: tuple[FakeClock, FakeBudget, RateLimiter],
) -> None:
    _, budget, limiter = shared
    await limiter.acquire(None)
    limiter.release(HEADERS, 200)
    await limiter.acquire(None)
    limiter.release({**HEADERS, "X-RateLimit-Remaining": "0", "Retry-After": "7"}, 429)
    await limiter.acquire(None)
    assert ("hold", 7.0) in budget.calls


async def test_an_unreachable_store_costs_no_request_and_is_tried_again_later(
    shared: tuple[FakeClock, FakeBudget, RateLimiter], caplog: pytest.LogCaptureFixture
) -> None:
    clock, budget, limiter = shared
    await limiter.acquire(None)
    limiter.release(HEADERS, 200)
    budget.down = True
    await limiter.acquire(None)  # goes, paced by the headers alone
    limiter.release(HEADERS, 200)
    assert "pacing from the rate-limit headers alone" in caplog.text
    budget.down = False
    taken = len([c for c in budget.calls if c[0] == "take"])
    await limiter.acquire(None)  # within the retry delay: the store is not asked
    limiter.release(HEADERS, 200)
    assert len([c for c in budget.calls if c[0] == "take"]) == taken
    await clock.sleep(6)
    await limiter.acquire(None)
    assert len([c for c in budget.calls if c[0] == "take"]) == taken + 1
    assert "pacing through the shared store again" in caplog.text


# -- the 503 while the store is down ---------------------------------------------------------


async def outage_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["path"] == "/after-500":  # Starlette's error middleware: a 500, then re-raise
        await PlainTextResponse("Internal Server Error", status_code=500)(scope, receive, send)
    elif scope["path"] == "/fine":
        await JSONResponse({"ok": True})(scope, receive, send)
        return
    raise StoreUnavailable("the shared store redis://cache:6379/0 cannot be reached")


@pytest.mark.parametrize("path", ["/raised", "/after-500"])
async def test_a_store_outage_is_a_503_with_retry_after(path: str) -> None:
    app = StoreOutageAnswers(outage_app)
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url="http://test"
    ) as http:
        response = await http.get(path)
        assert response.status_code == 503
        assert response.headers["Retry-After"] == "2"
        assert response.json() == {
            "error": "temporarily_unavailable",
            "error_description": "the shared store redis://cache:6379/0 cannot be reached. "
            "Try again in a few seconds.",
        }
        assert (await http.get("/fine")).json() == {"ok": True}


async def test_other_errors_are_not_dressed_as_outages() -> None:
    async def broken(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        async with httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=StoreOutageAnswers(broken)),
            base_url="http://test",
        ) as http:
            await http.get("/")
    await anyio.lowlevel.checkpoint()
