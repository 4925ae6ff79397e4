"""Three processes spending one Pimelo token: the rate budget shared through Redis, or not.

A real `pimelo-mcp sandbox` limited to LIMIT requests per WINDOW seconds, a real
`redis-server` on a free loopback port, and three processes, each with the pimelo-mcp
client reading `GET /channels` concurrently: first with the shared budget in Redis (what
`serve --store redis://…` does), then pacing from the headers alone. For each: requests,
429s the service sent, 429s surfaced to callers, wall time from the first read, and the
least time the limit allows: N requests (the reads and each process's GET /me at start)
need ceil(N / LIMIT) - 1 whole windows, the last batch going at once. Measures, never asserts. About a minute.

    .venv/bin/python benchmarks/shared_budget.py [--reads 1000] [--limit 200] [--window 5]
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import asdict

import anyio
import httpx2

from benchmarks.client_pacing import Run
from pimelo_mcp.client import PimeloClient, RateLimitedError

TOKEN = "pim_benchmark_shared_budget_token"
PROCESSES = 3
CONCURRENCY = 20  # reads in flight per process


class CountingTransport(httpx2.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx2.AsyncHTTPTransport()
        self.service_429 = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        if response.status_code == 429:
            self.service_429 += 1
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def reads(base_url: str, redis_url: str | None, count: int) -> Run:
    from pimelo_mcp.client._ratelimit import use_shared_budget

    store = None
    if redis_url is not None:
        from pimelo_mcp.oauth.redis_store import RedisStore

        store = RedisStore(redis_url)
        use_shared_budget(store)
    counting = CountingTransport()
    ok = surfaced = other = 0
    async with (
        httpx2.AsyncClient(transport=counting) as http,
        PimeloClient(base_url, TOKEN, http_client=http) as client,
    ):
        await client.me.retrieve()  # what the server does at start: learns the window
        print("ready", flush=True)
        sys.stdin.readline()  # "go": every process starts reading at once
        started = time.perf_counter()
        left = count
        limiter = anyio.Semaphore(CONCURRENCY)

        async def one() -> None:
            nonlocal ok, surfaced, other
            async with limiter:
                try:
                    await client.channels.list(limit=1)
                    ok += 1
                except RateLimitedError:
                    surfaced += 1
                except Exception:
                    other += 1

        async with anyio.create_task_group() as group:
            while left:
                left -= 1
                group.start_soon(one)
        seconds = time.perf_counter() - started
    if store is not None:
        await store.aclose()
    return Run(count, ok, surfaced, other, counting.service_429, seconds)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_redis() -> tuple[subprocess.Popen[bytes], str]:
    command = shutil.which("redis-server")
    if command is None:
        raise SystemExit("needs redis-server (Debian: apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [command, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return process, f"redis://127.0.0.1:{port}/0"
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start") from None
            time.sleep(0.05)


def start_sandbox(limit: int, window: int) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0", "--products", "10"),
            *("--rate-limit", f"{limit}/{window}", "--token", f"{TOKEN}=settings:read"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("Pimelo sandbox ready at "):
            return server, line.removeprefix("Pimelo sandbox ready at ").strip()
    raise SystemExit("the sandbox did not start")


def run_processes(base_url: str, redis_url: str | None, reads: int) -> Run:
    """`reads` in all, spread over the processes (1,000 is 334 + 333 + 333)."""
    command = [sys.executable, __file__, "--worker", base_url, redis_url or "-"]
    workers = [
        subprocess.Popen(
            [*command, str(reads // PROCESSES + (index < reads % PROCESSES))],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(PROCESSES)
    ]
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    runs = [Run(**json.loads(worker.communicate()[0])) for worker in workers]
    return Run(
        requests=sum(r.requests for r in runs),
        ok=sum(r.ok for r in runs),
        surfaced_429=sum(r.surfaced_429 for r in runs),
        other_errors=sum(r.other_errors for r in runs),
        service_429=sum(r.service_429 for r in runs),
        seconds=max(r.seconds for r in runs),
    )


def least_seconds(run: Run, limit: int, window: int) -> float:
    """The least time the limit allows: each process's GET /me at start (it learns the
    window) spends from the same budget; ceil(N / limit) - 1 whole windows."""
    return (math.ceil((run.requests + PROCESSES) / limit) - 1) * window


def shared_in_redis(reads: int, limit: int, window: int, runs: int) -> tuple[Run, float]:
    """The budget shared in Redis, `runs` times, each on a fresh sandbox window: the run of
    median time, and the 429s surfaced in all runs together (for `python -m benchmarks`)."""
    done: list[Run] = []
    redis, redis_url = start_redis()
    try:
        for _ in range(runs):
            sandbox, base_url = start_sandbox(limit, window)
            try:
                done.append(run_processes(base_url, redis_url, reads))
            finally:
                sandbox.terminate()
                sandbox.wait(timeout=10)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    done.sort(key=lambda run: run.seconds)
    median = done[len(done) // 2]
    surfaced = sum(run.surfaced_429 for run in done)
    return Run(**{**asdict(median), "surfaced_429": surfaced}), least_seconds(median, limit, window)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--worker", nargs=3, metavar=("BASE_URL", "REDIS_URL", "COUNT"))
    parser.add_argument("--reads", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--window", type=int, default=5)
    args = parser.parse_args()
    if args.worker:
        base_url, redis_url, count = args.worker
        run = anyio.run(reads, base_url, None if redis_url == "-" else redis_url, int(count))
        print(json.dumps(asdict(run)), flush=True)
        return
    redis, redis_url = start_redis()
    rows: list[tuple[str, Run]] = []
    try:
        for name, url in (("shared budget in Redis", redis_url), ("headers only", None)):
            sandbox, base_url = start_sandbox(args.limit, args.window)  # a fresh window each
            try:
                rows.append((name, run_processes(base_url, url, args.reads)))
            finally:
                sandbox.terminate()
                sandbox.wait(timeout=10)
    finally:
        redis.terminate()
        redis.wait(timeout=10)
    print(f"{PROCESSES} processes, one token, limit {args.limit} requests per {args.window} s")
    head = (
        f"{'pacing':<24} {'reads':>6} {'ok':>6} {'429 sent':>9} {'429 surfaced':>13} "
        f"{'other err':>10} {'seconds':>8} {'least':>6} {'x least':>8}"
    )
    print(head)
    print("-" * len(head))
    for name, run in rows:
        least = least_seconds(run, args.limit, args.window)
        print(
            f"{name:<24} {run.requests:>6} {run.ok:>6} {run.service_429:>9} "
            f"{run.surfaced_429:>13} {run.other_errors:>10} {run.seconds:>8.2f} {least:>6} "
            f"{run.seconds / least if least else float('nan'):>8.3f}"
        )


if __name__ == "__main__":
    main()
