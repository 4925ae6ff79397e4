"""What a `get_product` call costs pimelo-mcp next to a bare `MCPServer` making the same GET.

Every figure is a ratio from one interleaved run (pimelo-mcp, bare, pimelo-mcp, bare …),
each side's median over its batches, so that a busy machine slows both alike:

- in process: the SDK's `Client` on the server object, the sandbox in process too;
- stdio: both servers as processes, one JSON-RPC pipe each, the sandbox a real process;
  with the processes' resident memory idle and after every call;
- HTTP: both served by uvicorn on loopback, stateless with JSON answers as pimelo-mcp
  serves, ten clients at once, each on its own kept-alive connection: requests per second;
- cold start: spawn → `initialize` and `tools/list` answered, over stdio.

Measures, never asserts (benchmarks/__main__.py compares with the budgets).
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import anyio
import httpx2
from mcp import Client

from benchmarks import bare_server
from benchmarks.in_process import sandbox_http
from benchmarks.startup import _answer, _send, handshake, sandbox
from pimelo_mcp.config import Settings
from pimelo_mcp.sandbox.demo.catalog import product_at
from pimelo_mcp.server import build_server

SKU = product_at(0)["identifier"]
ROOT = Path(__file__).resolve().parent.parent
LISTENING = re.compile(r"(http://\S+/mcp)\b")
API_KEY = "benchmark-key-" + "x" * 24
INITIALIZE = {
    "protocolVersion": "2025-11-25",
    "capabilities": {},
    "clientInfo": {"name": "pimelo-benchmark", "version": "0"},
}


@dataclass(frozen=True)
class Pair:
    """One figure for pimelo-mcp and the bare server, each the median of its batches."""

    pimelo: float
    bare: float

    @property
    def ratio(self) -> float:
        return self.pimelo / self.bare


def interleaved(
    rounds: int, pimelo: Callable[[], float], bare: Callable[[], float]
) -> tuple[Pair, list[float], list[float]]:
    """A B A B …: each side's batch figures, and their medians."""
    a: list[float] = []
    b: list[float] = []
    for _ in range(rounds):
        a.append(pimelo())
        b.append(bare())
    return Pair(statistics.median(a), statistics.median(b)), a, b


async def interleaved_async(
    rounds: int, pimelo: Callable[[], Awaitable[float]], bare: Callable[[], Awaitable[float]]
) -> Pair:
    a: list[float] = []
    b: list[float] = []
    for _ in range(rounds):
        a.append(await pimelo())
        b.append(await bare())
    return Pair(statistics.median(a), statistics.median(b))


# -- in process ---------------------------------------------------------------------------


async def in_process(rounds: int, calls: int) -> Pair:
    """Median milliseconds per get_product through the SDK's in-process Client."""
    token, base_url = "pim_benchmark_per_call", "http://sandbox/api/v1/"
    async with sandbox_http(base_url, token) as http:
        settings = Settings(api_token=token, base_url=base_url, audit_path=None)
        async with (
            Client(build_server(settings, http_client=http)) as pimelo,
            Client(bare_server.build(base_url, token, http_client=http)) as bare,
        ):
            await client_batch(pimelo, calls)()  # first calls build the tool, load definitions
            await client_batch(bare, calls)()
            return await interleaved_async(
                rounds, client_batch(pimelo, calls), client_batch(bare, calls)
            )


def client_batch(client: Client, calls: int) -> Callable[[], Awaitable[float]]:
    """A batch of `calls` warm get_product calls through `client`: its median milliseconds."""

    async def run() -> float:
        times: list[float] = []
        for _ in range(calls):
            started = time.perf_counter()
            result = await client.call_tool("get_product", {"identifier": SKU})
            times.append(time.perf_counter() - started)
            if result.is_error:
                raise RuntimeError(f"get_product failed: {result.content}")
        return statistics.median(times) * 1000

    return run


# -- stdio --------------------------------------------------------------------------------


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc: resident memory is measured on Linux only")


