"""Test doubles of the client tests: a fake clock that never sleeps, and a scriptable fake Pimelo."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.lowlevel
import httpx2

TOKEN = "pim_test_token_0123456789abcdef"
BASE = "https://pimelo.test/api/v1/"

Handler = Callable[[httpx2.Request], httpx2.Response | Awaitable[httpx2.Response]]


class FakeClock:
    """Time that moves only when someone sleeps; every sleep returns at once.

    A sleep first lets the event loop run a few rounds, so that work already under way
    (a request in flight, an event about to be set) happens "before" the time jump, as it
    would in real time; a sleep cancelled meanwhile moves no time.
    """

    ROUNDS_BEFORE_JUMP = 50

    def __init__(self, start: float = 1000.0, wall: float = 1_800_000_000.0) -> None:
        self.now = start
        self._start = start
        self._wall = wall
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def time(self) -> float:
        return self._wall + (self.now - self._start)

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        target = self.now + max(0.0, seconds)
        for _ in range(self.ROUNDS_BEFORE_JUMP):
            await anyio.lowlevel.checkpoint()
        self.now = max(self.now, target)


def problem(status: int, slug: str, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": f"https://www.pimelo.app/problems/{slug}",
        "title": title,
        "status": status,
        "detail": f"{title}.",
        **extra,
    }


def problem_response(status: int, slug: str, title: str, **extra: Any) -> httpx2.Response:
    return httpx2.Response(
        status,
        content=json.dumps(problem(status, slug, title, **extra)).encode(),
        headers={"Content-Type": "application/problem+json"},
    )


@dataclass
class FakePimelo:
    """A MockTransport handler: routes by (method, path) and an optional fixed-window rate limit."""

    clock: FakeClock
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict[tuple[str, str], Handler])
    limit: int | None = None
    window: float = 60.0
    send_reset: bool = True
    requests: list[httpx2.Request] = field(default_factory=list[httpx2.Request])
    statuses: list[int] = field(default_factory=list[int])
    status_times: list[float] = field(default_factory=list[float])
    window_start: float | None = None
    used: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    latency_checkpoints: int = 3

    def route(self, method: str, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.routes[(method, "/api/v1/" + path)] = handler
            return handler

        return register

    def calls(self, method: str, path: str) -> list[httpx2.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == "/api/v1/" + path]

    async def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            for _ in range(self.latency_checkpoints):  # let other tasks interleave
                await anyio.lowlevel.checkpoint()
            headers: dict[str, str] = {}
            if self.limit is not None:
                now = self.clock.monotonic()
                if self.window_start is None or now >= self.window_start + self.window:
                    self.window_start, self.used = now, 0
                reset = max(0, int(self.window_start + self.window - now + 0.999))
                if self.used >= self.limit:
                    headers = {
                        "X-RateLimit-Limit": str(self.limit),
                        "X-RateLimit-Remaining": "0",
                        "Retry-After": str(reset),
                    }
                    if self.send_reset:
                        headers["X-RateLimit-Reset"] = str(reset)
                    response = problem_response(429, "rate-limited", "Too many requests")
                    response.headers.update(headers)
                    self.statuses.append(429)
                    self.status_times.append(now)
                    return response
                self.used += 1
                headers = {
                    "X-RateLimit-Limit": str(self.limit),
                    "X-RateLimit-Remaining": str(self.limit - self.used),
                    "Retry-After": "0",
                }
                if self.send_reset:
                    headers["X-RateLimit-Reset"] = str(reset)
            handler = self.routes.get((request.method, request.url.path))
            if handler is None:
                response = problem_response(404, "not-found", "Not found")
            else:
                result = handler(request)
                response = result if isinstance(result, httpx2.Response) else await result
            response.headers.update(headers)
            self.statuses.append(response.status_code)
            self.status_times.append(self.clock.monotonic())
            return response
        finally:
            self.in_flight -= 1


def json_response(data: Any, status: int = 200, **headers: str) -> httpx2.Response:
    return httpx2.Response(status, json=data, headers=headers)
