"""What the MCP tools cost a model and the machine: tokens of the tool list and answers, latency per call.

Run: `.venv/bin/python benchmarks/tool_costs.py`. Measures, never asserts (tests/tools/test_budgets.py
holds the deterministic budgets). Tokens are o200k_base; latency is the real MCP server driven by
the SDK's in-process Client against an in-process sandbox of 1,000 demo products.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from benchmarks.in_process import sandbox_http
from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # bpe-openai's legacy resource loading
    import bpe_openai

    ENCODING = bpe_openai.get_encoding("o200k_base")

TOKEN = "pim_benchmark_tools"
BASE_URL = "http://sandbox/api/v1/"


def tokens(value: Any) -> int:
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    )
    return len(ENCODING.encode(text))


def row(label: str, value: str) -> None:
    print(f"{label:<48} {value}")


async def main() -> None:
    async with sandbox_http(BASE_URL, TOKEN) as http:
        with tempfile.TemporaryDirectory() as folder:
            settings = Settings(
                api_token=TOKEN, base_url=BASE_URL, audit_path=Path(folder) / "audit.jsonl"
            )
            async with Client(build_server(settings, http_client=http)) as client:
                listed = [
                    t.model_dump(by_alias=True, mode="json", exclude_none=True)
                    for t in (await client.list_tools()).tools
                ]
                print("tool definitions (name + description + input schema), o200k_base tokens")
                total = 0
                for tool in listed:
                    cost = (
                        tokens(tool["name"])
                        + tokens(tool["description"])
                        + tokens(tool["inputSchema"])
                    )
                    total += cost
                    row(f"  {tool['name']}", str(cost))
                row("  all tools", f"{total:,} (budget 2,200)")
                row("  whole tools/list answer", f"{tokens({'tools': listed}):,} (budget 4,500)")

                headers = {"Authorization": f"Bearer {TOKEN}"}
                raw = (
                    await http.post("products/search", json={"limit": 20}, headers=headers)
                ).json()
                compact = (
                    await client.call_tool("search_products", {"limit": 20})
                ).structured_content
                print("\nanswers, o200k_base tokens (compact / raw API JSON)")
                row("  search_products, 20 products", f"{tokens(compact):,} / {tokens(raw):,}")
                richest = max(raw["items"], key=tokens)
                detail = (
                    await client.call_tool("get_product", {"identifier": richest["identifier"]})
                ).structured_content
                row(
                    "  get_product, richest of those 20",
                    f"{tokens(detail):,} / {tokens(richest):,}",
                )

                print("\nlatency per call, in-process (median / p95 of 50)")
                identifier = raw["items"][0]["identifier"]
                calls: list[tuple[str, str, dict[str, Any]]] = [
                    ("list_channels", "list_channels", {}),
                    (
                        "search_products (20, fr_FR)",
                        "search_products",
                        {"limit": 20, "locale": "fr_FR"},
                    ),
                    ("get_product", "get_product", {"identifier": identifier}),
                    (
                        "update_products (1 item, dry run)",
                        "update_products",
                        {
                            "items": [{"identifier": identifier, "values": {"weight": "310 g"}}],
                            "dry_run": True,
                        },
                    ),
                ]
                for label, name, arguments in calls:
                    durations: list[float] = []
                    for _ in range(50):
                        start = time.perf_counter()
                        result = await client.call_tool(name, arguments)
                        durations.append((time.perf_counter() - start) * 1000)
                        assert not result.is_error, result.content
                    durations.sort()
                    row(
                        f"  {label}",
                        f"{statistics.median(durations):.2f} ms / {durations[47]:.2f} ms",
                    )


if __name__ == "__main__":
    anyio.run(main)
