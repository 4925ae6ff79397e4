"""Stdio start-up: spawn → answered `initialize` + `tools/list`, pimelo-mcp next to a bare SDK server.

Run: `.venv/bin/python benchmarks/startup.py [RUNS]` (default 15). Measures, never asserts.

What Claude Desktop pays on every launch. Each run spawns a fresh process, sends
`initialize` (2025-11-25), `notifications/initialized` and `tools/list` over stdin, and
stops the clock when the `tools/list` answer arrives. Runs of the servers alternate, so a
busy machine slows them alike. The figures are medians.

pimelo-mcp reads its token's scopes with `GET /me` before it lists tools. A sandbox
process, started once, answers it: directly, and through a proxy that delays every
packet as a distant service would (a round trip per connection and per exchange), to
show that the request overlaps the SDK's import instead of adding to it. After the
listing, pimelo-mcp's first and second `tools/call` (list_channels) are timed: the first
imports the tool's module, builds it and opens the client, which start-up no longer does.

In the development venv `rich` is installed (schemathesis needs it), and the SDK's
MCPServer then loads it for its log handler: about 30 ms, paid by both servers alike. A
plain `pip install pimelo-mcp` has no `rich`.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

import httpx2

BARE_SERVER = '''
from mcp.server.mcpserver import MCPServer

server = MCPServer(name="bare")


@server.tool()
async def echo(text: str) -> str:
    """Say it back."""
    return text


server.run()
'''

# What pimelo-mcp's stdio path does (`uvicorn_hidden` in pimelo_mcp/commands.py): the SDK's
# sse_starlette dependency imports uvicorn when it can, which a stdio server never uses.
HIDE_UVICORN = """
import sys

