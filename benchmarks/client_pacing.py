"""Measure the client's rate-limit pacing against the sandbox limited to 60 requests per 10 s.

1. one client, 200 concurrent reads (in-process sandbox over ASGITransport);
2. two processes sharing one token, 100 concurrent reads each (a real `pimelo-mcp sandbox`).

For each: 429s the service sent, 429s surfaced to callers (should be 0), total time, and the
least time the limit allows. Measures, never asserts. Takes about a minute of real time.

    .venv/bin/python benchmarks/client_pacing.py
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

import anyio
import httpx2

from pimelo_mcp.client import PimeloClient, RateLimitedError

LIMIT, WINDOW = 60, 10
TOKEN = "pim_benchmark_pacing_token"


@dataclass
class Run:
    requests: int
    ok: int
    surfaced_429: int
    other_errors: int
    service_429: int
    seconds: float


class CountingTransport(httpx2.AsyncBaseTransport):
    """Wraps a transport and counts the 429 answers the service sent."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self.inner = inner
        self.service_429 = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        if response.status_code == 429:
            self.service_429 += 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def concurrent_reads(base_url: str, transport: httpx2.AsyncBaseTransport, count: int) -> Run:
    counting = CountingTransport(transport)
    ok = surfaced = other = 0
    started = time.perf_counter()
    async with (
        httpx2.AsyncClient(transport=counting) as http,
        PimeloClient(base_url, TOKEN, http_client=http) as client,
    ):

        async def one() -> None:
            nonlocal ok, surfaced, other
            try:
                await client.channels.list(limit=1)
                ok += 1
            except RateLimitedError:
                surfaced += 1
            except Exception:
                other += 1

        async with anyio.create_task_group() as group:
            for _ in range(count):
                group.start_soon(one)
    return Run(count, ok, surfaced, other, counting.service_429, time.perf_counter() - started)


def least_seconds(count: int) -> float:
    """The limit allows LIMIT at once, then LIMIT more per window: the last batch starts here."""
    return (math.ceil(count / LIMIT) - 1) * WINDOW


async def in_process(count: int) -> Run:
    from pimelo_mcp.sandbox.app import create_app
    from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
    from pimelo_mcp.sandbox.settings import SCOPES, SandboxSettings

    app = create_app(
        SandboxSettings(
            products=10,
            rate_limit=RateLimit(requests=LIMIT, seconds=WINDOW),
            tokens=(TokenSpec(TOKEN, SCOPES),),
        )
    )
    return await concurrent_reads("http://sandbox/api/v1/", httpx2.ASGITransport(app=app), count)


def two_processes(count_each: int) -> list[Run]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pimelo_mcp",
            "sandbox",
            "--port",
            "0",
            "--products",
            "10",
            "--rate-limit",
            f"{LIMIT}/{WINDOW}",
            "--token",
            f"{TOKEN}=settings:read",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = ""
        for line in server.stdout:
            if line.startswith("Pimelo sandbox ready at "):
                base_url = line.removeprefix("Pimelo sandbox ready at ").strip()
                break
        if not base_url:
            raise RuntimeError("the sandbox did not start")
        workers = [
            subprocess.Popen(
                [sys.executable, __file__, "--worker", base_url, str(count_each)],
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        return [Run(**json.loads(worker.communicate()[0])) for worker in workers]
    finally:
        server.terminate()
        server.wait(timeout=10)


def worker(base_url: str, count: int) -> None:
    run = anyio.run(concurrent_reads, base_url, httpx2.AsyncHTTPTransport(), count)
    print(json.dumps(asdict(run)))


def table(rows: list[tuple[str, Run, float | None]]) -> str:
    head = f"{'scenario':<34} {'reqs':>5} {'ok':>5} {'429 sent':>9} {'429 surfaced':>13} {'other err':>10} {'seconds':>8} {'least':>6}"
    lines = [head, "-" * len(head)]
    for name, run, least in rows:
        lines.append(
            f"{name:<34} {run.requests:>5} {run.ok:>5} {run.service_429:>9} {run.surfaced_429:>13} "
            f"{run.other_errors:>10} {run.seconds:>8.1f} "
            + (f"{least:>6.0f}" if least is not None else f"{'-':>6}")
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--worker", nargs=2, metavar=("BASE_URL", "COUNT"))
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]))
        return
    one = anyio.run(in_process, args.count)
    both = two_processes(args.count // 2)
    combined = Run(
        requests=sum(r.requests for r in both),
        ok=sum(r.ok for r in both),
        surfaced_429=sum(r.surfaced_429 for r in both),
        other_errors=sum(r.other_errors for r in both),
        service_429=sum(r.service_429 for r in both),
        seconds=max(r.seconds for r in both),
    )
    print(f"limit {LIMIT} requests per {WINDOW} s per token")
    print(
        table(
            [
                (f"one client, {args.count} concurrent", one, least_seconds(args.count)),
                ("process A (shared token)", both[0], None),
                ("process B (shared token)", both[1], None),
                ("both processes", combined, least_seconds(args.count)),
            ]
        )
    )


if __name__ == "__main__":
    main()
