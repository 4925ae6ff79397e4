"""What pimelo-mcp's own layer costs per `get_product`, apart from what its answer carries.

The bare server of `per_call` answers one identifier. pimelo-mcp answers the product (its
values compacted, a text beside the structured part), and the SDK pays for every byte of
that answer on both ends (serialization, the client's check of the structured result
against the output schema). A second baseline, the bare server answering the API's JSON
itself (`bare_server.build(whole_answer=True)`), pays for a product-sized answer with
none of pimelo-mcp's work; the ratio to it is pimelo-mcp's own layer.

- in process: the three through the SDK's `Client`, interleaved (A B C A B C …), each
  side's median of its batches. The client checks a structured result against the tool's
  output schema: pimelo-mcp's typed schema costs that check far more than the whole-answer
  server's plain `object` (docs/performance.md gives the figure);
- stdio: the three as processes, one JSON-RPC pipe each: the time a client waits, and the
  server's own CPU time per call (user + system, from `/proc`);
- HTTP: the server's CPU time per call while ten clients call `get_product` on a kept-alive
  connection each, and the requests per second. Throughput at ten clients is this CPU
  time seen through a machine that the clients and the sandbox share; the CPU time
  itself moves far less from run to run.

    .venv/bin/python -m benchmarks.answer_cost [--quick]

Measures, never asserts.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
from mcp import Client

from benchmarks import bare_server
from benchmarks.in_process import sandbox_http
from benchmarks.per_call import (
    API_KEY,
    BARE_STDIO,
    LISTENING,
    PIMELO_STDIO,
    ROOT,
    PipeServer,
    client_batch,
    environments,
    throughput,
)
from benchmarks.startup import sandbox
from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server

TIMES = "\u00d7"
BARE_HTTP = [sys.executable, "-m", "benchmarks.bare_server", "http"]


@dataclass(frozen=True)
class Three:
    """One figure for pimelo-mcp, the bare server and the whole-answer bare server."""

    pimelo: float
    bare: float
    whole: float


async def in_process(rounds: int, calls: int) -> Three:
    """Median milliseconds per warm get_product through the SDK's in-process Client."""
    token, base_url = "pim_benchmark_answer_cost", "http://sandbox/api/v1/"
    async with sandbox_http(base_url, token) as http:
        settings = Settings(api_token=token, base_url=base_url, audit_path=None)
        async with (
            Client(build_server(settings, http_client=http)) as pimelo,
            Client(bare_server.build(base_url, token, http_client=http)) as bare,
            Client(
                bare_server.build(base_url, token, http_client=http, whole_answer=True)
            ) as whole,
        ):
            sides = [client_batch(client, calls) for client in (pimelo, bare, whole)]
            for side in sides:  # first calls build the tool and load definitions
                await side()
            figures: list[list[float]] = [[], [], []]
            for _ in range(rounds):
                for side, figure in zip(sides, figures, strict=True):
                    figure.append(await side())
    return Three(*(statistics.median(figure) for figure in figures))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stdio_cpu(rounds: int, calls: int) -> tuple[Three, Three]:
    """(median ms per call as the client waits, server CPU ms per call) over stdio."""
    with sandbox() as (base_url, token):
        env = environments(base_url, token)
        sides = [
            PipeServer(PIMELO_STDIO, env),
            PipeServer(BARE_STDIO, env),
            PipeServer([*BARE_STDIO, "whole"], env),
        ]
        try:
            waits: list[list[float]] = [[], [], []]
            cpu: list[list[float]] = [[], [], []]
            for side in sides:  # warm: tools built, definitions loaded
                side.timed_calls(20)
            for _ in range(rounds):
                for side, waited, used in zip(sides, waits, cpu, strict=True):
                    before = cpu_seconds(side.process.pid)
                    waited.append(side.timed_calls(calls))
                    used.append((cpu_seconds(side.process.pid) - before) / calls * 1000)
        finally:
            for side in sides:
                side.close()
    return (
        Three(*(statistics.median(figure) for figure in waits)),
        Three(*(statistics.median(figure) for figure in cpu)),
    )


def http_cpu(rounds: int, clients: int, each: int) -> tuple[Three, Three]:
    """(server CPU milliseconds per call, requests per second), each side's median."""
    base = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}
    with sandbox() as (base_url, token):
        env = environments(base_url, token)
        serve = [*PIMELO_STDIO, "serve", "--transport", "http", "--port", "0"]
        with (
            served([*serve, "--api-key", API_KEY], env) as (pimelo_url, pimelo_pid),
            served(BARE_HTTP, env) as (bare_url, bare_pid),
            served([*BARE_HTTP, "whole"], env) as (whole_url, whole_pid),
        ):
            sides = [
                (pimelo_url, {**base, "Authorization": f"Bearer {API_KEY}"}),
                (bare_url, base),
                (whole_url, base),
            ]
            pids = [pimelo_pid, bare_pid, whole_pid]
            cpu: list[list[float]] = [[], [], []]
            rates: list[list[float]] = [[], [], []]
            for url, headers in sides:  # warm: tools built, definitions loaded
                anyio.run(throughput, url, headers, clients, each)
            for _ in range(rounds):
                for (url, headers), pid, used, rate in zip(sides, pids, cpu, rates, strict=True):
                    before = cpu_seconds(pid)
                    rate.append(anyio.run(throughput, url, headers, clients, each))
                    # `throughput` sends one untimed call per client to open its connection.
                    used.append((cpu_seconds(pid) - before) / (clients * (each + 1)) * 1000)
    return (
        Three(*(statistics.median(figure) for figure in cpu)),
        Three(*(statistics.median(figure) for figure in rates)),
    )


@contextmanager
def served(command: list[str], env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """An HTTP server process: (its MCP URL, its process id)."""
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
        threading.Thread(target=lambda: [None for _ in stderr], daemon=True).start()
        yield found[1], child.pid
    finally:
        child.terminate()
        child.wait(timeout=20)


def rows(rounds: int, calls: int, http_each: int) -> list[tuple[str, str, float, str]]:
    """The figures for `python -m benchmarks`: (key, label, pimelo / whole-answer ratio, shown)."""
    inside = anyio.run(in_process, rounds, calls)
    stdio_wait, stdio_used = stdio_cpu(rounds, calls)
    http_used, http_rates = http_cpu(rounds, 10, http_each)
    measured = [
        ("in_process", "get_product in process, ms", inside, 2),
        ("stdio", "get_product over stdio, ms", stdio_wait, 2),
        ("stdio_cpu", "server CPU per stdio call, ms", stdio_used, 2),
        ("http_cpu", "server CPU per HTTP call (10 clients), ms", http_used, 2),
        ("http_10_clients", "get_product over HTTP, 10 clients, req/s", http_rates, 0),
    ]
    return [
        (
            f"{key}_to_whole_answer",
            f"{label} (pimelo / bare answering the whole product {three.whole:.{digits}f}; "
            f"bare {three.bare:.{digits}f})",
            three.pimelo / three.whole,
            f"{three.pimelo:.{digits}f} = {three.pimelo / three.whole:.2f}{TIMES}",
        )
        for key, label, three, digits in measured
    ]


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    for _, label, _, shown in rows(2 if quick else 6, 30 if quick else 100, 10 if quick else 30):
        print(f"| {label} | {shown} |")


if __name__ == "__main__":
    main(sys.argv[1:])
