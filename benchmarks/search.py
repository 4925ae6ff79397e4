"""Free-text product search in the sandbox: catalog load time and search latency, before/after.

Run: `.venv/bin/python benchmarks/search.py [--products N] [--before DIR]`. Measures, never
asserts. Each column is measured in its own Python process on the demo catalog: "now" with
this checkout's code, "before" (optional) with the code of DIR, another checkout of the
project (for example `git worktree add /tmp/before <commit>`), so that a change to the
search can be compared with what it replaced on the same machine, the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "trail",  # the README's example: one common word
    "trail shoe",  # two words, one singular where the names say "Shoe"/"Shoes"
    "waterproof jacket",
    "no-such-text-anywhere",  # matches nothing: the worst case of a scan
]


def _worker(products: int, runs: int) -> dict[str, object]:
    """Load the demo catalog and time the searches, in this process (the code on sys.path)."""
    import asyncio
    import statistics
    import time

    import httpx2

    from pimelo_mcp.sandbox.app import create_app
    from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
    from pimelo_mcp.sandbox.demo import build_demo_catalog
    from pimelo_mcp.sandbox.settings import SCOPES, SandboxSettings

    token = "pim_benchmark_token"
    catalog = build_demo_catalog(products)
    started = time.perf_counter()
    app = create_app(
        SandboxSettings(
            catalog=catalog,
            tokens=(TokenSpec(token, SCOPES),),
            rate_limit=RateLimit(requests=10**9, seconds=60),
        )
    )
    load = time.perf_counter() - started
    results: dict[str, object] = {"load_s": load}

    async def measure() -> None:
        async with httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=app),
            base_url="http://sandbox/api/v1/",
            headers={"Authorization": f"Bearer {token}"},
        ) as http:
            for query in QUERIES:
                body = {"query": query, "limit": 25}
                timings: list[float] = []
                found = 0
                for index in range(runs + 5):
                    began = time.perf_counter()
                    response = await http.post("products/search", json=body)
                    elapsed = (time.perf_counter() - began) * 1000
                    if response.status_code != 200:
                        raise SystemExit(f"{query!r}: HTTP {response.status_code} {response.text}")
                    found = len(response.json()["items"])
                    if index >= 5:  # the first calls warm caches up
                        timings.append(elapsed)
                timings.sort()
                results[query] = {
                    "median_ms": statistics.median(timings),
                    "p95_ms": timings[max(0, int(len(timings) * 0.95) - 1)],
                    "first_page": found,
                }

    asyncio.run(measure())
    app.state.sandbox.store.close()
    return results


def _measure_in(source: Path, products: int, runs: int) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(source)}
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[3]);"
        "from search import _worker;"
        "print(json.dumps(_worker(int(sys.argv[1]), int(sys.argv[2]))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(products), str(runs), str(Path(__file__).parent)],
        env=env,
        cwd=source,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"measuring {source} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _cell(result: dict[str, object], key: str) -> str:
    if key == "load_s":
        return f"{result['load_s']:.2f} s"
    entry = result[key]
    assert isinstance(entry, dict)
    return f"{entry['median_ms']:.2f} ms (p95 {entry['p95_ms']:.2f}), {entry['first_page']} found"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--before", type=Path, help="another checkout of pimelo-mcp")
    args = parser.parse_args(argv)
    columns: list[tuple[str, dict[str, object]]] = []
    if args.before is not None:
        columns.append(("before", _measure_in(args.before.resolve(), args.products, args.runs)))
    columns.append(("now", _measure_in(ROOT, args.products, args.runs)))
    rows = [("catalog load (create_app)", "load_s")]
    rows += [(f"search {query!r}", query) for query in QUERIES]
    if len(columns) == 2:
        ratio = float(columns[1][1]["load_s"]) / float(columns[0][1]["load_s"])  # type: ignore[arg-type]
    else:
        ratio = None
    print(f"demo catalog, {args.products:,} products, {args.runs} runs per search (limit 25)\n")
    header = ["", *(name for name, _ in columns)]
    table = [header, *([label, *(_cell(r, key) for _, r in columns)] for label, key in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(header))]
    for line in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    if ratio is not None:
        print(f"\nload now / before: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
