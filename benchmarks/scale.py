"""Throughput and latency of `get_product` over HTTP: one worker, two workers, two replicas.

Run: `.venv/bin/python benchmarks/scale.py [--clients 10] [--seconds 10]`. Measures,
never asserts. Needs `redis-server` for the replicas (Debian: apt-get install redis-server).

Real processes on loopback: `pimelo-mcp sandbox` (rate limit raised out of the way), a
`redis-server`, and `pimelo-mcp serve --transport http` as
- one process;
- `--workers 2` (one port, the kernel spreads connections);
- two replicas on Redis behind a small round-robin TCP proxy written here (each new
  connection goes to the next replica, as a load balancer would).
CLIENTS tasks each keep one connection and call `get_product` back to back for SECONDS.
Everything shares the machine's cores with the sandbox and the load itself, so compare
rows with each other, on the same machine. Figures: calls a second, p50 and p99 in ms.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import anyio
import httpx2

from pimelo_mcp.sandbox.demo.catalog import product_at

KEY = "pmk_benchmark_scale_0123456789abcdef"
TOKEN = "pim_benchmark_scale_token_0123456789"
TOKEN_SCOPES = "products:read,attributes:read,settings:read"
SECRET = "benchmark-scale-secret-0123456789abcdefgh"
READY = "pimelo-mcp HTTP server ready at "
PRODUCT = product_at(0)["identifier"]


@dataclass
class Row:
    name: str
    calls: int
    errors: int
    seconds: float
    latencies: list[float]

    def line(self) -> str:
        ordered = sorted(self.latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else 0.0
        median = statistics.median(ordered) if ordered else 0.0
        return (
            f"{self.name:<34} {self.calls:>7} {self.errors:>6} "
            f"{self.calls / self.seconds:>9.1f} {median * 1000:>8.1f} {p99 * 1000:>8.1f}"
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def process(command: list[str], env: dict[str, str], ready: str) -> Iterator[str]:
    """Start `command`; yields the rest of its first output line starting with `ready`."""
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(ready):
                threadless_drain(proc)
                yield line.removeprefix(ready).strip()
                break
        else:
            raise SystemExit(f"{command[3:5]} did not start")
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def threadless_drain(proc: subprocess.Popen[str]) -> None:
    """Keep reading the process's output so that it never blocks on a full pipe."""
    import threading

    assert proc.stdout is not None
    stream = proc.stdout
    threading.Thread(target=lambda: [None for _ in stream], daemon=True).start()


@contextmanager
def redis_server() -> Iterator[str]:
    command = shutil.which("redis-server")
    if command is None:
        raise SystemExit("needs redis-server (Debian: apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [command, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("redis-server did not start") from None
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def server_env(base_url: str, token: str, store: str | None, tmp: str, name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    env.update(
        PIMELO_BASE_URL=base_url,
        PIMELO_API_TOKEN=token,
        PIMELO_MCP_API_KEYS=KEY,
        PIMELO_AUDIT_LOG="off",
        PIMELO_LOG_LEVEL="WARNING",
        PIMELO_MCP_SECRET_KEY=SECRET,
        XDG_STATE_HOME=os.path.join(tmp, name),
    )
    if store:
        env["PIMELO_MCP_STORE"] = store
    return env


def serve(env: dict[str, str], *extra: str) -> tuple[list[str], dict[str, str]]:
    command = [sys.executable, "-m", "pimelo_mcp", "serve", "--transport", "http"]
    return [*command, "--port", str(free_port()), *extra], env


async def round_robin_proxy(backends: list[int], ready: anyio.Event, port: int) -> None:
    """Each new connection to `port` goes to the next backend port, bytes copied both ways."""
    turn = itertools.cycle(backends)

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", next(turn))
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        except (ConnectionError, asyncio.CancelledError):  # a backend gone, or the run's end
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port)
    async with server:
        ready.set()
        await server.serve_forever()


async def load(url: str, clients: int, seconds: float, name: str) -> Row:
    body = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "get_product", "arguments": {"identifier": PRODUCT}},
    }
    headers = {
        "Authorization": f"Bearer {KEY}",
        "Content-Type": "application/json",
        "Accept": "application/json, text/event-stream",
        "MCP-Protocol-Version": "2025-11-25",
    }
    latencies: list[float] = []
    errors = 0

    async def client() -> None:
        nonlocal errors
        async with httpx2.AsyncClient(timeout=30) as http:
            await http.post(url, json=body, headers=headers)  # warm: connection, caches
            while time.perf_counter() < end:
                started = time.perf_counter()
                response = await http.post(url, json=body, headers=headers)
                if response.status_code == 200 and '"isError":true' not in response.text:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

    end = time.perf_counter() + seconds
    async with anyio.create_task_group() as group:
        for _ in range(clients):
            group.start_soon(client)
    return Row(name, len(latencies), errors, seconds, latencies)


async def with_proxy(url_ports: list[int], clients: int, seconds: float) -> Row:
    port = free_port()
    ready = anyio.Event()
    rows: list[Row] = []
    async with anyio.create_task_group() as group:
        group.start_soon(round_robin_proxy, url_ports, ready, port)
        await ready.wait()
        url = f"http://127.0.0.1:{port}/mcp"
        rows.append(await load(url, clients, seconds, "2 replicas, round-robin proxy"))
        group.cancel_scope.cancel()
    return rows[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    import tempfile

    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        sandbox_url = stack.enter_context(
            process(
                [
                    *(sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0"),
                    *("--rate-limit", "100000000/60", "--token", f"{TOKEN}={TOKEN_SCOPES}"),
                ],
                dict(os.environ),
                "Pimelo sandbox ready at ",
            )
        )
        token = TOKEN
        redis_url = stack.enter_context(redis_server())
        for name, workers in (("1 process", "1"), ("--workers 2", "2")):
            command, env = serve(
                server_env(sandbox_url, token, None, tmp, name), "--workers", workers
            )
            with process(command, env, READY) as url:
                rows.append(anyio.run(load, url, args.clients, args.seconds, name))
        ports: list[int] = []
        for name in ("a", "b"):
            command, env = serve(server_env(sandbox_url, token, redis_url, tmp, name))
            url = stack.enter_context(process(command, env, READY))
            ports.append(int(url.rsplit(":", 1)[1].split("/")[0]))
        rows.append(anyio.run(with_proxy, ports, args.clients, args.seconds))
    print(
        f"get_product over HTTP, {args.clients} clients, {args.seconds:.0f} s each, {os.cpu_count()} cores"
    )
    head = f"{'setup':<34} {'calls':>7} {'errors':>6} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8}"
    print(head)
    print("-" * len(head))
    for row in rows:
        print(row.line())


if __name__ == "__main__":
    main()
