"""Stdio start-up: spawn → answered `initialize` + `tools/list`, pimelo-mcp next to a bare SDK server.

Run: `.venv/bin/python benchmarks/startup.py [RUNS]` (default 15). Measures, never asserts.

What Claude Desktop pays on every launch. Each run spawns a fresh process, sends
`initialize` (2025-11-25), `notifications/initialized` and `tools/list` over stdin, and
stops the clock when the `tools/list` answer arrives. Runs of the servers alternate, so a
busy machine slows them alike. pimelo-mcp needs an API for `GET /me` at start: a sandbox
process, started once, serves it; the cost of one `GET /me` from a fresh process-like
client (new connection) is reported on its own line. The figures are medians.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

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

# What pimelo-mcp's stdio path does (pimelo_mcp/cli.py): the SDK's sse_starlette dependency
# imports uvicorn when it can, which a stdio server never uses.
HIDE_UVICORN = """
import sys

sys.modules["uvicorn"] = None
"""

# Where pimelo-mcp's surplus goes, measured inside one fresh process per run.
BREAKDOWN = """
import sys, time
sys.modules["uvicorn"] = None
t0 = time.perf_counter()
import mcp.server.mcpserver
t1 = time.perf_counter()
import pimelo_mcp.commands
from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server
t2 = time.perf_counter()
build_server(Settings(api_token="pim_benchmark", base_url="http://x/api/v1/", audit_path=None))
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
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


def handshake(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds from spawn to the `tools/list` answer, and the number of tools listed."""
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
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
    return elapsed, len(tools)


@contextmanager
def sandbox() -> Iterator[tuple[str, str]]:
    """A sandbox process on a free port: (base URL, full-access token)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0", "--products", "100"],
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


def me_request(base_url: str, token: str) -> float:
    """One `GET /me` on a new connection, as the server's start makes it."""
    with httpx2.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as http:
        started = time.perf_counter()
        http.get("me").raise_for_status()
        return time.perf_counter() - started


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    with tempfile.TemporaryDirectory() as tmp, sandbox() as (base_url, token):
        bare_path = Path(tmp) / "bare_server.py"
        bare_path.write_text(BARE_SERVER)
        hidden_path = Path(tmp) / "bare_server_no_uvicorn.py"
        hidden_path.write_text(HIDE_UVICORN + BARE_SERVER)
        pimelo_env = {
            **base_env,
            "PIMELO_API_TOKEN": token,
            "PIMELO_BASE_URL": base_url,
            "PIMELO_AUDIT_LOG": "off",
        }
        cases: list[tuple[str, list[str], dict[str, str]]] = [
            ("python -c pass (interpreter only)", [sys.executable, "-c", "pass"], base_env),
            ("bare MCPServer, 1 tool", [sys.executable, str(bare_path)], base_env),
            ("bare MCPServer, uvicorn hidden", [sys.executable, str(hidden_path)], base_env),
            (
                "pimelo-mcp (stdio, /me on sandbox)",
                [sys.executable, "-m", "pimelo_mcp"],
                pimelo_env,
            ),
        ]
        times: dict[str, list[float]] = {label: [] for label, _, _ in cases}
        listed: dict[str, int] = {}
        for _ in range(runs):
            for label, command, env in cases:
                if label.startswith("python -c"):
                    started = time.perf_counter()
                    subprocess.run(command, env=env, check=True)
                    times[label].append(time.perf_counter() - started)
                    continue
                elapsed, count = handshake(command, env)
                times[label].append(elapsed)
                listed[label] = count
        me = [me_request(base_url, token) for _ in range(runs)]
        parts: list[list[float]] = [[], [], []]
        for _ in range(runs):
            done = subprocess.run(
                [sys.executable, "-c", BREAKDOWN],
                env=base_env,
                check=True,
                capture_output=True,
                text=True,
            )
            for index, value in enumerate(done.stdout.split()):
                parts[index].append(float(value))

    bare = statistics.median(times["bare MCPServer, 1 tool"])
    print(f"Stdio start-up, median of {runs} runs (spawn → initialize + tools/list answered)\n")
    print("| server | tools | median ms | min ms | vs bare |")
    print("|---|---:|---:|---:|---:|")
    for label, values in times.items():
        median = statistics.median(values)
        ratio = f"{(median / bare - 1) * 100:+.1f} %" if label in listed else ""
        print(
            f"| {label} | {listed.get(label, '')} | {median * 1000:.0f} | "
            f"{min(values) * 1000:.0f} | {ratio} |"
        )
    print(
        f"| one GET /me to the sandbox (new connection) | | {statistics.median(me) * 1000:.1f} | "
        f"{min(me) * 1000:.1f} | |"
    )
    print("\nInside one process (median ms): where pimelo-mcp's surplus goes\n")
    print(
        "| import the SDK (uvicorn hidden) | import pimelo-mcp's stdio path | build_server (14 tools) |"
    )
    print("|---:|---:|---:|")
    cells = [f"{statistics.median(values) * 1000:.0f}" for values in parts]
    print(f"| {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
