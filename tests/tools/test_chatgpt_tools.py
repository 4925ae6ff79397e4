"""ChatGPT's search and fetch: off by default, and in ChatGPT's fixed shapes when switched on.

The shapes are OpenAI's for MCP servers used by deep research and company knowledge: one
text content item holding JSON, `search` → `{"results": [{"id", "title", "url"}]}`,
`fetch` → `{"id", "title", "text", "url", "metadata"}`.
"""

import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult
from starlette.applications import Starlette

from pimelo_mcp.config import ConfigError, Settings
from pimelo_mcp.server import build_server
from pimelo_mcp.tools.catalog import load_catalog
from tests.http_process import HttpServer, http_server
from tests.tools.conftest import BASE_URL, FULL_TOKEN

TEMPLATE = "https://acme.pimelo.example/app/products/{identifier}/edit"
KEY = "chatgpt-test-key-0123456789"


@asynccontextmanager
async def chatgpt_client(
    http: httpx2.AsyncClient,
    audit_path: Path,
    mode: str,
    *,
    token: str = FULL_TOKEN,
    scopes: frozenset[str] | None = None,
    **settings: Any,
) -> AsyncIterator[Client]:
    options: dict[str, Any] = {"chatgpt_search": True, "app_url": TEMPLATE, **settings}
    server = build_server(
        Settings(api_token=token, base_url=BASE_URL, audit_path=audit_path, **options),
        scopes=scopes,
        http_client=http,
    )
    async with Client(server, mode=mode) as client:  # type: ignore[arg-type]
        yield client


def the_json(result: CallToolResult) -> dict[str, Any]:
    """The one text item, parsed: what ChatGPT reads."""
    assert not result.is_error, result.content
    [item] = result.content
    assert item.type == "text"
    document = json.loads(item.text)
    assert result.structured_content == document  # typed clients read the same object
    return document


