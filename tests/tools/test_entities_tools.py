"""search_entities, get_entity, create_entities, update_entities through a real MCP client."""

from pathlib import Path
from typing import Any

from mcp import Client

from pimelo_mcp.sandbox.settings import READ_SCOPES
from tests.tools.conftest import (
    PRODUCTS_TOKEN,
    ConnectFactory,
    all_refused,
    call,
    error_text,
    read_journal,
    structured,
)

WRITE_TOOLS = {"create_entities", "update_entities"}


async def _brand(mcp: Client, code: str = "alpenwerk") -> dict[str, Any]:
    data = structured(await call(mcp, "get_entity", {"entity_type": "brand", "code": code}))
    return data["entity"]


async def test_search_without_entity_type_lists_the_types_and_their_attributes(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        data = structured(await call(mcp, "search_entities"))
        types = {t["code"]: t for t in data["types"]}
        assert set(types) == {"brand", "supplier", "material"}
        assert types["brand"]["label"] == "Brands"
        assert types["supplier"]["attributes"]["min_order_value"] == "price"
        assert "items" not in data


async def test_search_gives_compact_labels_and_values_for_the_locale(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        data = structured(
            await call(
                mcp,
                "search_entities",
                {"entity_type": "brand", "query": "alpenwerk", "locale": "fr_FR"},
            )
        )
        [brand] = data["items"]
        assert brand["code"] == "alpenwerk"
        assert brand["labels"] == "Alpenwerk"  # the same in every locale: one string
        assert brand["values"]["description"] == "Équipement de montagne conçu en Bavière."
        assert brand["values"]["country"] == "de"
        assert brand["version"] == 1
        assert "next_cursor" not in data


async def test_search_pages_with_the_cursor_until_the_end(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        seen: list[str] = []
        cursor = None
        while True:
            arguments: dict[str, Any] = {
                "entity_type": "material",
                "limit": 7,
                "fields": ["family"],
            }
            if cursor:
                arguments["cursor"] = cursor
            data = structured(await call(mcp, "search_entities", arguments))
            seen.extend(item["code"] for item in data["items"])
            assert all(set(item["values"]) <= {"family"} for item in data["items"])
            cursor = data.get("next_cursor")
            if not cursor:
                break
        assert len(seen) == len(set(seen)) > 7


async def test_search_filters_by_option_label_and_code(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        data = structured(
            await call(
                mcp,
                "search_entities",
                {
                    "entity_type": "brand",
                    "filters": [
                        {"attribute": "country", "op": "eq", "value": "Germany"},
                        {"attribute": "code", "op": "starts_with", "value": "a"},
                    ],
                    "limit": 100,
                },
            )
        )
        assert data["items"]
        assert all(item["values"]["country"] == "de" for item in data["items"])
        assert all(item["code"].startswith("a") for item in data["items"])


async def test_search_filter_on_an_unknown_attribute_lists_the_type_attributes(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        text = error_text(
            await call(
                mcp,
                "search_entities",
                {
                    "entity_type": "supplier",
                    "filters": [{"attribute": "colour", "op": "eq", "value": "red"}],
                },
            )
        )
        assert "no attribute 'colour' on supplier" in text
        assert "lead_time_days" in text
        text = error_text(
            await call(mcp, "search_entities", {"entity_type": "supplier", "fields": ["name"]})
        )
        assert "fields.name: no attribute 'name' on supplier" in text


async def test_unknown_entity_type_is_refused_naming_the_known_types(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        for name, arguments in (
            ("search_entities", {"entity_type": "brands"}),
            ("get_entity", {"entity_type": "Brand", "code": "alpenwerk"}),
            ("create_entities", {"entity_type": "vendor", "items": [{"code": "acme"}]}),
            ("update_entities", {"entity_type": "vendor", "items": [{"code": "acme"}]}),
        ):
            text = error_text(await call(mcp, name, arguments))
            assert "no entity type" in text, name
            assert "brand, material, supplier" in text, name


async def test_get_entity_compact_for_a_locale_and_full(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        compact = structured(
            await call(
                mcp, "get_entity", {"entity_type": "brand", "code": "alpenwerk", "locale": "de_DE"}
            )
        )
        assert compact["entity_type"] == "brand"
        entity = compact["entity"]
        assert isinstance(entity["values"]["description"], str)
        assert entity["values"]["logo"] == "img_logo_alpenwerk"  # a media value
        assert entity["updated_at"].endswith("Z")
        every_locale = await _brand(mcp)
        assert set(every_locale["values"]["description"]) == {"en_US", "fr_FR", "de_DE", "es_ES"}
        full = structured(
            await call(
                mcp, "get_entity", {"entity_type": "brand", "code": "alpenwerk", "full": True}
            )
        )["entity"]
        assert full["labels"]["fr_FR"] == "Alpenwerk"
        assert full["values"]["founded"] == [{"locale": None, "channel": None, "data": 1948}]


async def test_get_unknown_code_says_how_to_find_codes(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        text = error_text(await call(mcp, "get_entity", {"entity_type": "brand", "code": "nope"}))
        assert "No brand 'nope'" in text
        assert "search_entities" in text


async def test_create_translates_natural_values_and_journals_it(
    connect: ConnectFactory, audit_path: Path
) -> None:
    async with connect() as mcp:
        data = structured(
            await call(
                mcp,
                "create_entities",
                {
                    "entity_type": "supplier",
                    "locale": "fr_FR",
                    "items": [
                        {
                            "code": "tessiture_nord",
                            "labels": {"en_US": "Tessiture Nord", "fr_FR": "Tissages du Nord"},
                            "values": {
                                "country": "Italie",  # an option label, in the locale
                                "certifications": ["OEKO-TEX® Standard 100"],
                                "lead_time_days": "45",
                                "min_order_value": "2500 EUR",
                                "contract_start": "2026-01-15",
                                "preferred": True,
                            },
                        }
                    ],
                },
            )
        )
        assert data["done"] == 1
        [item] = data["items"]
        assert item["ok"] is True
        assert item["code"] == "tessiture_nord"
        assert item["version"] == 1
        changes = {change["field"]: change["after"] for change in item["changes"]}
        assert changes["labels.fr_FR"] == "Tissages du Nord"
        assert changes["values.country"] == "it"
        assert changes["values.min_order_value"] == "2500.00 EUR"
        created = structured(
            await call(mcp, "get_entity", {"entity_type": "supplier", "code": "tessiture_nord"})
        )["entity"]
        assert created["labels"] == {"en_US": "Tessiture Nord", "fr_FR": "Tissages du Nord"}
        assert created["values"]["lead_time_days"] == 45
        assert created["values"]["certifications"] == ["oeko_tex"]
        [record] = read_journal(audit_path)
        assert record["tool"] == "create_entities"
        assert record["target"] == {
            "kind": "entity",
            "entity_type": "supplier",
            "code": "tessiture_nord",
        }
        assert record["version_after"] == 1


async def test_create_refuses_existing_repeated_and_invalid_records_one_by_one(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        data = structured(
            await call(
                mcp,
                "create_entities",
                {
                    "entity_type": "material",
                    "items": [
                        {
                            "code": "new_wool",
                            "values": {"family": "Natural fibre", "recycled_content": 30},
                        },
                        {"code": "new_wool"},
                        {"code": "bad_fibre", "values": {"recycled_content": 140}},
                        {"code": "odd_fibre", "values": {"colour": "red"}},
                        {"code": "new_silk", "labels": {"xx_XX": "Silk"}},
                        {"code": "new_hemp", "labels": {"en_US": "Hemp"}},
                    ],
                },
            )
        )
        assert [item["ok"] for item in data["items"]] == [True, False, False, False, False, True]
        errors = [item.get("error") or "" for item in data["items"]]
        assert "given twice" in errors[1]
        assert "recycled_content" in errors[2]
        assert "no attribute 'colour' on material" in errors[3]
        assert "labels.xx_XX" in errors[4]
        again = all_refused(
            await call(
                mcp,
                "create_entities",
                {"entity_type": "material", "items": [{"code": "new_wool"}]},
            )
        )
        assert "already exists" in again["items"][0]["error"]


async def test_update_merges_labels_and_values_and_shows_before_and_after(
    connect: ConnectFactory, audit_path: Path
) -> None:
    async with connect() as mcp:
        before = await _brand(mcp)
        data = structured(
            await call(
                mcp,
                "update_entities",
                {
                    "entity_type": "brand",
                    "items": [
                        {
                            "code": "alpenwerk",
                            "labels": {"fr_FR": "Alpenwerk France", "es_ES": None},
                            "values": {
                                "description": {"fr_FR": "Montagne, toujours."},
                                "founded": 1950,
                                "logo": "img_logo_boreal_trail",
                            },
                            "expected_version": before["version"],
                        }
                    ],
                },
            )
        )
        [item] = data["items"]
        assert item["ok"] is True
        assert item["version"] == before["version"] + 1
        changes = {change["field"]: change for change in item["changes"]}
        assert changes["labels.fr_FR"] == {
            "field": "labels.fr_FR",
            "before": "Alpenwerk",
            "after": "Alpenwerk France",
        }
        assert changes["labels.es_ES"] == {
            "field": "labels.es_ES",
            "before": "Alpenwerk",
        }  # removed
        assert changes["values.description[locale=fr_FR]"]["after"] == "Montagne, toujours."
        assert changes["values.founded"] == {
            "field": "values.founded",
            "before": 1948,
            "after": 1950,
        }
        after = structured(
            await call(
                mcp, "get_entity", {"entity_type": "brand", "code": "alpenwerk", "full": True}
            )
        )["entity"]
        assert after["labels"] == {
            "en_US": "Alpenwerk",
            "fr_FR": "Alpenwerk France",
            "de_DE": "Alpenwerk",
        }
        descriptions = {v["locale"]: v["data"] for v in after["values"]["description"]}
        assert descriptions["fr_FR"] == "Montagne, toujours."
        assert descriptions["en_US"] == before["values"]["description"]["en_US"]  # kept
        assert after["values"]["logo"][0]["data"] == "img_logo_boreal_trail"
        [record] = read_journal(audit_path)
        assert record["tool"] == "update_entities"
        assert record["target"]["entity_type"] == "brand"
        assert record["before"]["labels.fr_FR"] == "Alpenwerk"
        assert (record["version_before"], record["version_after"]) == (
            before["version"],
            before["version"] + 1,
        )


async def test_update_that_changes_nothing_keeps_the_version(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        before = await _brand(mcp)
        data = structured(
            await call(
                mcp,
                "update_entities",
                {
                    "entity_type": "brand",
                    "items": [{"code": "alpenwerk", "values": {"founded": 1948}}],
                },
            )
        )
        assert (data["done"], data["unchanged"]) == (0, 1)
        assert data["items"][0]["changes"] == []
        assert (await _brand(mcp))["version"] == before["version"]


async def test_dry_run_shows_changes_and_writes_nothing(
    connect: ConnectFactory, audit_path: Path
) -> None:
    async with connect() as mcp:
        before = await _brand(mcp)
        result = await call(
            mcp,
            "update_entities",
            {
                "entity_type": "brand",
                "items": [{"code": "alpenwerk", "values": {"b_corp": True}}],
                "dry_run": True,
            },
        )
        data = structured(result)
        assert data["dry_run"] is True
        assert data["items"][0]["changes"] == [
            {"field": "values.b_corp", "before": False, "after": True}
        ]
        created = structured(
            await call(
                mcp,
                "create_entities",
                {"entity_type": "brand", "items": [{"code": "ghost"}], "dry_run": True},
            )
        )
        assert created["done"] == 1
        assert (await _brand(mcp))["version"] == before["version"]
        assert "No brand 'ghost'" in error_text(
            await call(mcp, "get_entity", {"entity_type": "brand", "code": "ghost"})
        )
        assert read_journal(audit_path) == []


async def test_a_price_in_one_currency_keeps_the_others(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        supplier = structured(
            await call(
                mcp,
                "get_entity",
                {"entity_type": "supplier", "code": "alicante_calzados", "full": True},
            )
        )["entity"]
        [eur] = supplier["values"]["min_order_value"][0]["data"]
        assert eur["currency"] == "EUR"
        data = structured(
            await call(
                mcp,
                "update_entities",
                {
                    "entity_type": "supplier",
                    "items": [
                        {"code": "alicante_calzados", "values": {"min_order_value": "5000 USD"}}
                    ],
                },
            )
        )
        [change] = data["items"][0]["changes"]
        assert change["after"] == f"5000.00 USD, {change['before']}"
        after = structured(
            await call(
                mcp,
                "get_entity",
                {"entity_type": "supplier", "code": "alicante_calzados", "full": True},
            )
        )["entity"]
        prices = {p["currency"]: p["amount"] for p in after["values"]["min_order_value"][0]["data"]}
        assert prices == {"USD": "5000.00", "EUR": eur["amount"]}


async def test_stale_expected_version_is_refused_with_the_current_one(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        before = await _brand(mcp)
        data = all_refused(
            await call(
                mcp,
                "update_entities",
                {
                    "entity_type": "brand",
                    "items": [
                        {
                            "code": "alpenwerk",
                            "values": {"founded": 1900},
                            "expected_version": before["version"] + 3,
                        }
                    ],
                },
            )
        )
        assert data["refused"] == 1
        assert f"at version {before['version']}" in data["items"][0]["error"]
        assert (await _brand(mcp))["values"]["founded"] == 1948


async def test_batch_reports_each_item_and_one_failure_does_not_undo_the_others(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        page = structured(
            await call(mcp, "search_entities", {"entity_type": "supplier", "limit": 4})
        )["items"]
        first, second, third, fourth = (supplier["code"] for supplier in page)
        items: list[dict[str, Any]] = [
            {"code": first, "values": {"lead_time_days": 21}},
            {"code": "no_such_supplier", "values": {"preferred": True}},
            {"code": second, "values": {"lead_time_days": 21}},
            {"code": third, "values": {"email": "not an address"}},
            {"code": first, "values": {"lead_time_days": 30}},
            {"code": fourth, "values": {"lead_time_days": "soon"}},
        ]
        result = await call(mcp, "update_entities", {"entity_type": "supplier", "items": items})
        data = structured(result)
        oks = [item["ok"] for item in data["items"]]
        assert oks == [True, False, True, False, False, False]
        assert "no such supplier" in data["items"][1]["error"]
        assert "email" in data["items"][3]["error"]
        assert "given twice" in data["items"][4]["error"]
        assert "lead_time_days" in data["items"][5]["error"]
        assert data["done"] == 2
        text = result.content[0]
        assert "refused" in text.text  # type: ignore[union-attr]
        updated = structured(
            await call(mcp, "get_entity", {"entity_type": "supplier", "code": first})
        )["entity"]
        assert updated["values"]["lead_time_days"] == 21


async def test_read_only_token_does_not_list_the_write_tools(connect: ConnectFactory) -> None:
    async with connect(scopes=READ_SCOPES) as mcp:
        names = {t.name for t in (await mcp.list_tools()).tools}
        assert {"search_entities", "get_entity"} <= names
        assert not names & WRITE_TOOLS


async def test_write_without_the_entities_scope_names_it_and_where_to_get_it(
    connect: ConnectFactory,
) -> None:
    async with connect(PRODUCTS_TOKEN) as mcp:
        names = {t.name for t in (await mcp.list_tools()).tools}
        assert names >= WRITE_TOOLS  # scopes unknown: everything is listed
        text = error_text(
            await call(mcp, "create_entities", {"entity_type": "brand", "items": [{"code": "x"}]})
        )
        assert "entities:write" in text
        assert "Settings > API Tokens" in text


async def test_an_item_pimelo_refuses_in_the_bulk_call_does_not_stop_the_others(
    connect: ConnectFactory, audit_path: Path
) -> None:
    async with connect() as mcp:
        data = structured(
            await call(
                mcp,
                "create_entities",
                {
                    "entity_type": "brand",
                    "items": [
                        {"code": "north_peak", "values": {"logo": "img_logo_alpenwerk"}},
                        {"code": "south_peak", "values": {"logo": "no_such_media"}},
                    ],
                },
            )
        )
        assert [item["ok"] for item in data["items"]] == [True, False]
        assert "no_such_media" in data["items"][1]["error"]
        assert [record["target"]["code"] for record in read_journal(audit_path)] == ["north_peak"]
