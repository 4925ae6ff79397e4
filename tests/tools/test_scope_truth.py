"""What the catalog says a token can do is what it can do.

For every tool, its common use runs with a token that holds exactly the scopes the catalog
says it needs, and nothing else. For every part the catalog says an extra scope adds, a
token holding everything but that scope either gets the part in a plainer form with a note
naming the scope, or a refusal naming the scope and the part; never a whole-tool refusal,
never a message that blames something else.
"""

import base64
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import httpx2
import pytest
from mcp import Client
from mcp.types import CallToolResult
from starlette.applications import Starlette

from pimelo_mcp.config import Settings
from pimelo_mcp.sandbox.demo.images import encode_png
from pimelo_mcp.server import build_server
from pimelo_mcp.tools.catalog import APPS, CatalogEntry, load_full_catalog
from tests.tools.conftest import BASE_URL, FULL_TOKEN

TINY_PNG_B64 = base64.b64encode(encode_png(2, 2, [b"\xff\x00\x00" * 2] * 2)).decode()
PRODUCT = "ACC-BNE-000015"
BRAND_CODE, BRAND_NAME = "alpenwerk", "Alpenwerk"

COMMON_USE: dict[str, dict[str, Any]] = {
    "list_channels": {},
    "search_products": {"query": "beanie", "limit": 3},
    "get_product": {"identifier": PRODUCT},
    "create_products": {
        "items": [
            {
                "identifier": "NEW-1",
                "attribute_set": "accessories",
                "values": {"name": {"en_US": "N"}},
            }
        ],
        "dry_run": True,
    },
    "update_products": {
        "items": [{"identifier": PRODUCT, "values": {"name": {"en_US": "Renamed beanie"}}}],
        "dry_run": True,
    },
    "search_entities": {"entity_type": "brand", "query": "alp"},
    "get_entity": {"entity_type": "brand", "code": BRAND_CODE},
    "create_entities": {
        "entity_type": "brand",
        "items": [{"code": "new_brand", "labels": {"en_US": "New brand"}}],
        "dry_run": True,
    },
    "update_entities": {
        "entity_type": "brand",
        "items": [{"code": BRAND_CODE, "values": {"founded": 1999}}],
        "dry_run": True,
    },
    "search_attributes": {"query": "brand"},
    "create_attribute": {"code": "care_label", "type": "text", "dry_run": True},
    "update_attribute": {"code": "name", "labels": {"en_US": "Product name"}, "dry_run": True},
    "search_media": {"query": "beanie"},
    "upload_media": {"content_base64": TINY_PNG_B64, "filename": "tiny.png"},
    "search": {"query": "beanie"},
    "fetch": {"id": PRODUCT},
}


@dataclass(frozen=True)
class Part:
    """A call that uses one part of a tool, and what a token lacking `scope` gets."""

    tool: str
    scope: str
    arguments: dict[str, Any]
    outcome: Literal["plainer", "refused", "item refused", "works"]


PARTS = [
    Part("search", "settings:read", {"query": "beanie"}, "works"),
    Part("fetch", "settings:read", {"id": PRODUCT}, "works"),
    Part("search_products", "attributes:read", {"fields": ["name"], "limit": 2}, "plainer"),
    Part(
        "search_products",
        "attributes:read",
        {"filters": [{"attribute": "color", "op": "eq", "value": "navy"}]},
        "refused",
    ),
    Part("search_products", "settings:read", {"limit": 2}, "plainer"),
    Part(
        "search_products",
        "entities:read",
        {"filters": [{"attribute": "brand", "op": "eq", "value": BRAND_NAME}]},
        "refused",
    ),
    Part(
        "search_products",
        "entities:read",
        {"filters": [{"attribute": "brand", "op": "eq", "value": BRAND_CODE}]},
        "works",
    ),
    Part("get_product", "attributes:read", {"identifier": PRODUCT, "fields": ["name"]}, "plainer"),
    Part("get_product", "settings:read", {"identifier": PRODUCT}, "plainer"),
    Part(
        "update_products",
        "entities:read",
        {"items": [{"identifier": PRODUCT, "values": {"brand": BRAND_NAME}}], "dry_run": True},
        "item refused",
    ),
    Part(
        "update_products",
        "entities:read",
        {"items": [{"identifier": PRODUCT, "values": {"brand": BRAND_CODE}}], "dry_run": True},
        "works",
    ),
    Part(
        "create_products",
        "entities:read",
        {
            "items": [
                {"identifier": "NEW-2", "attribute_set": "accessories", "values": {"brand": "x y"}}
            ],
            "dry_run": True,
        },
        "item refused",
    ),
    Part(
        "search_entities",
        "settings:read",
        {
            "entity_type": "brand",
            "filters": [{"attribute": "website", "op": "contains", "value": "."}],
        },
        "works",
    ),
    Part(
        "create_attribute",
        "settings:read",
        {"code": "shade", "type": "select", "options": ["Light", "Dark"], "dry_run": True},
        "refused",
    ),
    Part(
        "create_attribute",
        "settings:read",
        {
            "code": "shade",
            "type": "select",
            "options": [{"code": "light", "labels": {"en_US": "Light"}}],
            "dry_run": True,
        },
        "works",
    ),
    Part(
        "update_attribute",
        "settings:read",
        {"code": "color", "options": ["Teal"], "dry_run": True},
        "refused",
    ),
    *(
        Part(
            "upload_media",
            scope,
            {
                "content_base64": TINY_PNG_B64,
                "filename": "tiny.png",
                "attach_to": {"identifier": PRODUCT},
            },
            "refused",
        )
        for scope in ("products:read", "attributes:read", "settings:read")
    ),
    Part(
        "upload_media",
        "products:write",
        {
            "content_base64": TINY_PNG_B64,
            "filename": "tiny.png",
            "attach_to": {"identifier": PRODUCT},
        },
        "refused",
    ),
]

