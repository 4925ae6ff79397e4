"""Latency of the remote server: MCP requests over one kept-alive HTTP connection, as an agent sends them.

Run: `.venv/bin/python benchmarks/http_latency.py [REQUESTS]` (default 50). Measures, never asserts.

Two real processes on loopback, as in production: `pimelo-mcp sandbox` (the API, 1,000 demo
products) and `pimelo-mcp serve --transport http` pointed at it with a full-access token.
The client keeps one connection open, as agent frameworks do, so every request after the
first reuses it: the case where a small answer written in two parts used to wait for the
peer's delayed acknowledgement. The tool calls make one to three API requests each, over
the server's own kept-alive connection to the API. Figures are in milliseconds.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx2

from pimelo_mcp.sandbox.demo.catalog import product_at

# Two products of the demo catalog (product i is the same at any catalog size).
FIRST, SECOND = product_at(0)["identifier"], product_at(1)["identifier"]

READY = re.compile(r"^Pimelo sandbox ready at (\S+)$")
TOKEN = re.compile(r"^token full-access (pim_\S+) ")
MCP_URL = re.compile(r"(http://\S+/mcp)\b")
API_KEY = "benchmark-key-" + "x" * 24


@contextmanager
def process(command: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    child = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True
    )
    try:
        yield child
    finally:
        child.terminate()
        child.wait(timeout=20)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()


def sandbox_url_and_token(child: subprocess.Popen[str]) -> tuple[str, str]:
    assert child.stdout is not None
    ready = READY.match(child.stdout.readline().strip())
    token = TOKEN.match(child.stdout.readline().strip())
    if not ready or not token:
        raise RuntimeError("the sandbox did not print its ready line and tokens")
    return ready[1], token[1]


def mcp_url(child: subprocess.Popen[str]) -> str:
    assert child.stderr is not None
    for line in child.stderr:
        found = MCP_URL.search(line)
        if found:
            return found[1]
    raise RuntimeError("the HTTP server stopped before saying where it listens")


def rpc(method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": method}
    if params is not None:
        message["params"] = params
    return message


def call(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return rpc("tools/call", {"name": name, "arguments": arguments})


CASES: list[tuple[str, dict[str, Any]]] = [
    ("ping", rpc("ping")),
    ("tools/list", rpc("tools/list")),
    ("list_channels (2 API requests)", call("list_channels", {})),
    ("get_product", call("get_product", {"identifier": FIRST})),
    ("search_products, 20 results", call("search_products", {"query": "trail", "limit": 20})),
    (
        "update_products, 1 item, dry run",
        call(
            "update_products",
            {"items": [{"identifier": SECOND, "values": {"name": "Trail"}}], "dry_run": True},
        ),
    ),
]


def main() -> None:
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    sandbox_command = [sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0"]
    with process(sandbox_command, env) as sandbox:
        base_url, token = sandbox_url_and_token(sandbox)
        server_env = {
            **env,
            "PIMELO_API_TOKEN": token,
            "PIMELO_BASE_URL": base_url,
            "PIMELO_AUDIT_LOG": "off",
        }
        serve = [sys.executable, "-m", "pimelo_mcp", "serve", "--transport", "http"]
        with process([*serve, "--port", "0", "--api-key", API_KEY], server_env) as server:
            url = mcp_url(server)
            headers = {
                "Authorization": f"Bearer {API_KEY}",
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-11-25",
            }
            rows: list[tuple[str, list[float]]] = []
            with httpx2.Client(headers=headers, timeout=30) as client:
                for label, message in CASES:
                    times: list[float] = []
                    for _ in range(requests):
                        started = time.perf_counter()
                        answer = client.post(url, json=message)
                        times.append(time.perf_counter() - started)
                        answer.raise_for_status()
                        result = answer.json().get("result", {})
                        if result.get("isError"):
                            raise RuntimeError(f"{label} failed: {result['content']}")
                    rows.append((label, times))

    print(f"MCP over streamable HTTP, one kept-alive connection, {requests} requests each (ms)\n")
    print("| request | median | p95 | max |")
    print("|---|---:|---:|---:|")
    for label, times in rows:
        ordered = sorted(times)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        print(
            f"| {label} | {statistics.median(times) * 1000:.1f} | {p95 * 1000:.1f} | "
            f"{ordered[-1] * 1000:.1f} |"
        )


if __name__ == "__main__":
    main()
