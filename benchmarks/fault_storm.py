"""A fault storm: a few hundred mixed tool calls through a real MCP client, against a sandbox
that drops, cuts, delays and refuses on purpose. Measures and prints; never asserts.

Run: `.venv/bin/python benchmarks/fault_storm.py [CALLS] [DEADLINE_SECONDS]` (default 300, 5).

The sandbox is served over real HTTP on loopback with `--faults` rules (seeded): latency,
5xx before and after the write, dropped connections before and after, cut bodies, dripped
bodies and 429 storms. Calls create products, update them (with expected versions), and
read. Afterwards the catalog is read without faults and compared with what the tools
reported and with the audit journal. Expected: 0 duplicates, 0 double or half writes,
0 mismatches; the longest call within the deadline (plus a small margin for the last
byte of the answer).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client

from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server
from tests.faults.conftest import TOKEN, faulty_sandbox
from tests.tools.conftest import read_journal

SPEC = (
    "seed=11;"
    "POST /products/bulk: error-after(502)@0.1, drop-after@0.1, truncate@0.1, "
    "error-before(503)@0.05, drop-before@0.05;"
    "POST /products/search: drip(0.002)@0.05, storm(1)@0.03;"
    "*: latency(0.02)@0.2"
)


async def storm(calls: int, deadline: float) -> None:
    rng = random.Random(5)
    outcomes: dict[str, int] = {}
    longest = 0.0
    reported: dict[str, str] = {}  # identifier -> status the tools said they wrote
    with tempfile.TemporaryDirectory() as folder, faulty_sandbox(SPEC, products=40) as sandbox:
        audit = Path(folder) / "audit.jsonl"
        settings = Settings(
            api_token=TOKEN,
            base_url=sandbox.base_url,
            audit_path=audit,
            call_deadline_seconds=deadline,
        )
        async with Client(build_server(settings)) as mcp:  # type: ignore[arg-type]
            created: list[str] = []
            for number in range(calls):
                if not created or rng.random() < 0.4:
                    identifier = f"STORM-{number}"
                    name, args = (
                        "create_products",
                        {
                            "items": [
                                {
                                    "identifier": identifier,
                                    "attribute_set": "running_shoes",
                                    "values": {"name": {"en_US": f"Storm {number}"}},
                                }
                            ]
                        },
                    )
                elif rng.random() < 0.6:
                    identifier = rng.choice(created)
                    status = rng.choice(["draft", "active", "archived"])
                    name, args = (
                        "update_products",
                        {"items": [{"identifier": identifier, "status": status}]},
                    )
                else:
                    identifier = ""
                    name, args = "search_products", {"query": "Storm", "limit": 5}
                started = time.perf_counter()
                result = await mcp.call_tool(name, args)
                longest = max(longest, time.perf_counter() - started)
                data: dict[str, Any] = result.structured_content or {}
                if result.is_error:
                    text = " ".join(b.text for b in result.content if b.type == "text")
                    kind = "outcome unknown" if "OUTCOME UNKNOWN" in text else "error"
                elif name == "search_products":
                    kind = "read"
                elif data.get("unknown"):
                    kind = "outcome unknown"
                elif data.get("done"):
                    kind = "applied"
                    if name == "create_products":
                        created.append(identifier)
                        reported[identifier] = "draft"
                    else:
                        reported[identifier] = args["items"][0]["status"]
                elif data.get("unchanged"):
                    kind = "unchanged (nothing to write)"
                elif any(
                    "not written" in (item.get("error") or "") for item in data.get("items", [])
                ):
                    kind = "not written (answer lost, read back)"
                else:
                    kind = "refused"
                outcomes[f"{name}: {kind}"] = outcomes.get(f"{name}: {kind}", 0) + 1
        catalog = {
            product["identifier"]: product
            for product in sandbox.app.state.sandbox.store.conn.execute(
                "SELECT identifier, status FROM products WHERE identifier LIKE 'STORM-%'"
            ).fetchall()
            for product in [{"identifier": product[0], "status": product[1]}]
        }
        journal = read_journal(audit) if audit.exists() else []
    journal_creates = [
        line["target"]["identifier"]
        for line in journal
        if line["tool"] == "create_products" and line["outcome"] == "applied"
    ]
    duplicates = len(journal_creates) - len(set(journal_creates))
    unknown_keys = {
        line["target"].get("identifier") for line in journal if line["outcome"] == "unknown"
    }
    # A write the tools reported but the catalog does not hold (half), or holds twice (double).
    half = sum(
        1
        for key, status in reported.items()
        if key not in unknown_keys
        and catalog.get(key, {}).get("status") != status
        and not _later_unknown(journal, key)
    )
    mismatches = sum(1 for key in catalog if key not in set(journal_creates) | unknown_keys)
    mismatches += sum(1 for key in journal_creates if key not in catalog)
    injected = sandbox.injector.injected
    print(f"fault storm: deadline {deadline:.1f} s, spec {SPEC!r}")
    print(f"{'what':<45} {'count':>8}")
    print(f"{'calls':<45} {calls:>8}")
    for key in sorted(outcomes):
        print(f"{key:<45} {outcomes[key]:>8}")
    for key in sorted(injected):
        print(f"{'fault injected: ' + key:<45} {injected[key]:>8}")
    print(f"{'duplicate creates (journal)':<45} {duplicates:>8}")
    print(f"{'double or half writes':<45} {half:>8}")
    print(f"{'journal/catalog mismatches':<45} {mismatches:>8}")
    print(f"{'longest call (s)':<45} {longest:>8.2f}")


def _later_unknown(journal: list[dict[str, Any]], key: str) -> bool:
    return any(
        line["outcome"] == "unknown" and line["target"].get("identifier") == key for line in journal
    )


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    deadline = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    anyio.run(storm, calls, deadline)


if __name__ == "__main__":
    main()
