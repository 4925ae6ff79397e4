"""`python -m benchmarks`: every figure of issue 13's budgets in one table, pass or miss.

Runs against the embedded sandbox (in process, or as a loopback process) in a few
minutes. Context figures are deterministic token counts (tests/tools/test_budgets.py
checks them in CI); timing figures are ratios to a bare `MCPServer` whose one tool makes
the same upstream GET (benchmarks/bare_server.py), each from one interleaved run
(A B A B …, medians), so that a busy machine slows both sides alike. Measures, never
asserts: `--json PATH` writes the figures for comparison between runs.

    .venv/bin/python -m benchmarks [--json figures.json] [--quick]
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio

from benchmarks import answer_cost, context, per_call, scale, shared_budget
from benchmarks.client_pacing import in_process as paced_reads
from benchmarks.client_pacing import least_seconds

TIMES = "\N{MULTIPLICATION SIGN}"


@dataclass(frozen=True)
class Figure:
    key: str  # its name in --json
    label: str
    value: float
    shown: str  # the value as the table shows it
    budget: str = ""  # "" for a figure printed for reading, not held to a budget
    holds: bool | None = None


def held(
    key: str,
    label: str,
    value: float,
    shown: str,
    limit: float,
    *,
    at_least: bool = False,
    unit: str = "",
) -> Figure:
    compare: Callable[[float, float], bool] = operator.ge if at_least else operator.le
    sign = "≥" if at_least else "≤"
    return Figure(key, label, value, shown, f"{sign} {limit:,g}{unit}", compare(value, limit))


@dataclass(frozen=True)
class Sizes:
    rounds: int  # A B pairs per timing figure
    calls: int  # calls per batch (in process, stdio)
    starts: int  # cold starts per side
    soak: int  # stdio calls for the memory figure
    http_each: int  # calls per HTTP client per batch
    paced: int  # concurrent reads against a 60 per 10 s limit
    scale_seconds: float = 3.0  # per turn of each setup (1 worker, 2 workers, 2 replicas)
    shared_reads: int = 1_000  # three processes on one token at 50 per 1 s
    shared_runs: int = 3


FULL = Sizes(rounds=6, calls=100, starts=6, soak=10_000, http_each=30, paced=130)
QUICK = Sizes(
    rounds=2,
    calls=30,
    starts=2,
    soak=500,
    http_each=10,
    paced=70,
    scale_seconds=2.0,
    shared_reads=300,
    shared_runs=1,
)


def run(sizes: Sizes) -> list[Figure]:
    figures: list[Figure] = []
    tokens = anyio.run(context.measure)
    figures += [
        held(
            "definitions_tokens",
            "tools: name + description + input schema (tokens)",
            tokens.definitions,
            f"{tokens.definitions:,}",
            2_200,
        ),
        held(
            "tool_list_tokens",
            "whole tools/list result (tokens)",
            tokens.tool_list,
            f"{tokens.tool_list:,}",
            4_500,
        ),
        held(
            "default_search_tokens",
            "default 20-product search, text + structured (tokens)",
            tokens.default_search,
            f"{tokens.default_search:,} (raw API {tokens.raw_search:,})",
            2_500,
        ),
    ]
    for index, (words, calls, spent) in enumerate(tokens.asks, start=1):
        total = tokens.definitions + spent
        figures.append(
            Figure(
                f"ask_{index:02d}_tokens",
                f"ask {index}: {words} ({calls} call{'s' if calls > 1 else ''})",
                total,
                f"{total:,} ({spent:,} in answers)",
            )
        )

    inside = anyio.run(per_call.in_process, sizes.rounds, sizes.calls)
    figures.append(
        held(
            "in_process_ratio",
            f"get_product in process, ms (pimelo / bare {inside.bare:.2f})",
            inside.ratio,
            f"{inside.pimelo:.2f} = {inside.ratio:.2f}{TIMES}",
            1.10,
            unit=TIMES,
        )
    )
    stdio = per_call.stdio(sizes.rounds, sizes.calls, sizes.starts, sizes.soak)
    figures += [
        held(
            "stdio_ratio",
            f"get_product over stdio, ms (pimelo / bare {stdio.latency_ms.bare:.2f})",
            stdio.latency_ms.ratio,
            f"{stdio.latency_ms.pimelo:.2f} = {stdio.latency_ms.ratio:.2f}{TIMES}",
            1.05,
            unit=TIMES,
        ),
        held(
            "cold_start_ratio",
            f"cold start over stdio, ms (pimelo / bare {stdio.start_ms.bare:.0f})",
            stdio.start_ms.ratio,
            f"{stdio.start_ms.pimelo:.0f} = {stdio.start_ms.ratio:.2f}{TIMES}",
            1.15,
            unit=TIMES,
        ),
        held(
            "idle_rss_ratio",
            f"idle RSS over stdio, MiB (pimelo / bare {stdio.idle_rss_mib.bare:.1f})",
            stdio.idle_rss_mib.ratio,
            f"{stdio.idle_rss_mib.pimelo:.1f} = {stdio.idle_rss_mib.ratio:.2f}{TIMES}",
            1.10,
            unit=TIMES,
        ),
        held(
            "soak_growth_mib",
            f"RSS growth over {stdio.soak_calls:,} warm calls, MiB",
            stdio.soak_growth_mib,
            f"{stdio.soak_growth_mib:+.1f}",
            2,
            unit=" MiB",
        ),
    ]
    web = per_call.http(sizes.rounds, 10, sizes.http_each)
    figures.append(
        held(
            "http_10_clients_ratio",
            f"get_product over HTTP, 10 clients, req/s (pimelo / bare {web.bare:.0f})",
            web.ratio,
            f"{web.pimelo:.0f} = {web.ratio:.2f}{TIMES}",
            0.90,
            at_least=True,
            unit=TIMES,
        )
    )
    # Unbudgeted: pimelo-mcp to a bare server whose answer is the whole product (its own layer).
    figures += [
        Figure(*row) for row in answer_cost.rows(sizes.rounds, sizes.calls, sizes.http_each)
    ]
    paced = anyio.run(paced_reads, sizes.paced)
    least = least_seconds(sizes.paced)
    figures += [
        held(
            "surfaced_429s",
            f"{sizes.paced} concurrent reads at 60 per 10 s: 429s surfaced",
            paced.surfaced_429,
            str(paced.surfaced_429),
            0,
        ),
        held(
            "paced_time_ratio",
            f"... their time, s (to the least the limit allows, {least:.0f})",
            paced.seconds / least,
            f"{paced.seconds:.1f} = {paced.seconds / least:.2f}{TIMES}",
            1.10,
            unit=TIMES,
        ),
    ]
    figures += scale_figures(sizes)
    return figures


def scale_figures(sizes: Sizes) -> list[Figure]:
    """Workers and replicas (benchmarks/scale.py), the shared rate budget (shared_budget.py)."""
    figures: list[Figure] = []
    for upstream, light in (("light upstream", True), ("sandbox upstream", False)):
        measured = scale.measure(
            upstream, 10, sizes.scale_seconds, max(3, sizes.rounds // 2), light
        )
        one, two, replicas = measured.setups
        base = measured.per_second(one)
        key = "light" if light else "sandbox"
        for setup, name in ((one, "1 worker"), (two, "--workers 2"), (replicas, "2 replicas")):
            rate = measured.per_second(setup)
            shown = (
                f"{rate:.0f} = {rate / base:.2f}{TIMES} (p50 {measured.latency_ms(setup, 0.5):.0f},"
                f" p99 {measured.latency_ms(setup, 0.99):.0f} ms; {measured.server_ms(setup):.2f} ms CPU)"
            )
            label = f"HTTP, 10 clients, {upstream}: {name}, calls/s (to 1 worker)"
            if light and setup is two:
                figures.append(
                    held(
                        f"workers_2_{key}",
                        label,
                        rate / base,
                        shown,
                        1.6,
                        at_least=True,
                        unit=TIMES,
                    )
                )
            else:
                figures.append(Figure(f"{name.split()[-1]}_{key}_per_second", label, rate, shown))
        alone, both = measured.capacity(one, 1), measured.capacity(two, 2)
        figures.append(
            Figure(
                f"workers_2_{key}_capacity",
                f"... --workers 2 on two free cores, from the CPU per call (1 worker {alone:.0f})",
                both / alone,
                f"{both:.0f} = {both / alone:.2f}{TIMES}",
            )
        )
    least_run, least = shared_budget.shared_in_redis(sizes.shared_reads, 50, 1, sizes.shared_runs)
    label = f"{sizes.shared_reads:,} reads, 3 processes, one token, 50 per 1 s, shared in Redis"
    figures += [
        held(
            "shared_budget_429s",
            f"{label}: 429s surfaced",
            least_run.surfaced_429,
            str(least_run.surfaced_429),
            0,
        ),
        held(
            "shared_budget_time_ratio",
            f"... their time, s (to the least the limit allows, {least:.0f}; median of {sizes.shared_runs})",
            least_run.seconds / least,
            f"{least_run.seconds:.1f} = {least_run.seconds / least:.3f}{TIMES}",
            1.10,
            unit=TIMES,
        ),
    ]
    return figures


def table(figures: list[Figure]) -> str:
    lines = ["| figure | value | budget | |", "|---|---:|---:|---|"]
    for figure in figures:
        verdict = "" if figure.holds is None else ("pass" if figure.holds else "MISS")
        lines.append(f"| {figure.label} | {figure.shown} | {figure.budget} | {verdict} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures there")
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke run")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    figures = run(QUICK if options.quick else FULL)
    elapsed = time.perf_counter() - started
    print(table(figures))
    misses = sum(1 for figure in figures if figure.holds is False)
    print(f"\n{misses} of {sum(f.holds is not None for f in figures)} budgets missed; ", end="")
    print(
        f"{elapsed:.0f} s, {os.cpu_count()} CPUs ({platform.machine()}), Python {platform.python_version()}."
    )
    if options.json:
        options.json.write_text(
            json.dumps(
                {
                    "seconds": round(elapsed, 1),
                    "python": platform.python_version(),
                    "figures": {f.key: f.value for f in figures},
                    "missed": [f.key for f in figures if f.holds is False],
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
