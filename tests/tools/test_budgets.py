"""Deterministic budgets: what the tool list and default answers cost a model, in o200k_base tokens."""

import json
import warnings
from typing import Any

import httpx2

from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server
from tests.tools.conftest import FULL_TOKEN, ConnectFactory, call, structured

TOOLS_BUDGET = 2_200  # name + description + input schema of all 14 tools
LIST_BUDGET = 4_500  # the whole tools/list answer, output schemas included
SEARCH_BUDGET = 2_500  # a default 20-product search_products answer, text and structured
with warnings.catch_warnings():
    # bpe-openai loads its vocabulary with importlib.resources.open_binary, deprecated in 3.11.
    warnings.filterwarnings("ignore", "open_binary is deprecated", DeprecationWarning)
    import bpe_openai

    ENCODING = bpe_openai.get_encoding("o200k_base")


def tokens(value: Any) -> int:
    text = (
        value
        if isinstance(value, str)
        else json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    )
    return len(ENCODING.encode(text))


async def listed() -> list[dict[str, Any]]:
    server = build_server(Settings(api_token="pim_budget_test", audit_path=None))
    return [
        t.model_dump(by_alias=True, mode="json", exclude_none=True)
        for t in await server.list_tools()
    ]


async def test_tool_definitions_fit_the_budget() -> None:
    spent = sum(
        tokens(t["name"]) + tokens(t["description"]) + tokens(t["inputSchema"])
        for t in await listed()
    )
    assert spent <= TOOLS_BUDGET


async def test_the_whole_tool_list_fits_the_budget() -> None:
    assert tokens({"tools": await listed()}) <= LIST_BUDGET


async def raw_search(http: httpx2.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await http.post(
        "products/search", json=body, headers={"Authorization": f"Bearer {FULL_TOKEN}"}
    )
    response.raise_for_status()
    return response.json()


async def test_a_twenty_product_search_costs_at_most_a_third_of_the_raw_api_answer(
    connect: ConnectFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    raw = await raw_search(sandbox_http, {"limit": 20})
    async with connect() as mcp:
        compact = structured(await call(mcp, "search_products", {"limit": 20}))
    assert [item["identifier"] for item in compact["items"]] == [
        p["identifier"] for p in raw["items"]
    ]
    assert tokens(compact) * 3 <= tokens(raw)


async def test_a_default_twenty_product_search_as_sent_fits_the_budget(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        result = await call(mcp, "search_products", {"limit": 20})
    text = "\n".join(block.text for block in result.content if block.type == "text")
    assert len(structured(result)["items"]) == 20
    assert tokens(text) + tokens(structured(result)) <= SEARCH_BUDGET


async def test_annotations_do_not_repeat_the_title() -> None:
    for tool in await listed():
        assert tool["title"]
        assert "title" not in tool["annotations"], tool["name"]


async def test_a_rich_product_costs_at_most_a_third_of_the_raw_api_answer(
    connect: ConnectFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    raw_items = (await raw_search(sandbox_http, {"limit": 40}))["items"]
    richest = max(raw_items, key=tokens)
    async with connect() as mcp:
        compact = structured(await call(mcp, "get_product", {"identifier": richest["identifier"]}))
    assert tokens(compact) * 3 <= tokens(richest)


CHATGPT_TOOLS_BUDGET = 200  # name + description + input schema of search and fetch together
CHATGPT_LIST_BUDGET = 450  # what turning them on adds to the whole tools/list answer


async def test_chatgpt_search_and_fetch_fit_their_budget_and_leave_the_default_list_alone() -> None:
    server = build_server(
        Settings(api_token="pim_budget_test", audit_path=None, chatgpt_search=True)
    )
    with_them = [
        t.model_dump(by_alias=True, mode="json", exclude_none=True)
        for t in await server.list_tools()
    ]
    default = await listed()
    added = [tool for tool in with_them if tool not in default]
    assert [tool["name"] for tool in added] == ["search", "fetch"]
    assert (
        sum(tokens(t["name"]) + tokens(t["description"]) + tokens(t["inputSchema"]) for t in added)
        <= CHATGPT_TOOLS_BUDGET
    )
    assert tokens(added) <= CHATGPT_LIST_BUDGET
