"""Free-text `query`: words, not substrings; folded case and accents; plurals; relevance order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest

from pimelo_mcp.sandbox.fulltext import match_expression, stem
from pimelo_mcp.sandbox.store import Store
from tests.sandbox.catalog import build_fixture_catalog


async def found(client: httpx2.AsyncClient, body: dict[str, Any]) -> list[str]:
    response = await client.post("products/search", json=body)
    assert response.status_code == 200, response.text
    return [p["identifier"] for p in response.json()["items"]]


async def name(client: httpx2.AsyncClient, identifier: str, en: str, fr: str | None = None) -> None:
    values = [{"locale": "en_US", "channel": None, "data": en}]
    if fr is not None:
        values.append({"locale": "fr_FR", "channel": None, "data": fr})
    response = await client.patch(f"products/{identifier}", json={"values": {"name": values}})
    assert response.status_code == 200, response.text


async def test_words_match_in_any_order_and_a_plural_finds_the_singular(
    client: httpx2.AsyncClient,
) -> None:
    await name(client, "SHOE-2", "Trail Running Shoe")
    await name(client, "BASIC-1", "Running Shoes for the trail")
    # A substring search found neither: "shoes" is not in "Shoe", "trail shoe" is in neither.
    # (SHOE-3 is found by its identifier.)
    assert set(await found(client, {"query": "shoes"})) == {"SHOE-1", "SHOE-2", "SHOE-3", "BASIC-1"}
    assert set(await found(client, {"query": "trail shoe"})) == {"SHOE-1", "SHOE-2", "BASIC-1"}
    assert set(await found(client, {"query": "shoe trails"})) == {"SHOE-1", "SHOE-2", "BASIC-1"}


async def test_every_word_must_match(client: httpx2.AsyncClient) -> None:
    await name(client, "SHOE-2", "Trail Running Shoe")
    assert await found(client, {"query": "trail running"}) == ["SHOE-2"]
    assert await found(client, {"query": "trail zebra"}) == []


async def test_case_and_accents_are_folded_both_ways(client: httpx2.AsyncClient) -> None:
    await name(client, "SHOE-2", "Summer jacket", "Veste d'été imperméable")
    assert await found(client, {"query": "ETE"}) == ["SHOE-2"]
    assert await found(client, {"query": "impermeable VESTE"}) == ["SHOE-2"]
    assert await found(client, {"query": "Été"}) == ["SHOE-2"]


async def test_identifiers_are_words_too(client: httpx2.AsyncClient) -> None:
    assert await found(client, {"query": "basic"}) == ["BASIC-1"]
    assert await found(client, {"query": "shoe-2"}) == ["SHOE-2"]


async def test_a_short_word_matches_only_itself(client: httpx2.AsyncClient) -> None:
    await name(client, "SHOE-2", "Model 4")
    await name(client, "BASIC-1", "Model 40")
    assert await found(client, {"query": "model 4"}) == ["SHOE-2"]


async def test_relevance_orders_the_matches_when_a_query_is_given(
    client: httpx2.AsyncClient,
) -> None:
    # SHOE-1 says "trail" in a description only; SHOE-2 in its name, twice.
    await name(client, "SHOE-2", "Trail shoe for trail running")
    assert await found(client, {"query": "trail"}) == ["SHOE-2", "SHOE-1"]
    # Asked for, another order still applies; without a query the identifier order stays.
    assert await found(client, {"query": "trail", "sort": "identifier"}) == ["SHOE-1", "SHOE-2"]
    assert await found(client, {}) == ["BASIC-1", "SHOE-1", "SHOE-2", "SHOE-3"]


async def test_a_query_naming_an_identifier_puts_that_product_first(
    client: httpx2.AsyncClient,
) -> None:
    await name(client, "SHOE-2", "The shoe that replaces SHOE 1, SHOE 1 and SHOE 1")
    assert (await found(client, {"query": "shoe-1"}))[0] == "SHOE-1"


async def test_pages_by_relevance_neither_skip_nor_repeat(client: httpx2.AsyncClient) -> None:
    for identifier, text in (("SHOE-2", "trail trail"), ("SHOE-3", "trail"), ("BASIC-1", "trail")):
        await name(client, identifier, text)
    expected = await found(client, {"query": "trail", "limit": 100})
    seen: list[str] = []
    cursor = None
    while True:
        response = await client.post(
            "products/search", json={"query": "trail", "limit": 1, "search_after": cursor}
        )
        page = response.json()
        seen.extend(p["identifier"] for p in page["items"])
        cursor = page["search_after"]
        if cursor is None:
            break
    assert seen == expected
    assert len(seen) == 4


async def test_a_relevance_cursor_is_refused_for_another_query(
    client: httpx2.AsyncClient,
) -> None:
    await name(client, "SHOE-2", "trail runner")
    first = await client.post("products/search", json={"query": "trail", "limit": 1})
    cursor = first.json()["search_after"]
    assert cursor is not None
    other = await client.post(
        "products/search", json={"query": "runner", "limit": 1, "search_after": cursor}
    )
    assert other.status_code == 422
    assert other.json()["errors"] == [
        {
            "field": "search_after",
            "message": "was made for another query; start again without search_after",
        }
    ]
    by_identifier = await client.post(
        "products/search",
        json={"query": "trail", "sort": "identifier", "search_after": cursor},
    )
    assert by_identifier.status_code == 422
    assert "not 'identifier'" in by_identifier.json()["errors"][0]["message"]


async def test_relevance_needs_a_query_and_a_query_needs_a_word(
    client: httpx2.AsyncClient,
) -> None:
    no_query = await client.post("products/search", json={"sort": "relevance"})
    assert no_query.status_code == 422
    assert no_query.json()["errors"][0]["field"] == "sort"
    too_long = await client.post("products/search", json={"query": "trail " * 33})
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["message"] == "has more than 32 words; search for fewer"
    no_word = await client.post("products/search", json={"query": "— !"})
    assert no_word.status_code == 422
    assert no_word.json()["errors"][0]["field"] == "query"
    assert await found(client, {"query": "   "}) == ["BASIC-1", "SHOE-1", "SHOE-2", "SHOE-3"]


@pytest.mark.parametrize(
    "query", ['"trail', "trail OR zebra", "NEAR(trail runner)", "trail*", "-trail", "^trail", "a:b"]
)
async def test_search_syntax_in_a_query_is_read_as_words(
    client: httpx2.AsyncClient, query: str
) -> None:
    response = await client.post("products/search", json={"query": query})
    assert response.status_code == 200, response.text


async def test_the_index_follows_every_write(client: httpx2.AsyncClient) -> None:
    await name(client, "SHOE-2", "Alpine Parka")
    assert await found(client, {"query": "parka"}) == ["SHOE-2"]
    await name(client, "SHOE-2", "Desert Sandal")
    assert await found(client, {"query": "parka"}) == []
    assert await found(client, {"query": "sandals"}) == ["SHOE-2"]
    created = await client.post(
        "products",
        json={
            "identifier": "NEW-1",
            "attribute_set": "shoes",
            "values": {"name": [{"locale": "en_US", "channel": None, "data": "Snow boot"}]},
        },
    )
    assert created.status_code == 201, created.text
    assert await found(client, {"query": "boots"}) == ["NEW-1"]
    bulk = await client.post(
        "products/bulk",
        json={
            "operations": [
                {
                    "op": "update",
                    "identifier": "NEW-1",
                    "values": {"name": [{"locale": "en_US", "channel": None, "data": "Rain boot"}]},
                }
            ]
        },
    )
    assert bulk.json()["results"][0]["status"] == 200
    assert await found(client, {"query": "snow"}) == []
    assert await found(client, {"query": "rain boot"}) == ["NEW-1"]


async def test_a_refused_write_leaves_the_index_as_it_was(client: httpx2.AsyncClient) -> None:
    refused = await client.patch(
        "products/SHOE-1",
        json={
            "values": {"name": [{"locale": "en_US", "channel": None, "data": "Parka"}]},
            "status": "nope",
        },
    )
    assert refused.status_code == 422
    assert await found(client, {"query": "parka"}) == []
    assert await found(client, {"query": "runner"}) == ["SHOE-1"]


async def test_entity_search_uses_the_same_words(client: httpx2.AsyncClient) -> None:
    async def codes(query: str) -> list[str]:
        response = await client.post("entities/brand/search", json={"query": query})
        assert response.status_code == 200, response.text
        return [e["code"] for e in response.json()["items"]]

    assert await codes("acme") == ["acme"]
    renamed = await client.patch(
        "entities/brand/initech", json={"labels": {"fr_FR": "Initech Chaussures"}}
    )
    assert renamed.status_code == 200, renamed.text
    assert await codes("chaussure") == ["initech"]


def test_a_database_from_before_the_index_is_indexed_when_opened(tmp_path: Path) -> None:
    path = str(tmp_path / "sandbox.db")
    store = Store(path)
    store.load_catalog(build_fixture_catalog())
    # The shape an older sandbox wrote: a substring column, no free-text tables.
    store.conn.execute("DROP TABLE product_text")
    store.conn.execute("DROP TABLE entity_text")
    store.conn.execute("ALTER TABLE products ADD COLUMN search TEXT NOT NULL DEFAULT ''")
    store.close()
    reopened = Store(path)
    try:
        rows = reopened.conn.execute(
            "SELECT rowid FROM product_text WHERE product_text MATCH ?",
            (match_expression("coureur") or "",),
        ).fetchall()
        assert len(rows) == 1
        columns = {row[1] for row in reopened.conn.execute("PRAGMA table_info(products)")}
        assert "search" not in columns
    finally:
        reopened.close()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("shoes", "shoe"),
        ("boxes", "box"),
        ("dresses", "dress"),
        ("batteries", "batter"),
        ("chapeaux", "chapeau"),
        ("jeux", "jeu"),
        ("bus", "bus"),
        ("size42s", "size42s"),
    ],
)
def test_plural_endings_are_stripped_to_a_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


async def test_an_unknown_locale_or_channel_names_the_known_ones(
    client: httpx2.AsyncClient,
) -> None:
    response = await client.post("products/search", json={"locale": "fr", "channel": "web"})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "locale",
            "message": "'fr' is not an enabled locale; enabled: de_DE, en_US, fr_FR",
        },
        {"field": "channel", "message": "'web' is not a known channel; channels: ecommerce, print"},
    ]
