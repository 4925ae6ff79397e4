"""`--sandbox` journals its writes apart from the user's journal, and each line names its API.

A real stdio server on the embedded sandbox, driven by a real MCP client: the demo catalog's
writes must never mix with the journal of a real catalog.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from pimelo_mcp.commands import SANDBOX_BASE_URL, SANDBOX_JOURNAL_NAME

pytestmark = pytest.mark.slow


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return result.structured_content


def journals_in(folder: Path) -> list[Path]:
    return list(folder.rglob("*.jsonl"))


async def test_sandbox_writes_go_to_a_journal_of_their_own_that_names_the_sandbox(
    tmp_path: Path,
) -> None:
    users_journal = tmp_path / "audit.jsonl"
    users_journal.write_text(
        '{"tool": "update_products", "api": "https://www.pimelo.app/api/v1/"}\n'
    )
    before = users_journal.read_text()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")},
        "PIMELO_AUDIT_LOG": str(users_journal),
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "pimelo_mcp", "serve", "--sandbox"], env=env
    )
    async with Client(params) as client:
        found = structured(await client.call_tool("search_products", {"limit": 1}))["items"][0]
        update = {"identifier": found["identifier"], "values": {"weight": "321 g"}}
        done = structured(await client.call_tool("update_products", {"items": [update]}))
    assert done["done"] == 1
    assert users_journal.read_text() == before  # the user's journal is untouched
    sandbox_journal = tmp_path / SANDBOX_JOURNAL_NAME
    lines = [json.loads(line) for line in sandbox_journal.read_text().splitlines()]
    assert [(line["tool"], line["api"]) for line in lines] == [
        ("update_products", SANDBOX_BASE_URL)
    ]
    assert lines[0]["target"]["identifier"] == found["identifier"]
    assert "sandbox.invalid" in SANDBOX_BASE_URL  # names no real service


async def test_sandbox_with_the_journal_off_keeps_none(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")},
        "PIMELO_AUDIT_LOG": "off",
        "XDG_STATE_HOME": str(tmp_path),  # where a default journal would go
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "pimelo_mcp", "serve", "--sandbox"], env=env
    )
    async with Client(params) as client:
        found = structured(await client.call_tool("search_products", {"limit": 1}))["items"][0]
        update = {"identifier": found["identifier"], "values": {"weight": "322 g"}}
        structured(await client.call_tool("update_products", {"items": [update]}))
    assert journals_in(tmp_path) == []
