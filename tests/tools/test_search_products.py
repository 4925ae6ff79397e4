"""search_products as a model meets it: word search, empty answers that explain, cursors, locales."""

from typing import Any

import httpx2
import pytest

from tests.tools.conftest import ConnectFactory, call, error_text, structured


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def test_a_plural_query_finds_products_named_in_the_singular(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        page = structured(
            await call(mcp, "search_products", {"query": "shoes", "locale": "en_US", "limit": 5})
        )
    assert page["items"]
    assert all("Shoe" in item["values"]["name"] for item in page["items"])


async def test_an_empty_answer_says_what_was_searched(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        result = await call(
            mcp,
            "search_products",
            {"query": "zebra", "channel": "ecommerce", "locale": "fr_FR"},
        )
    page = structured(result)
    assert page["items"] == []
    assert page["no_match"].startswith("No products match in ecommerce / fr_FR")
    assert 'query "zebra"' in page["no_match"]
    assert text_of(result) == page["no_match"]


async def test_an_empty_answer_names_the_one_condition_that_excluded_everything(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        page = structured(
            await call(
                mcp,
                "search_products",
                {
                    "query": "shoe",
                    "status": ["active"],
                    "filters": [{"attribute": "name", "op": "contains", "value": "zebra"}],
                },
            )
        )
    assert page["items"] == []
    assert "No products match in any channel / any locale" in page["no_match"]
    assert page["no_match"].endswith("Products do match without filters[0] (name contains zebra).")


async def test_an_empty_answer_names_the_channel_where_products_do_match(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        first = structured(await call(mcp, "search_products", {"limit": 1}))["items"][0]
        cleared = await call(
            mcp,
            "update_products",
            {
                "items": [{"identifier": first["identifier"], "values": {"description": None}}],
                "locale": "fr_FR",
                "channel": "print",
            },
        )
        assert structured(cleared)["done"] == 1
        page = structured(
            await call(
                mcp,
                "search_products",
                {
                    "filters": [{"attribute": "description", "op": "empty"}],
                    "locale": "fr_FR",
                    "channel": "ecommerce",
                },
            )
        )
    assert page["items"] == []
    assert page["no_match"].startswith("No products match in ecommerce / fr_FR")
    assert "in channel print instead of ecommerce" in page["no_match"]


async def test_a_cursor_from_another_search_is_refused_with_what_to_do(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        first = structured(await call(mcp, "search_products", {"query": "shoe", "limit": 1}))
        cursor = first["next_cursor"]
        assert cursor
        same = await call(mcp, "search_products", {"query": "shoe", "limit": 1, "cursor": cursor})
        other = await call(
            mcp, "search_products", {"query": "jacket", "limit": 1, "cursor": cursor}
        )
        mark = cursor.partition(".")[0]
        broken = await call(
            mcp, "search_products", {"query": "shoe", "limit": 1, "cursor": f"{mark}.garbage"}
        )
    assert structured(same)["items"][0]["identifier"] != first["items"][0]["identifier"]
    for refused in (other, broken):
        text = error_text(refused)
        assert "this cursor is not from this search; start again without cursor" in text
        assert "search_after" not in text


async def test_an_unknown_locale_lists_the_enabled_ones(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        result = await call(mcp, "search_products", {"query": "shoe", "locale": "fr"})
        product = await call(mcp, "get_product", {"identifier": "X", "locale": "fr"})
    for refused in (result, product):
        text = error_text(refused)
        assert "'fr' is not an enabled locale; enabled: de_DE, en_US, es_ES, fr_FR" in text


@pytest.mark.parametrize(
    ("tool", "first", "other"),
    [
        ("search_entities", {"entity_type": "brand"}, {"entity_type": "supplier"}),
        ("search_media", {}, {"mime_type": "image/png"}),
        ("search_attributes", {}, {"type": "select"}),
    ],
)
async def test_every_search_tool_refuses_a_cursor_from_another_search(
    connect: ConnectFactory, tool: str, first: dict[str, Any], other: dict[str, Any]
) -> None:
    async with connect() as mcp:
        page = structured(await call(mcp, tool, {**first, "limit": 1}))
        cursor = page["next_cursor"]
        again = structured(await call(mcp, tool, {**first, "limit": 1, "cursor": cursor}))
        refused = await call(mcp, tool, {**other, "limit": 1, "cursor": cursor})
    assert again["items"] != page["items"]
    assert "this cursor is not from this search; start again without cursor" in error_text(refused)


async def test_explaining_an_empty_answer_costs_one_request_per_change_tried(
    connect: ConnectFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    paths: list[str] = []

    async def count(request: httpx2.Request) -> None:
        paths.append(request.url.path)

    sandbox_http.event_hooks["request"].append(count)
    three = {
        "query": "shoe",
        "status": ["active"],
        "filters": [{"attribute": "name", "op": "contains", "value": "zebra"}],
    }
    many = {
        **three,
        "filters": [
            {"attribute": "name", "op": "contains", "value": f"zebra{index}"} for index in range(10)
        ],
    }
    async with connect() as mcp:
        structured(await call(mcp, "search_products", {"limit": 1}))  # definitions are cached
        paths.clear()
        assert structured(await call(mcp, "search_products", three))["items"] == []
        assert paths == ["/api/v1/products/search"] * 4  # the search, then 3 changes
        paths.clear()
        page = structured(await call(mcp, "search_products", many))
        assert paths == ["/api/v1/products/search"]  # too many changes to try: none is
    assert page["no_match"].endswith("Try with fewer conditions.")


async def test_an_empty_entity_search_says_what_was_searched(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        result = await call(
            mcp,
            "search_entities",
            {
                "entity_type": "brand",
                "query": "zebra",
                "locale": "fr_FR",
                "filters": [{"attribute": "code", "op": "starts_with", "value": "alp"}],
            },
        )
    page = structured(result)
    assert page["no_match"] == (
        'No brand records match in fr_FR for all of: query "zebra"; '
        "filters[0] (code starts_with alp)."
    )
    assert text_of(result) == page["no_match"]


async def test_an_empty_result_repeats_a_long_query_only_in_part(connect: ConnectFactory) -> None:
    long_query = "zzyzx" * 500  # one word that matches nothing; 2,500 characters
    async with connect() as mcp:
        result = await call(mcp, "search_products", {"query": long_query})
        text = "\n".join(block.text for block in result.content if block.type == "text")
    assert "zzyzx" in text
    assert len(text) < 1500