class PipeServer:
    """A stdio MCP server process, initialized, answering tools/call one at a time."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=ROOT,
            text=True,
        )
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.stdin: IO[str] = self.process.stdin
        self.stdout: IO[str] = self.process.stdout
        self.next_id = 1
        self.request("initialize", INITIALIZE)
        _send(self.stdin, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        self.request("tools/list", {})

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        request_id = self.next_id
        self.next_id += 1
        _send(self.stdin, {"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
        answer = _answer(self.stdout, request_id)
        if "error" in answer or answer["result"].get("isError"):
            raise RuntimeError(f"{method} failed: {answer}")
        return answer["result"]

    def timed_calls(self, calls: int) -> float:
        times: list[float] = []
        params = {"name": "get_product", "arguments": {"identifier": SKU}}
        for _ in range(calls):
            started = time.perf_counter()
            self.request("tools/call", params)
            times.append(time.perf_counter() - started)
        return statistics.median(times) * 1000

    def close(self) -> None:
        self.stdin.close()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.stdout.close()


@dataclass(frozen=True)
class StdioFigures:
    latency_ms: Pair
    idle_rss_mib: Pair  # after tools/list, before any call
    start_ms: Pair
    soak_calls: int  # pimelo-mcp's calls after its first few
    soak_growth_mib: float  # its resident memory after them, less before them


def environments(base_url: str, token: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    return {
        **env,
        "PIMELO_API_TOKEN": token,
        "PIMELO_BASE_URL": base_url,
        "PIMELO_AUDIT_LOG": "off",
        "PYTHONPATH": str(ROOT),
    }


PIMELO_STDIO = [sys.executable, "-m", "pimelo_mcp"]
BARE_STDIO = [sys.executable, "-m", "benchmarks.bare_server", "stdio"]


def stdio(rounds: int, calls: int, starts: int, soak: int) -> StdioFigures:
    with sandbox() as (base_url, token):
        env = environments(base_url, token)
        start, _, _ = interleaved(
            starts,
            lambda: handshake(PIMELO_STDIO, env)[0] * 1000,
            lambda: handshake(BARE_STDIO, env)[0] * 1000,
        )
        pimelo, bare = PipeServer(PIMELO_STDIO, env), PipeServer(BARE_STDIO, env)
        try:
            idle = Pair(rss_mib(pimelo.process.pid), rss_mib(bare.process.pid))
            pimelo.timed_calls(20)  # the first call builds the tool and loads definitions
            bare.timed_calls(20)
            latency, _, _ = interleaved(
                rounds, lambda: pimelo.timed_calls(calls), lambda: bare.timed_calls(calls)
            )
            # Warm (tool built, caches filled): does memory stay flat call after call?
            before = rss_mib(pimelo.process.pid)
            pimelo.timed_calls(soak)
            growth = rss_mib(pimelo.process.pid) - before
        finally:
            pimelo.close()
            bare.close()
    return StdioFigures(latency, idle, start, soak, growth)


# -- HTTP ---------------------------------------------------------------------------------


@contextmanager
def http_server(command: list[str], env: dict[str, str]) -> Iterator[str]:
    child = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True
    )
    stderr = child.stderr
    assert stderr is not None
    try:
        for line in stderr:
            found = LISTENING.search(line)
            if found:
                break
        else:
            raise RuntimeError(f"{command} stopped before saying where it listens")
        # Keep reading what it logs, so that a full pipe never stalls it.
        drain = threading.Thread(target=lambda: [None for _ in stderr], daemon=True)
        drain.start()
        yield found[1]
    finally:
        child.terminate()
        child.wait(timeout=20)


async def throughput(url: str, headers: dict[str, str], clients: int, each: int) -> float:
    """Requests per second of `clients` concurrent clients, `each` get_product calls apiece."""
    message = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "get_product", "arguments": {"identifier": SKU}},
    }
    sessions = [httpx2.AsyncClient(headers=headers, timeout=60) for _ in range(clients)]
    try:
        for session in sessions:  # open every connection before the clock starts
            (await session.post(url, json=message)).raise_for_status()

        async def one(session: httpx2.AsyncClient) -> None:
            for _ in range(each):
                answer = await session.post(url, json=message)
                answer.raise_for_status()
                if answer.json().get("result", {}).get("isError"):
                    raise RuntimeError(f"get_product failed: {answer.text}")

        started = time.perf_counter()
        async with anyio.create_task_group() as group:
            for session in sessions:
                group.start_soon(one, session)
        return clients * each / (time.perf_counter() - started)
    finally:
        for session in sessions:
            await session.aclose()


def http(rounds: int, clients: int, each: int) -> Pair:
    base = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}
    with sandbox() as (base_url, token), tempfile.TemporaryDirectory():
        env = environments(base_url, token)
        serve = [*PIMELO_STDIO, "serve", "--transport", "http", "--port", "0"]
        with (
            http_server([*serve, "--api-key", API_KEY], env) as pimelo_url,
            http_server([sys.executable, "-m", "benchmarks.bare_server", "http"], env) as bare_url,
        ):
            pimelo_headers = {**base, "Authorization": f"Bearer {API_KEY}"}

            def pimelo() -> float:
                return anyio.run(throughput, pimelo_url, pimelo_headers, clients, each)

            def bare() -> float:
                return anyio.run(throughput, bare_url, base, clients, each)

            pimelo()  # warm: tools built, definitions loaded, connections pooled
            bare()
            pair, _, _ = interleaved(rounds, pimelo, bare)
            return pair
