"""Throughput and latency of `get_product` over HTTP: one worker, two workers, two replicas.

Run: `.venv/bin/python -m benchmarks.scale [--clients 10] [--seconds 5] [--rounds 3]`.
Measures, never asserts. Needs `redis-server` for the replicas (Debian: redis-server).

Real processes on loopback: `pimelo-mcp sandbox` (rate limit raised out of the way), a
`redis-server`, and `pimelo-mcp serve --transport http` as
- one worker;
- `--workers 2` (one port, the kernel spreads connections);
- two replicas on Redis behind a small round-robin TCP proxy in the load generator's process
  (each new connection goes to the next replica, as a load balancer would).
CLIENTS connections each call `get_product` back to back for SECONDS, from a load generator
that sends pre-built requests (`benchmarks/http_load.py`); the setups take turns, ROUNDS
times, and calls/s is the median of a setup's turns. Twice: first with the light upstream
(`benchmarks/light_upstream.py`, the sandbox's answers replayed), so that the servers, not
the upstream, are what fills the cores; then with the sandbox itself as the upstream, so that
nothing is hidden. Each row also says the CPU each part spent per call, from /proc.
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
from dataclasses import dataclass, field

from benchmarks.http_load import Load, drive, request_bytes
from benchmarks.light_upstream import READY as LIGHT_READY
from pimelo_mcp.sandbox.demo.catalog import product_at

KEY = "pmk_benchmark_scale_0123456789abcdef"
TOKEN = "pim_benchmark_scale_token_0123456789"
TOKEN_SCOPES = "products:read,attributes:read,settings:read"
SECRET = "benchmark-scale-secret-0123456789abcdefgh"
READY = "pimelo-mcp HTTP server ready at "
PRODUCT = product_at(0)["identifier"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def process(
    command: list[str], env: dict[str, str], ready: str
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start `command`; yields it and the rest of its first output line starting with `ready`."""
    proc = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith(ready):
                threadless_drain(proc)
                yield proc, line.removeprefix(ready).strip()
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
def redis_server() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
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
        yield proc, f"redis://127.0.0.1:{port}/0"
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


async def round_robin_proxy(backends: list[int], port: int) -> asyncio.Server:
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

    return await asyncio.start_server(handle, "127.0.0.1", port)


def tool_call(url: str) -> bytes:
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
    return request_bytes(url, headers, body)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and every child it has now."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as children:
            return total + sum(cpu_seconds(int(child)) for child in children.read().split())
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


@dataclass
class Setup:
    name: str
    url: str
    pids: list[int]  # the server's processes (a parent with its workers, or each replica)
    proxied: list[int] | None = None  # replica ports behind the round-robin proxy
    loads: list[Load] = field(default_factory=list[Load])
    cpu: dict[str, float] = field(default_factory=dict[str, float])  # process → CPU seconds


async def batch(setup: Setup, clients: int, seconds: float) -> Load:
    if setup.proxied is None:
        return await drive(setup.url, tool_call(setup.url), clients, seconds)
    port = free_port()
    proxy = await round_robin_proxy(setup.proxied, port)
    async with proxy:
        url = f"http://127.0.0.1:{port}/mcp"
        return await drive(url, tool_call(url), clients, seconds)


@dataclass
class Figures:
    """Per setup: calls a second (median of its batches), p50 and p99 ms, CPU shares."""

    upstream: str
    setups: list[Setup]

    def per_second(self, setup: Setup) -> float:
        return statistics.median(load.per_second for load in setup.loads)

    def server_ms(self, setup: Setup) -> float:
        """Server CPU per call (all its processes), ms."""
        return setup.cpu.get("server", 0.0) / max(1, sum(load.calls for load in setup.loads)) * 1000

    def others_ms(self, setup: Setup) -> float:
        """CPU per call of everything else on the machine for this setup: upstream, sandbox,
        Redis, the load generator (and the replicas' proxy, which runs in it), ms."""
        spent = sum(value for name, value in setup.cpu.items() if name != "server")
        return spent / max(1, sum(load.calls for load in setup.loads)) * 1000

    def capacity(self, setup: Setup, processes: int) -> float:
        """Calls a second two free cores would allow at the CPU per call measured: the
        server's processes can use at most `processes` cores, and all parts together two.

        On a machine shared with others this is the figure that does not depend on them:
        Linux gives each autogroup (the processes of one terminal or service) one fair
        share of the CPUs, however many they are, so a second worker gains nothing while
        others keep both cores busy."""
        server, others = self.server_ms(setup), self.others_ms(setup)
        return min(processes * 1000 / server, 2 * 1000 / (server + others))

    def latency_ms(self, setup: Setup, share: float) -> float:
        pooled = Load(latencies=[t for load in setup.loads for t in load.latencies])
        return pooled.percentile(share) * 1000