Mint = Callable[[Collection[str]], str]


@pytest.fixture
def mint(sandbox: Starlette) -> Mint:
    """A fresh sandbox token holding exactly `scopes`."""
    return lambda scopes: sandbox.state.sandbox.store.mint_token("truth", tuple(sorted(scopes)))


def entry(name: str) -> CatalogEntry:
    return next(entry for entry in load_full_catalog() if entry.name == name)


async def call_with(
    http: httpx2.AsyncClient,
    token: str,
    scopes: Collection[str],
    audit: Path,
    name: str,
    arguments: dict[str, Any],
) -> tuple[list[str], CallToolResult]:
    settings = Settings(api_token=token, base_url=BASE_URL, audit_path=audit, chatgpt_search=True)
    server = build_server(settings, scopes=frozenset(scopes), http_client=http)
    async with Client(server) as client:  # type: ignore[arg-type]
        listed = [tool.name for tool in (await client.list_tools()).tools]
        return listed, await client.call_tool(name, arguments)


async def media_count(http: httpx2.AsyncClient) -> int:
    """How many media files the sandbox holds (read with its full-access token)."""
    count, cursor = 0, None
    while True:
        params = {"limit": 100, **({"search_after": cursor} if cursor else {})}
        response = await http.get(
            "media", params=params, headers={"Authorization": f"Bearer {FULL_TOKEN}"}
        )
        response.raise_for_status()
        page = response.json()
        count += len(page["items"])
        cursor = page["search_after"]
        if cursor is None:
            return count


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def test_every_tool_has_a_common_use_here() -> None:
    # The review pane's Apply needs the scopes of the write it applies (tests/review).
    assert set(COMMON_USE) == {entry.name for entry in load_full_catalog() if entry.switch != APPS}


def test_every_extra_scope_of_every_tool_has_a_part_here() -> None:
    declared = {
        (entry.name, extra.scope) for entry in load_full_catalog() for extra in entry.extras
    }
    assert declared == {(part.tool, part.scope) for part in PARTS}


@pytest.mark.parametrize("name", COMMON_USE)
async def test_a_tool_works_with_exactly_the_scopes_the_catalog_says_it_needs(
    name: str, sandbox_http: httpx2.AsyncClient, mint: Mint, audit_path: Path
) -> None:
    scopes = entry(name).scopes
    listed, result = await call_with(
        sandbox_http, mint(scopes), scopes, audit_path, name, COMMON_USE[name]
    )
    assert name in listed
    assert not result.is_error, text_of(result)


@pytest.mark.parametrize(
    "part", PARTS, ids=lambda part: f"{part.tool}-without-{part.scope}-{part.outcome}"
)
async def test_a_part_needing_an_extra_scope_says_so_and_the_rest_works(
    part: Part, sandbox_http: httpx2.AsyncClient, mint: Mint, audit_path: Path
) -> None:
    tool = entry(part.tool)
    scopes = {*tool.scopes, *(extra.scope for extra in tool.extras)} - {part.scope}
    media_before = await media_count(sandbox_http)
    listed, result = await call_with(
        sandbox_http, mint(scopes), scopes, audit_path, part.tool, part.arguments
    )
    assert part.tool in listed
    text = text_of(result)
    if part.outcome == "refused":
        assert result.is_error
        assert part.scope in text
        assert "Settings > API Tokens" in text
        if part.tool == "upload_media":  # the part says whether the file was uploaded
            [extra] = [extra for extra in tool.extras if extra.scope == part.scope]
            uploaded = await media_count(sandbox_http) - media_before
            assert uploaded == (0 if "nothing is uploaded" in extra.part else 1)
            assert ("unattached" in text) == (uploaded == 1)
    elif part.outcome == "item refused":
        assert result.structured_content is not None
        [item] = result.structured_content["items"]
        assert not item["ok"]
        assert part.scope in item["error"]
    else:
        assert not result.is_error, text
        assert result.structured_content is not None
        note = result.structured_content.get("note")
        if part.outcome == "plainer":
            assert note is not None
            assert part.scope in note
            assert text.endswith(note)  # said once, after the results


async def test_a_token_lacking_an_extra_scope_reads_so_in_the_tool_description(
    sandbox_http: httpx2.AsyncClient, mint: Mint, audit_path: Path
) -> None:
    scopes = entry("update_products").scopes  # no entities:read
    settings = Settings(api_token=mint(scopes), base_url=BASE_URL, audit_path=audit_path)
    server = build_server(settings, scopes=frozenset(scopes), http_client=sandbox_http)
    async with Client(server) as client:  # type: ignore[arg-type]
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    described = tools["update_products"].description or ""
    assert described.startswith(entry("update_products").definition["description"])
    assert "Needs entities:read, which this token lacks, for entity values" in described
    assert tools["list_channels"].description == entry("list_channels").definition["description"]