sys.modules["uvicorn"] = None
"""

# Where pimelo-mcp's surplus goes, measured inside one fresh process per run, step by step as
# the stdio path takes them (but in sequence: the real path overlaps GET /me with the SDK).
BREAKDOWN = """
import os, sys, time
sys.modules["uvicorn"] = None
t0 = time.perf_counter()
from mcp.server.mcpserver import MCPServer
MCPServer(name="bare")
t1 = time.perf_counter()
import anyio
import pimelo_mcp.cli, pimelo_mcp.commands, pimelo_mcp.server
from pimelo_mcp.config import Settings
from pimelo_mcp.scopes import discover_scopes
from pimelo_mcp.server import build_server
t2 = time.perf_counter()
settings = Settings.from_env()
scopes = anyio.run(discover_scopes, settings)
t3 = time.perf_counter()
server = build_server(settings, scopes=scopes)
anyio.run(server.list_tools)
t4 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2, t4 - t3)
"""

READY = re.compile(r"^Pimelo sandbox ready at (\S+)$")
TOKEN = re.compile(r"^token full-access (pim_\S+) ")


def _send(stdin: IO[str], message: dict[str, Any]) -> None:
    stdin.write(json.dumps(message) + "\n")
    stdin.flush()


def _answer(stdout: IO[str], request_id: int) -> dict[str, Any]:
    for line in stdout:
        message = json.loads(line)
        if message.get("id") == request_id:
            return message
    raise RuntimeError(f"the server closed stdout before answering request {request_id}")


def handshake(
    command: list[str], env: dict[str, str], *, calls: int = 0
) -> tuple[float, int, list[float]]:
    """Seconds from spawn to the `tools/list` answer, the number of tools listed, and the
    seconds each of `calls` list_channels calls took after it."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        _send(
            process.stdin,
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "startup-benchmark", "version": "0"},
                },
            },
        )
        _answer(process.stdout, 1)
        _send(process.stdin, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        _send(process.stdin, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        tools = _answer(process.stdout, 2)["result"]["tools"]
        elapsed = time.perf_counter() - started
        call_times: list[float] = []
        for request_id in range(3, 3 + calls):
            call_started = time.perf_counter()
            _send(
                process.stdin,
                {
                    "jsonrpc": "2.0",
                    "id": request_id,
                    "method": "tools/call",
                    "params": {"name": "list_channels", "arguments": {}},
                },
            )
            result = _answer(process.stdout, request_id)["result"]
            if result.get("isError"):
                raise RuntimeError(f"list_channels failed: {result['content']}")
            call_times.append(time.perf_counter() - call_started)
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
    return elapsed, len(tools), call_times


@contextmanager
def sandbox() -> Iterator[tuple[str, str]]:
    """A sandbox process on a free port: (base URL, full-access token)."""
    process = subprocess.Popen(
        [
            *[sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0", "--products", "100"],
            # Hundreds of short-lived processes spend one token here within a minute; each
            # would rightly find the budget spent by others and space its requests. A budget
            # this large keeps that spacing negligible, so the calls measure the server.
            *["--rate-limit", "1000000/60"],
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    try:
        ready = READY.match(process.stdout.readline().strip())
        token = TOKEN.match(process.stdout.readline().strip())
        if not ready or not token:
            raise RuntimeError("the sandbox did not print its ready line and tokens")
        yield ready[1], token[1]
    finally:
        process.terminate()
        process.wait(timeout=15)
        process.stdout.close()


@contextmanager
def distant(base_url: str, round_trip: float) -> Iterator[str]:
    """`base_url` behind a TCP proxy that delays as a service `round_trip` seconds away would.

    A new connection waits one round trip (the TCP handshake), and every chunk waits half of
    one on its way in each direction. The base URL to use instead is yielded.
    """
    target = urlsplit(base_url)
    loop = asyncio.new_event_loop()
    bound: list[int] = []

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                await asyncio.sleep(round_trip / 2)
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()

    async def relay(client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        await asyncio.sleep(round_trip)
        server_r, server_w = await asyncio.open_connection(target.hostname, target.port)
        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))

    async def listen() -> asyncio.Server:
        server = await asyncio.start_server(relay, "127.0.0.1", 0)
        bound.append(server.sockets[0].getsockname()[1])
        return server

    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    server = asyncio.run_coroutine_threadsafe(listen(), loop).result(timeout=10)
    try:
        yield f"{target.scheme}://127.0.0.1:{bound[0]}{target.path}"
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


def me_request(base_url: str, token: str) -> float:
    """One `GET /me` on a new connection, as the server's start makes it."""
    with httpx2.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as http:
        started = time.perf_counter()
        http.get("me").raise_for_status()
        return time.perf_counter() - started


ROUND_TRIP = 0.1  # seconds: a service on another continent


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    with (
        tempfile.TemporaryDirectory() as tmp,
        sandbox() as (base_url, token),
        distant(base_url, ROUND_TRIP) as far_url,
    ):
        bare_path = Path(tmp) / "bare_server.py"
        bare_path.write_text(BARE_SERVER)
        hidden_path = Path(tmp) / "bare_server_no_uvicorn.py"
        hidden_path.write_text(HIDE_UVICORN + BARE_SERVER)

        def pimelo_env(url: str) -> dict[str, str]:
            return {
                **base_env,
                "PIMELO_API_TOKEN": token,
                "PIMELO_BASE_URL": url,
                "PIMELO_AUDIT_LOG": "off",
            }

        far_label = f"pimelo-mcp, /me {ROUND_TRIP * 1000:.0f} ms round trip away"
        cases: list[tuple[str, list[str], dict[str, str]]] = [
            ("python -c pass (interpreter only)", [sys.executable, "-c", "pass"], base_env),
            ("bare MCPServer, 1 tool", [sys.executable, str(bare_path)], base_env),
            ("bare MCPServer, uvicorn hidden", [sys.executable, str(hidden_path)], base_env),
            (
                "pimelo-mcp (stdio, /me on local sandbox)",
                [sys.executable, "-m", "pimelo_mcp"],
                pimelo_env(base_url),
            ),
            (far_label, [sys.executable, "-m", "pimelo_mcp"], pimelo_env(far_url)),
        ]
        times: dict[str, list[float]] = {label: [] for label, _, _ in cases}
        listed: dict[str, int] = {}
        first_calls: list[float] = []
        second_calls: list[float] = []
        for _ in range(runs):
            for label, command, env in cases:
                if label.startswith("python -c"):
                    started = time.perf_counter()
                    subprocess.run(command, env=env, check=True)
                    times[label].append(time.perf_counter() - started)
                    continue
                local_pimelo = label.startswith("pimelo-mcp (stdio")
                elapsed, count, calls = handshake(command, env, calls=2 if local_pimelo else 0)
                times[label].append(elapsed)
                listed[label] = count
                if calls:
                    first_calls.append(calls[0])
                    second_calls.append(calls[1])
        me = [me_request(base_url, token) for _ in range(runs)]
        far_me = [me_request(far_url, token) for _ in range(min(runs, 5))]
        parts: list[list[float]] = [[], [], [], []]
        for _ in range(runs):
            done = subprocess.run(
                [sys.executable, "-c", BREAKDOWN],
                env=pimelo_env(base_url),
                check=True,
                capture_output=True,
                text=True,
            )
            for index, value in enumerate(done.stdout.split()):
                parts[index].append(float(value))

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:.0f}"

    bare = statistics.median(times["bare MCPServer, 1 tool"])
    hidden = statistics.median(times["bare MCPServer, uvicorn hidden"])
    print(f"Stdio start-up, median of {runs} runs (spawn → initialize + tools/list answered)\n")
    print("| server | tools | median ms | min ms | vs bare | vs bare, uvicorn hidden |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, values in times.items():
        median = statistics.median(values)
        versus = (
            f"{(median / bare - 1) * 100:+.1f} % | {(median / hidden - 1) * 100:+.1f} %"
            if label in listed
            else " | "
        )
        print(
            f"| {label} | {listed.get(label, '')} | {median * 1000:.0f} | "
            f"{min(values) * 1000:.0f} | {versus} |"
        )
    print(f"| one GET /me to the local sandbox (new connection) | | {ms(me)} | | | |")
    print(f"| one GET /me through the {ROUND_TRIP * 1000:.0f} ms proxy | | {ms(far_me)} | | | |")
    print("\nAfter start-up (median ms): pimelo-mcp's list_channels, local sandbox\n")
    print("| first call (imports and builds the tool, opens the client) | second call |")
    print("|---:|---:|")
    print(f"| {ms(first_calls)} | {ms(second_calls)} |")
    print("\nInside one process, in sequence (median ms): where pimelo-mcp's surplus goes\n")
    print(
        "| SDK import + bare MCPServer (uvicorn hidden) | pimelo-mcp's stdio modules "
        "| GET /me: client, TLS context, request | build_server + tools/list |"
    )
    print("|---:|---:|---:|---:|")
    print(f"| {' | '.join(ms(values) for values in parts)} |")


if __name__ == "__main__":
    main()