async def test_they_are_off_by_default_and_say_how_to_turn_them_on(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    async with chatgpt_client(sandbox_http, audit_path, mode, chatgpt_search=False) as client:
        names = [tool.name for tool in (await client.list_tools()).tools]
        result = await client.call_tool("search", {"query": "beanie"})
    assert names == [entry.name for entry in load_catalog()]
    assert len(names) == 14
    assert result.is_error
    text = result.content[0].text if result.content[0].type == "text" else ""
    assert "--chatgpt-search" in text
    assert "PIMELO_MCP_CHATGPT_SEARCH=1" in text


async def test_switched_on_they_are_listed_read_only_with_one_string_argument(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    async with chatgpt_client(sandbox_http, audit_path, mode) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert len(tools) == 16
    for name, argument in (("search", "query"), ("fetch", "id")):
        tool = tools[name]
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is True
        assert tool.annotations.destructive_hint is False
        assert tool.annotations.open_world_hint is False
        assert tool.input_schema["required"] == [argument]
        assert list(tool.input_schema["properties"]) == [argument]
        assert tool.input_schema["properties"][argument]["type"] == "string"


async def test_search_answers_results_with_id_title_and_the_app_url(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    async with chatgpt_client(sandbox_http, audit_path, mode) as client:
        document = the_json(await client.call_tool("search", {"query": "beanie"}))
    assert set(document) == {"results"}
    results = document["results"]
    assert results
    for result in results:
        assert set(result) == {"id", "title", "url"}
        assert result["url"] == TEMPLATE.replace("{identifier}", result["id"])
        assert "Beanie" in result["title"]
        assert result["id"] in result["title"]


async def test_fetch_answers_the_document_of_a_searched_id(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    async with chatgpt_client(sandbox_http, audit_path, mode) as client:
        found = the_json(await client.call_tool("search", {"query": "beanie"}))["results"][0]
        document = the_json(await client.call_tool("fetch", {"id": found["id"]}))
    assert set(document) == {"id", "title", "text", "url", "metadata"}
    assert (document["id"], document["title"], document["url"]) == (
        found["id"],
        found["title"],
        found["url"],
    )
    lines = document["text"].splitlines()
    assert any(line.startswith("name: ") and "Beanie" in line for line in lines)
    assert any(line.startswith("description: ") for line in lines)
    assert "[cut:" not in document["text"]  # fetch gives the whole text
    assert "['" not in document["text"]  # lists read as `a, b`, not Python
    metadata = document["metadata"]
    assert all(isinstance(value, str) for value in metadata.values())
    assert metadata["identifier"] == found["id"]
    assert metadata["values_in"] == "en_US/ecommerce"
    assert "note" not in metadata


async def test_fetch_of_an_unknown_id_says_where_ids_come_from(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    async with chatgpt_client(sandbox_http, audit_path, mode) as client:
        result = await client.call_tool("fetch", {"id": "NO-SUCH-SKU"})
    assert result.is_error
    text = result.content[0].text if result.content[0].type == "text" else ""
    assert "'NO-SUCH-SKU'" in text
    assert "search returns the ids" in text


async def test_a_products_read_token_alone_searches_and_fetches(
    sandbox: Starlette, sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    token = sandbox.state.sandbox.store.mint_token("chatgpt", ("products:read",))
    async with chatgpt_client(
        sandbox_http, audit_path, mode, token=token, scopes=frozenset({"products:read"})
    ) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        found = the_json(await client.call_tool("search", {"query": "beanie"}))["results"]
        document = the_json(await client.call_tool("fetch", {"id": found[0]["id"]}))
    assert {"search", "fetch"} <= names
    assert found
    assert "settings:read" in document["metadata"]["note"]
    assert document["metadata"]["values_in"] == "every locale and channel"


async def test_an_identifier_is_quoted_in_the_url(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    from pimelo_mcp.tools.chatgpt import product_url
    from pimelo_mcp.tools.state import ToolState

    settings = Settings(api_token=FULL_TOKEN, app_url="https://p.example/p/{identifier}")
    state = ToolState(settings, None, lambda: None)  # type: ignore[arg-type]  # no client needed
    assert product_url(state, "A B/1") == "https://p.example/p/A%20B%2F1"


def test_the_switch_and_the_app_url_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {"PIMELO_MCP_CHATGPT_SEARCH": "1", "PIMELO_APP_URL": "https://x.example/{identifier}"}
    )
    assert settings.chatgpt_search
    assert settings.app_url == "https://x.example/{identifier}"
    assert not Settings.from_env({}).chatgpt_search


@pytest.mark.parametrize(
    "template",
    ["https://x.example/products", "ftp://x.example/{identifier}", "https://x/{identifier}/{id}"],
)
def test_an_app_url_that_cannot_link_a_product_is_refused(template: str) -> None:
    with pytest.raises(ConfigError, match=r"PIMELO_APP_URL (must|may)"):
        Settings.from_env({"PIMELO_APP_URL": template})


@pytest.fixture(scope="module")
def chatgpt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    tmp = tmp_path_factory.mktemp("chatgpt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    env |= {"PIMELO_AUDIT_LOG": str(tmp / "audit.jsonl"), "PIMELO_APP_URL": TEMPLATE}
    with http_server(["--sandbox", "--api-key", KEY, "--chatgpt-search"], env=env) as running:
        yield running


@pytest.mark.slow
async def test_serve_over_http_with_the_flag_answers_chatgpt_shapes(
    chatgpt_server: HttpServer,
) -> None:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {KEY}"}, timeout=30) as http,
        Client(streamable_http_client(chatgpt_server.url, http_client=http)) as client,  # type: ignore[arg-type]
    ):
        names = {tool.name for tool in (await client.list_tools()).tools}
        results = the_json(await client.call_tool("search", {"query": "backpack"}))["results"]
        document = the_json(await client.call_tool("fetch", {"id": results[0]["id"]}))
    assert {"search", "fetch"} <= names
    assert len(names) == 16
    assert document["url"] == TEMPLATE.replace("{identifier}", results[0]["id"])
