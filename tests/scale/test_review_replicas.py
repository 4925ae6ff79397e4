"""Review handles across replicas: one made by a dry run on A applies on B, once, over real
HTTP; a replica with another secret refuses it."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from pimelo_mcp.review.pane import APPLY_TOOL
from tests.http_process import HttpServer, http_server
from tests.review.conftest import APPS
from tests.scale.redis_server import RedisServer
from tests.scale.replicas import API_KEY, Sandbox, replica, replica_env, sandbox

pytestmark = pytest.mark.slow


@asynccontextmanager
async def apps_client(server: HttpServer, mode: str = "auto"):
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {API_KEY}"}, timeout=30) as http,
        Client(
            streamable_http_client(server.url, http_client=http),  # type: ignore[arg-type]
            mode=mode,  # type: ignore[arg-type]
            extensions=[APPS],
        ) as client,
    ):
        yield client


async def versions(pimelo: Sandbox, identifiers: list[str]) -> list[int]:
    token = pimelo.tokens["full-access"]
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as http:
        found: list[int] = []
        for identifier in identifiers:
            answer = await http.get(f"{pimelo.base_url}products/{identifier}")
            answer.raise_for_status()
            found.append(answer.json()["version"])
        return found


async def dry_run(client: Client) -> tuple[list[str], dict[str, Any]]:
    page = await client.call_tool("search_products", {"limit": 2})
    assert page.structured_content is not None
    identifiers = [item["identifier"] for item in page.structured_content["items"]]
    result = await client.call_tool(
        "update_products",
        {
            "items": [{"identifier": key, "status": "archived"} for key in identifiers],
            "dry_run": True,
        },
    )
    assert result.meta is not None
    return identifiers, result.meta["pimelo/review"]


@pytest.mark.parametrize("engine", ["sqlite", "redis"])
async def test_a_review_made_on_one_replica_applies_once_on_another(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if engine == "redis":
        store = request.getfixturevalue("redis_server")
        assert isinstance(store, RedisServer)
        location = store.url
    else:
        location = str(tmp_path / "shared.sqlite3")
    with (
        sandbox() as pimelo,
        replica(location, pimelo, tmp_path, "a") as a,
        replica(location, pimelo, tmp_path, "b") as b,
    ):
        async with apps_client(a) as on_a:
            identifiers, review = await dry_run(on_a)
        before = await versions(pimelo, identifiers)
        async with apps_client(b) as on_b:
            first = await on_b.call_tool(APPLY_TOOL, {"handle": review["handle"]})
        assert first.structured_content is not None, first.content
        assert first.structured_content["applied"] == 2
        assert await versions(pimelo, identifiers) == [version + 1 for version in before]
        async with apps_client(a) as on_a:
            again = await on_a.call_tool(APPLY_TOOL, {"handle": review["handle"]})
        assert again.structured_content is not None
        assert again.structured_content["already_applied"] is True
        assert await versions(pimelo, identifiers) == [version + 1 for version in before]


async def test_a_replica_with_another_secret_refuses_the_handle(tmp_path: Path) -> None:
    with sandbox() as pimelo, replica(str(tmp_path / "a.sqlite3"), pimelo, tmp_path, "a") as a:
        async with apps_client(a) as on_a:
            identifiers, review = await dry_run(on_a)
        env = {
            **replica_env(str(tmp_path / "c.sqlite3"), pimelo, tmp_path, "c"),
            "PIMELO_MCP_SECRET_KEY": "another-secret-0123456789abcdefghijklmnop",
        }
        with http_server([], env=env) as other:
            async with apps_client(other) as on_other:
                refused = await on_other.call_tool(APPLY_TOOL, {"handle": review["handle"]})
        assert refused.is_error
        assert "signed by another server" in refused.content[0].text  # type: ignore[union-attr]
        assert await versions(pimelo, identifiers) == [1, 1]


async def test_over_stateless_http_a_2025_client_gets_the_plain_dry_run(tmp_path: Path) -> None:
    with sandbox() as pimelo, replica(str(tmp_path / "a.sqlite3"), pimelo, tmp_path, "a") as a:
        async with apps_client(a, "legacy") as client:
            page = await client.call_tool("search_products", {"limit": 1})
            assert page.structured_content is not None
            [item] = page.structured_content["items"]
            arguments = {"items": [{"identifier": item["identifier"], "status": "archived"}]}
            result = await client.call_tool("update_products", {**arguments, "dry_run": True})
            names = [tool.name for tool in (await client.list_tools()).tools]
    assert "pimelo/review" not in (result.meta or {})
    assert "review pane" not in result.content[0].text  # type: ignore[union-attr]
    assert APPLY_TOOL not in names
