"""Sandbox latency: load time and in-process request latency at 1k and 100k products.

Run: `.venv/bin/python benchmarks/sandbox_latency.py [SIZE ...]`. Measures, never asserts.
Uses the real demo catalog when it is installed, else a synthetic catalog of the same shape.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx2

from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.demo import DemoCatalog
from pimelo_mcp.sandbox.settings import SCOPES, SandboxSettings

TOKEN = "pim_benchmark_token"
COLORS = ["red", "blue", "green", "black", "white"]


def synthetic_catalog(products: int) -> DemoCatalog:
    def value(data: Any, locale: str | None = None, channel: str | None = None) -> dict[str, Any]:
        return {"locale": locale, "channel": channel, "data": data}

    def iter_products() -> Iterator[dict[str, Any]]:
        rng = random.Random(7)
        for index in range(products):
            yield {
                "identifier": f"SKU-{index:06d}",
                "attribute_set": "shoes",
                "status": rng.choice(["draft", "active", "archived"]),
                "categories": [rng.choice(["running", "city"])],
                "values": {
                    "name": [value(f"Shoe {index}", "en_US"), value(f"Chaussure {index}", "fr_FR")],
                    "description": [value(f"A fine shoe number {index}", "en_US", "ecommerce")],
                    "color": [value(rng.choice(COLORS))],
                    "size": [value(rng.randint(30, 48))],
                    "price": [value([{"amount": f"{rng.randint(20, 200)}.00", "currency": "EUR"}])],
                    "weight": [value({"amount": rng.randint(200, 900), "unit": "GRAM"})],
                },
                "created_at": f"2026-01-{1 + index % 28:02d}T10:00:00Z",
                "updated_at": f"2026-02-{1 + index % 28:02d}T10:00:00Z",
            }

    return DemoCatalog(
        locales=[
            {"code": "en_US", "label": "English", "enabled": True},
            {"code": "fr_FR", "label": "French", "enabled": True},
        ],
        channels=[
            {
                "code": "ecommerce",
                "labels": {},
                "locales": ["en_US", "fr_FR"],
                "currencies": ["EUR"],
                "category_tree": "master",
            }
        ],
        categories=[
            {"code": "master", "parent": None, "labels": {}},
            {"code": "running", "parent": "master", "labels": {}},
            {"code": "city", "parent": "master", "labels": {}},
        ],
        attributes=[
            {"code": "name", "type": "text", "localizable": True},
            {"code": "description", "type": "textarea", "localizable": True, "scopable": True},
            {
                "code": "color",
                "type": "select",
                "options": [{"code": c, "labels": {}} for c in COLORS],
            },
            {"code": "size", "type": "number"},
            {"code": "price", "type": "price"},
            {
                "code": "weight",
                "type": "metric",
                "validation": {"allowed_units": ["GRAM", "KILOGRAM"]},
            },
        ],
        attribute_sets=[
            {
                "code": "shoes",
                "attributes": ["name", "description", "color", "size", "price", "weight"],
                "requirements": {"ecommerce": ["name", "description", "price"]},
            }
        ],
        entity_types=[],
        entities=[],
        media=[],
        product_count=products,
        iter_products=iter_products,
    )


def build_catalog(products: int) -> tuple[DemoCatalog, str]:
    try:
        from pimelo_mcp.sandbox.demo import build_demo_catalog

        return build_demo_catalog(products), "demo"
    except ImportError:
        return synthetic_catalog(products), "synthetic"


async def measure(
    call: Callable[[int], Awaitable[httpx2.Response]], runs: int
) -> tuple[float, float]:
    for index in range(20):  # warm-up
        await call(index)
    timings: list[float] = []
    for index in range(runs):
        started = time.perf_counter()
        response = await call(index)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.text[:300]}")
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1]


async def bench(products: int, runs: int) -> list[tuple[str, str]]:
    catalog, kind = build_catalog(products)
    started = time.perf_counter()
    settings = SandboxSettings(
        catalog=catalog,
        tokens=(TokenSpec(TOKEN, SCOPES),),
        rate_limit=RateLimit(requests=10**9, seconds=60),
    )
    app = create_app(settings)
    load = time.perf_counter() - started
    store = app.state.sandbox.store
    identifiers = [
        row[0]
        for row in store.conn.execute("SELECT identifier FROM products ORDER BY random() LIMIT 500")
    ]
    select = next(
        (
            a
            for a in store.attributes.values()
            if a["type"] == "select" and a.get("options") and not a.get("localizable")
        ),
        None,
    )
    filtered: dict[str, Any] = {
        "limit": 25,
        "filters": {"status": [{"operator": "=", "value": "active"}]},
    }
    label = "status = active"
    if select is not None:
        option = select["options"][0]["code"]
        filtered["filters"][select["code"]] = [{"operator": "IN", "value": [option]}]
        label = f"status = active, {select['code']} IN [{option}]"
    sparse = {"limit": 25, "query": "no-such-text-anywhere"}
    rows = [("catalog", f"{kind}, {products:,} products"), ("load (create_app)", f"{load:.2f} s")]
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(
        transport=transport,
        base_url="http://sandbox/api/v1/",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as http:
        cases: list[tuple[str, Callable[[int], Awaitable[httpx2.Response]]]] = [
            (
                "GET /products/{id}",
                lambda i: http.get(f"products/{identifiers[i % len(identifiers)]}"),
            ),
            (
                "POST /products/search (limit 25)",
                lambda i: http.post("products/search", json={"limit": 25}),
            ),
            (
                f"POST /products/search ({label})",
                lambda i: http.post("products/search", json=filtered),
            ),
            # Worst case: a free-text query that matches nothing scans every row.
            (
                "POST /products/search (query, no match)",
                lambda i: http.post("products/search", json=sparse),
            ),
        ]
        for name, call in cases:
            median, p95 = await measure(call, runs)
            rows.append((name, f"median {median:.2f} ms, p95 {p95:.2f} ms"))
    store.conn.close()
    return rows


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [1_000, 100_000]
    for size in sizes:
        rows = asyncio.run(bench(size, runs=300 if size <= 10_000 else 60))
        width = max(len(r[0]) for r in rows)
        print()
        for name, result in rows:
            print(f"{name.ljust(width)}  {result}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
