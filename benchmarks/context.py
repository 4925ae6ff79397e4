"""What pimelo-mcp costs a model's context, in o200k_base tokens: deterministic figures.

The tool list (what a model reads on every turn), a default search as sent, and a model's
view of a dozen typical asks: the tool list plus every answer the model needs to finish
the ask. The real server answers through the SDK's in-process Client, against an
in-process sandbox of 1,000 demo products. tests/tools/test_budgets.py holds the budgets
that CI checks; this prints them beside the figures.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcp import Client
from mcp.types import CallToolResult

from benchmarks.in_process import sandbox_http
from pimelo_mcp.config import Settings
from pimelo_mcp.sandbox.demo.catalog import product_at
from pimelo_mcp.server import build_server

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)  # bpe-openai's legacy resource loading
    import bpe_openai

    ENCODING = bpe_openai.get_encoding("o200k_base")

TOKEN = "pim_benchmark_context"
BASE_URL = "http://sandbox/api/v1/"
SKU = product_at(0)["identifier"]


def tokens(value: Any) -> int:
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    )
    return len(ENCODING.encode(text))


def as_sent(result: CallToolResult) -> int:
    """Tokens of an answer as sent: its text blocks and its structured part."""
    if result.is_error:
        raise RuntimeError(f"a benchmark call failed: {result.content}")
    text = "\n".join(block.text for block in result.content if block.type == "text")
    structured = tokens(result.structured_content) if result.structured_content else 0
    return tokens(text) + structured


Step = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class Ask:
    """Something a person asks, and the calls a model makes to finish it."""

    words: str
    steps: Sequence[Step]


ASKS: tuple[Ask, ...] = (
    Ask("Which channels and locales do we sell in?", [("list_channels", {})]),
    Ask(
        "Find the red beanies.",
        [
            (
                "search_products",
                {
                    "query": "beanie",
                    "filters": [{"attribute": "color", "op": "eq", "value": "red"}],
                },
            )
        ],
    ),
    Ask(f"Show me everything about {SKU}.", [("get_product", {"identifier": SKU})]),
    Ask(
        "What is missing for the French web shop?",
        [
            (
                "search_products",
                {"incomplete_for_channel": "ecommerce", "incomplete_for_locale": "fr_FR"},
            )
        ],
    ),
    Ask(
        "What changed this week?",
        [("search_products", {"updated_since": "7d", "sort": "-updated"})],
    ),
    Ask(
        "Prices and weights of the running shoes.",
        [
            (
                "search_products",
                {"attribute_set": ["running_shoes"], "fields": ["price", "weight"]},
            )
        ],
    ),
    Ask(
        f"Set {SKU}'s price to 99 EUR.",
        [("update_products", {"items": [{"identifier": SKU, "values": {"price": "99 EUR"}}]})],
    ),
    Ask("Which brands do we carry?", [("search_entities", {"entity_type": "brand"})]),
    Ask(
        "Add the brand North Ridge.",
        [
            (
                "create_entities",
                {
                    "entity_type": "brand",
                    "items": [{"code": "north_ridge", "labels": {"en_US": "North Ridge"}}],
                },
            )
        ],
    ),
    Ask(
        "What does a jacket need before it can go live?",
        [("search_attributes", {"attribute_set": "jackets"})],
    ),
    Ask(
        "Add the colour Teal.",
        [
            ("search_attributes", {"codes": ["color"]}),
            ("update_attribute", {"code": "color", "options": ["Teal"]}),
        ],
    ),
    Ask(
        "Create a cap called Trail Cap.",
        [
            ("search_attributes", {"attribute_set": "accessories"}),
            (
                "create_products",
                {
                    "items": [
                        {
                            "identifier": "ACC-CAP-900001",
                            "attribute_set": "accessories",
                            "values": {"name": "Trail Cap"},
                        }
                    ],
                    # name is localizable: a plain value is written in the call's locale
                    "locale": "en_US",
                },
            ),
        ],
    ),
    Ask(f"Which pictures does {SKU} have?", [("search_media", {"product": SKU})]),
)


@dataclass(frozen=True)
class ContextFigures:
    definitions: int  # name + description + input schema of every listed tool
    tool_list: int  # the whole tools/list result
    default_search: int  # a default 20-product search_products answer, as sent
    raw_search: int  # the API's own JSON for the same 20 products
    asks: list[tuple[str, int, int]]  # (words, calls, answer tokens)


def definitions_tokens(listed: list[dict[str, Any]]) -> int:
    return sum(
        tokens(tool["name"]) + tokens(tool["description"]) + tokens(tool["inputSchema"])
        for tool in listed
    )


async def measure() -> ContextFigures:
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
                search = await client.call_tool("search_products", {"limit": 20})
                raw = await http.post(
                    "products/search",
                    json={"limit": 20},
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
                raw.raise_for_status()
                asks: list[tuple[str, int, int]] = []
                for ask in ASKS:
                    spent = 0
                    for name, arguments in ask.steps:
                        spent += as_sent(await client.call_tool(name, arguments))
                    asks.append((ask.words, len(ask.steps), spent))
    return ContextFigures(
        definitions=definitions_tokens(listed),
        tool_list=tokens({"tools": listed}),
        default_search=as_sent(search),
        raw_search=tokens(raw.json()),
        asks=asks,
    )