def measure(
    upstream: str, clients: int, seconds: float, rounds: int, light: bool = True
) -> Figures:
    """One worker, two workers, two replicas behind a proxy; batches interleaved, medians.

    `light`: the replaying upstream (benchmarks/light_upstream.py); else the sandbox itself."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        sandbox, sandbox_url = stack.enter_context(
            process(
                [
                    *(sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0"),
                    *("--products", "20", "--rate-limit", "100000000/60"),
                    *("--token", f"{TOKEN}={TOKEN_SCOPES}"),
                ],
                dict(os.environ),
                "Pimelo sandbox ready at ",
            )
        )
        parts = {"sandbox": sandbox.pid}
        base_url = sandbox_url
        if light:
            replayer, base_url = stack.enter_context(
                process(
                    [sys.executable, "-m", "benchmarks.light_upstream", sandbox_url],
                    dict(os.environ),
                    LIGHT_READY,
                )
            )
            parts["upstream"] = replayer.pid
        redis, redis_url = stack.enter_context(redis_server())
        parts["redis"] = redis.pid
        setups: list[Setup] = []
        for name, workers in (("1 worker", "1"), ("--workers 2", "2")):
            command, env = serve(server_env(base_url, TOKEN, None, tmp, name), "--workers", workers)
            server, url = stack.enter_context(process(command, env, READY))
            setups.append(Setup(name, url, [server.pid]))
        replicas: list[tuple[int, int]] = []
        for name in ("a", "b"):
            command, env = serve(server_env(base_url, TOKEN, redis_url, tmp, name))
            server, url = stack.enter_context(process(command, env, READY))
            replicas.append((server.pid, int(url.rsplit(":", 1)[1].split("/")[0])))
        setups.append(
            Setup(
                "2 replicas, round-robin proxy",
                "",
                [pid for pid, _ in replicas],
                proxied=[port for _, port in replicas],
            )
        )
        for setup in setups:  # warm: tools built, connections pooled, the upstream recorded
            asyncio.run(batch(setup, clients, min(1.0, seconds)))
        for _ in range(rounds):
            for setup in setups:
                before = {name: cpu_seconds(pid) for name, pid in parts.items()}
                before["server"] = sum(cpu_seconds(pid) for pid in setup.pids)
                used = os.times()
                setup.loads.append(asyncio.run(batch(setup, clients, seconds)))
                after = os.times()
                spent = {name: cpu_seconds(pid) - before[name] for name, pid in parts.items()}
                spent["server"] = sum(cpu_seconds(pid) for pid in setup.pids) - before["server"]
                spent["load"] = after.user + after.system - used.user - used.system
                for name, value in spent.items():
                    setup.cpu[name] = setup.cpu.get(name, 0.0) + value
        return Figures(upstream, setups)


def print_figures(figures: Figures, clients: int) -> None:
    print(f"\nget_product over HTTP, {clients} clients, upstream: {figures.upstream}")
    head = (
        f"{'setup':<32} {'calls':>7} {'errors':>6} {'calls/s':>8} {'p50 ms':>7} {'p99 ms':>7}"
        "   CPU per call, ms: server / upstream+sandbox / load generator"
    )
    print(head)
    print("-" * len(head))
    for setup in figures.setups:
        calls = sum(load.calls for load in setup.loads)
        errors = sum(load.errors for load in setup.loads)
        per_call = {name: value / max(1, calls) * 1000 for name, value in setup.cpu.items()}
        upstream = per_call.get("upstream", 0.0) + per_call.get("sandbox", 0.0)
        print(
            f"{setup.name:<32} {calls:>7} {errors:>6} {figures.per_second(setup):>8.0f} "
            f"{figures.latency_ms(setup, 0.5):>7.1f} {figures.latency_ms(setup, 0.99):>7.1f}"
            f"   {per_call.get('server', 0.0):.2f} / {upstream:.2f} / {per_call.get('load', 0.0):.2f}"
        )
    one, two = figures.setups[0], figures.setups[1]
    alone, both = figures.capacity(one, 1), figures.capacity(two, 2)
    print(
        f"two free cores at this CPU per call: 1 worker {alone:.0f}, --workers 2 {both:.0f} "
        f"calls/s = {both / alone:.2f}x (see Figures.capacity)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    for upstream, light in (("light (replayed sandbox answers)", True), ("the sandbox", False)):
        figures = measure(upstream, args.clients, args.seconds, args.rounds, light)
        print_figures(figures, args.clients)
    print(f"\n{os.cpu_count()} cores; batches interleaved, calls/s is the median of {args.rounds}")


if __name__ == "__main__":
    main()
