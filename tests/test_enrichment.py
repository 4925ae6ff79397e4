"""The enrichment task a person gives an agent, through a real MCP client and a real server.

`pimelo-mcp serve --transport http --sandbox` runs as its own process; the SDK's Client
talks to it over HTTP, as a hosted agent would. The task: find products without a French
description, dry-run writing three, write them, read them back. Each answer must say
enough on its own (in its text, which is what many clients show a model) that no call
has to be repeated, or another made, to understand it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult

from tests.http_process import HttpServer, http_server

KEY = "enrichment-key-0123456789"
DESCRIPTIONS = [
    "Gourde légère et robuste, parfaite pour les longues sorties.",
    "Casquette respirante qui sèche vite, pour courir au soleil.",
    "Chaussettes de running amorties, sans couture, pour les longues distances.",
]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    tmp = tmp_path_factory.mktemp("enrichment")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    env["PIMELO_AUDIT_LOG"] = str(Path(tmp) / "audit.jsonl")
    with http_server(["--sandbox", "--api-key", KEY], env=env) as running:
        yield running


def text_of(result: CallToolResult) -> str:
    assert not result.is_error, result.content
    return "\n".join(block.text for block in result.content if block.type == "text")


def data_of(result: CallToolResult) -> dict[str, Any]:
    assert result.structured_content is not None
    return result.structured_content


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_an_agent_writes_three_french_descriptions_without_repeating_a_call(
    server: HttpServer, mode: str
) -> None:
    calls: list[tuple[str, str]] = []
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}, timeout=60) as http,
        Client(streamable_http_client(server.url, http_client=http), mode=mode) as client,  # type: ignore[arg-type]
    ):

        async def use(name: str, arguments: dict[str, Any]) -> CallToolResult:
            calls.append((name, json.dumps(arguments, sort_keys=True)))
            return await client.call_tool(name, arguments)

        # 1. Where is French sold? The answer names each channel's locales.
        channels = text_of(await use("list_channels", {}))
        assert "print: locales fr_FR" in channels
        assert "ecommerce: locales en_US, fr_FR" in channels

        # 2. A first search in the main channel finds nothing, and says where to look.
        missing = {
            "filters": [{"attribute": "description", "op": "empty"}],
            "locale": "fr_FR",
            "fields": ["name", "description"],
            "limit": 3,
        }
        first = text_of(await use("search_products", {**missing, "channel": "ecommerce"}))
        assert first.startswith("No products match in ecommerce / fr_FR")
        assert "in channel print instead of ecommerce" in first

        # 3. There: three products, their French names and their empty descriptions shown.
        # In the legacy run the first mode's writes are done: the next three come up.
        found = await use("search_products", {**missing, "channel": "print"})
        listing = text_of(found)
        assert listing.startswith("3 products (values in fr_FR/print):")
        products = data_of(found)["items"]
        identifiers = [item["identifier"] for item in products]
        for item in products:
            assert f"{item['identifier']} — {item['values']['name']}" in listing
        assert listing.count("  description: (empty)") == 3
        assert "More: call again with cursor=" in listing

        # 4. The dry run spells out each change, and says nothing was written.
        items = [
            {"identifier": identifier, "values": {"description": text}}
            for identifier, text in zip(identifiers, DESCRIPTIONS, strict=True)
        ]
        write = {"items": items, "locale": "fr_FR", "channel": "print"}
        dry = text_of(await use("update_products", {**write, "dry_run": True}))
        assert dry.startswith("3 would be updated (dry run, nothing written).")
        for identifier, text in zip(identifiers, DESCRIPTIONS, strict=True):
            assert (
                f'{identifier}: values.description[locale=fr_FR,channel=print]: "" → "{text}"'
            ) in dry

        # 5. The write says it happened, with the new versions in its result.
        written = await use("update_products", write)
        assert text_of(written) == "3 updated."
        assert [(i["identifier"], i["ok"]) for i in data_of(written)["items"]] == [
            (identifier, True) for identifier in identifiers
        ]

        # 6. Read back: one search shows the three new descriptions.
        back = text_of(
            await use(
                "search_products",
                {
                    "filters": [{"attribute": "identifier", "op": "in", "value": identifiers}],
                    "locale": "fr_FR",
                    "channel": "print",
                    "fields": ["description"],
                },
            )
        )
        assert back.startswith("3 products (values in fr_FR/print):")
        for identifier, text in zip(identifiers, DESCRIPTIONS, strict=True):
            assert f"{identifier} (" in back  # its status, set and new version follow
            assert f"  description: {text}" in back
        assert "(empty)" not in back
        assert back.count(", v2)") == 3

    # No call was an error, none was made twice: each answer said enough.
    assert len(set(calls)) == len(calls)
    assert [name for name, _ in calls] == [
        "list_channels",
        "search_products",
        "search_products",
        "update_products",
        "update_products",
        "search_products",
    ]
