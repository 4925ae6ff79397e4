"""search_products, get_product, create_products, update_products through a real MCP client."""

from pathlib import Path

import httpx2

from pimelo_mcp.tools.render import shown_value
from tests.tools.conftest import (
    BASE_URL,
    FULL_TOKEN,
    ConnectFactory,
    all_refused,
    call,
    error_text,
    read_journal,
    structured,
)


async def test_list_channels_gives_channels_locales_and_currencies(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        data = structured(await call(mcp, "list_channels"))
        ecommerce = next(c for c in data["channels"] if c["code"] == "ecommerce")
        assert "fr_FR" in ecommerce["locales"]
        assert "EUR" in ecommerce["currencies"]
        assert "it_IT" not in data["locales"]


async def test_search_flattens_values_for_the_locale(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        data = structured(
            await call(
                mcp,
                "search_products",
                {
                    "locale": "fr_FR",
                    "channel": "ecommerce",
                    "limit": 5,
                    "fields": ["name", "price"],
                },
            )
        )
        assert len(data["items"]) == 5
        assert "next_cursor" in data
        first = data["items"][0]
        assert isinstance(first["values"]["name"], str)
        assert (
            first["values"]["price"].endswith(("EUR", "USD")) or "EUR" in first["values"]["price"]
        )


async def test_a_search_lists_names_and_leaves_details_to_get_product(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        result = await call(mcp, "search_products", {"limit": 5})
        items = structured(result)["items"]
        assert all(set(item["values"]) == {"name"} for item in items)
        assert all("categories" not in item and "updated_at" not in item for item in items)
        detail = structured(await call(mcp, "get_product", {"identifier": items[0]["identifier"]}))
        assert {"name", "price"} <= set(detail["product"]["values"])
        assert detail["product"]["categories"]


async def test_a_search_with_fields_says_each_listed_value_in_its_text_too(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        result = await call(mcp, "search_products", {"limit": 3, "fields": ["price", "weight"]})
        items = structured(result)["items"]
        text = "\n".join(block.text for block in result.content if block.type == "text")
        blocks = text.split("\n")[1:]
        for item in items:
            assert set(item["values"]) <= {"price", "weight"}
            assert item["values"], item
            start = next(i for i, line in enumerate(blocks) if line.startswith(item["identifier"]))
            said = blocks[start + 1 : start + 3]  # one line per asked-for field, in order
            assert said == [
                f"  {code}: {shown_value(item['values'].get(code))}" for code in ("price", "weight")
            ]


async def test_search_pages_with_the_cursor_until_the_end(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        seen: list[str] = []
        cursor = None
        while True:
            arguments = {"limit": 15, "fields": ["name"]} | ({"cursor": cursor} if cursor else {})
            data = structured(await call(mcp, "search_products", arguments))
            seen.extend(item["identifier"] for item in data["items"])
            cursor = data.get("next_cursor")
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 40


async def test_search_filters_by_option_label_and_status(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        everything = structured(
            await call(mcp, "search_products", {"limit": 100, "fields": ["color"]})
        )
        colors = [
            item["values"].get("color")
            for item in everything["items"]
            if item["values"].get("color")
        ]
        target = colors[0]
        data = structured(
            await call(
                mcp,
                "search_products",
                {
                    "filters": [{"attribute": "color", "op": "in", "value": [target]}],
                    "limit": 100,
                    "fields": ["color"],
                },
            )
        )
        assert data["items"]
        assert all(item["values"]["color"] == target for item in data["items"])


async def test_search_with_an_operator_the_type_refuses_is_an_error_naming_valid_ones(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        result = await call(
            mcp,
            "search_products",
            {"filters": [{"attribute": "waterproof", "op": "gt", "value": 1}]},
        )
        assert "takes the operators eq, ne" in error_text(result)


async def test_get_product_with_completeness(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        first = structured(await call(mcp, "search_products", {"limit": 1}))["items"][0]
        data = structured(
            await call(
                mcp,
                "get_product",
                {
                    "identifier": first["identifier"],
                    "locale": "en_US",
                    "channel": "ecommerce",
                    "with_completeness": True,
                },
            )
        )
        product = data["product"]
        assert product["identifier"] == first["identifier"]
        assert product["completeness"][0]["channel"] == "ecommerce"


async def test_unknown_product_is_a_clear_error(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        assert (
            "Not found" in error_text(await call(mcp, "get_product", {"identifier": "NOPE-1"}))
            or "not found"
            in error_text(await call(mcp, "get_product", {"identifier": "NOPE-1"})).lower()
        )


async def test_update_translates_natural_values_and_journals_the_change(
    connect: ConnectFactory, audit_path: Path
) -> None:
    async with connect() as mcp:
        first = structured(
            await call(mcp, "search_products", {"limit": 1, "attribute_set": ["running_shoes"]})
        )["items"][0]
        result = await call(
            mcp,
            "update_products",
            {
                "items": [
                    {
                        "identifier": first["identifier"],
                        "values": {
                            "name": {"fr_FR": "Coureur des bois"},
                            "weight": "310 g",
                            "price": "129.90 EUR",
                        },
                    }
                ]
            },
        )
        data = structured(result)
        assert data["done"] == 1
        item = data["items"][0]
        assert item["ok"] is True
        assert item["version"] == first["version"] + 1
        fields = {change["field"]: change for change in item["changes"]}
        assert fields["values.name[locale=fr_FR]"]["after"] == "Coureur des bois"
        assert fields["values.weight"]["after"] == "310 g"
        journal = read_journal(audit_path)
        assert journal[-1]["tool"] == "update_products"
        assert journal[-1]["api"] == BASE_URL  # one journal may see several APIs
        assert journal[-1]["target"]["identifier"] == first["identifier"]
        assert journal[-1]["after"]["values.name[locale=fr_FR]"] == "Coureur des bois"
        fetched = structured(
            await call(mcp, "get_product", {"identifier": first["identifier"], "locale": "fr_FR"})
        )
        assert fetched["product"]["values"]["name"] == "Coureur des bois"


async def test_dry_run_shows_changes_and_writes_nothing(
    connect: ConnectFactory, audit_path: Path
) -> None:
    async with connect() as mcp:
        first = structured(await call(mcp, "search_products", {"limit": 1}))["items"][0]
        data = structured(
            await call(
                mcp,
                "update_products",
                {
                    "items": [{"identifier": first["identifier"], "status": "archived"}],
                    "dry_run": True,
                },
            )
        )
        assert data["dry_run"] is True
        assert data["items"][0]["changes"] == [
            {"field": "status", "before": first["status"], "after": "archived"}
        ]
        again = structured(await call(mcp, "get_product", {"identifier": first["identifier"]}))
        assert again["product"]["version"] == first["version"]
        assert read_journal(audit_path) == []


async def test_stale_expected_version_is_refused_with_the_current_one(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        first = structured(await call(mcp, "search_products", {"limit": 1}))["items"][0]
        data = all_refused(
            await call(
                mcp,
                "update_products",
                {
                    "items": [
                        {
                            "identifier": first["identifier"],
                            "status": "archived",
                            "expected_version": first["version"] + 5,
                        }
                    ]
                },
            )
        )
        assert data["refused"] == 1
        assert f"at version {first['version']}" in data["items"][0]["error"]
        assert f'now status is "{first["status"]}"' in data["items"][0]["error"]


async def test_batch_reports_each_item_and_one_failure_does_not_undo_the_others(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        page = structured(await call(mcp, "search_products", {"limit": 3}))["items"]
        items = [{"identifier": p["identifier"], "values": {"stock_quantity": 5}} for p in page]
        items.insert(1, {"identifier": "MISSING-1", "status": "active"})
        items.append({"identifier": page[0]["identifier"], "values": {"stock_quantity": "lots"}})
        data = structured(await call(mcp, "update_products", {"items": items}))
        assert [item["ok"] for item in data["items"]] == [True, False, True, True, False]
        assert data["refused"] == 2
        text = (await call(mcp, "update_products", {"items": items, "dry_run": True})).content[0]
        assert "refused" in text.text  # type: ignore[union-attr]


async def test_create_products_with_natural_values(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        data = structured(
            await call(
                mcp,
                "create_products",
                {
                    "items": [
                        {
                            "identifier": "NEW-JKT-1",
                            "attribute_set": "jackets",
                            "values": {"name": {"en_US": "Storm Shell"}, "price": "199 EUR"},
                        },
                        {"identifier": "NEW-JKT-2", "attribute_set": "no_such_set"},
                    ]
                },
            )
        )
        assert [item["ok"] for item in data["items"]] == [True, False]
        assert "sets:" in data["items"][1]["error"]
        created = structured(
            await call(mcp, "get_product", {"identifier": "NEW-JKT-1", "locale": "en_US"})
        )
        assert created["product"]["values"]["price"] == "199.00 EUR"


async def test_creating_an_existing_product_is_refused(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        first = structured(await call(mcp, "search_products", {"limit": 1}))["items"][0]
        data = all_refused(
            await call(
                mcp,
                "create_products",
                {"items": [{"identifier": first["identifier"], "attribute_set": "jackets"}]},
            )
        )
        assert "already exists" in data["items"][0]["error"]


async def test_unknown_argument_is_refused(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        assert "Unknown argument(s) for search_products: colour" in error_text(
            await call(mcp, "search_products", {"colour": "red"})
        )


async def test_bad_argument_is_explained_without_pydantic_noise(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        text = error_text(await call(mcp, "search_products", {"limit": 500}))
        assert "limit" in text
        assert "errors.pydantic.dev" not in text


async def test_a_price_in_one_currency_keeps_the_others(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        page = structured(await call(mcp, "search_products", {"limit": 40, "fields": ["price"]}))
        product = next(p for p in page["items"] if "USD" in p["values"].get("price", ""))
        data = structured(
            await call(
                mcp,
                "update_products",
                {"items": [{"identifier": product["identifier"], "values": {"price": "99 EUR"}}]},
            )
        )
        after = data["items"][0]["changes"][0]["after"]
        usd = next(part for part in product["values"]["price"].split(", ") if part.endswith("USD"))
        assert after == f"99.00 EUR, {usd}"


async def test_a_dry_run_spells_out_each_change_in_its_text(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        first = structured(await call(mcp, "search_products", {"limit": 1}))["items"][0]
        result = await call(
            mcp,
            "update_products",
            {"items": [{"identifier": first["identifier"], "status": "archived"}], "dry_run": True},
        )
    text = result.content[0].text  # type: ignore[union-attr]
    assert f'{first["identifier"]}: status: "{first["status"]}" → "archived"' in text


async def test_texts_show_lists_and_booleans_as_words_not_python(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        dry = structured(
            await call(
                mcp,
                "search_products",
                {
                    "limit": 40,
                    "filters": [{"attribute": "waterproof", "op": "eq", "value": False}],
                    "fields": ["waterproof"],
                },
            )
        )["items"]
        # A search lists; categories come with each product's details.
        details = [
            structured(await call(mcp, "get_product", {"identifier": item["identifier"]}))[
                "product"
            ]
            for item in dry[:10]
        ]
        first = details[0]
        other = next(
            c
            for item in details
            for c in item.get("categories") or []
            if c not in first["categories"]
        )
        categories = [*first["categories"], other]
        changed = await call(
            mcp,
            "update_products",
            {
                "items": [
                    {
                        "identifier": first["identifier"],
                        "categories": categories,
                        "values": {"waterproof": True},
                    }
                ],
                "dry_run": True,
            },
        )
        shown = await call(mcp, "get_product", {"identifier": first["identifier"]})
    change_text = changed.content[0].text  # type: ignore[union-attr]
    assert f"categories: {', '.join(first['categories'])} → {', '.join(categories)}" in change_text
    assert "values.waterproof: no → yes" in change_text
    product_text = shown.content[0].text  # type: ignore[union-attr]
    assert "waterproof: no" in product_text
    assert f"categories: {', '.join(first['categories'])}" in product_text
    for python in ("[", "]", "False", "True", "None", "{"):
        assert python not in change_text
        assert python not in product_text.replace("[cut", "")


async def test_a_missing_product_points_to_the_search_tool(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        text = error_text(await call(mcp, "get_product", {"identifier": "NO-SUCH-1"}))
    assert "search_products finds identifiers" in text


async def test_searching_what_is_missing_shows_values_where_they_are_missing(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        data = structured(
            await call(
                mcp,
                "search_products",
                {
                    "incomplete_for_channel": "marketplace",
                    "incomplete_for_locale": "de_DE",
                    "limit": 5,
                },
            )
        )
    assert data["shown_for"] == "de_DE/marketplace"


async def test_an_attribute_added_to_a_set_elsewhere_is_writable_at_once(
    connect: ConnectFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    auth = {"Authorization": f"Bearer {FULL_TOKEN}"}
    async with connect() as mcp:
        product = structured(
            await call(mcp, "search_products", {"attribute_set": ["accessories"], "limit": 1})
        )
        identifier = product["items"][0]["identifier"]  # the definitions are cached now
        created = await sandbox_http.post(
            "attributes",
            json={"code": "gift_note", "type": "text", "labels": {"en_US": "Gift note"}},
            headers=auth,
        )
        assert created.status_code == 201
        current = (await sandbox_http.get("attribute-sets/accessories", headers=auth)).json()
        changed = await sandbox_http.patch(
            "attribute-sets/accessories",
            json={"attributes": [*current["attributes"], "gift_note"]},
            headers={**auth, "If-Match": f'"{current["version"]}"'},
        )
        assert changed.status_code == 200
        data = structured(
            await call(
                mcp,
                "update_products",
                {"items": [{"identifier": identifier, "values": {"gift_note": "For you"}}]},
            )
        )
    assert data["done"] == 1, data


async def test_an_unknown_field_is_refused_before_any_request(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        text = error_text(await call(mcp, "search_products", {"fields": ["name", "colour"]}))
    assert "fields[1]" in text
    assert "did you mean color" in text


async def test_a_batch_whose_every_item_is_refused_is_an_error_with_every_reason(
    connect: ConnectFactory,
) -> None:
    missing = [{"identifier": f"NO-SUCH-{index}", "status": "active"} for index in range(12)]
    async with connect() as mcp:
        first = structured(await call(mcp, "search_products", {"limit": 1}))["items"][0]
        refused = await call(mcp, "update_products", {"items": missing})
        partly = await call(
            mcp,
            "update_products",
            {"items": [*missing[:2], {"identifier": first["identifier"], "status": "archived"}]},
        )
    data = all_refused(refused)
    assert data["refused"] == 12
    text = error_text(refused)
    for item in missing:  # beyond the ten a mixed answer lists
        assert f"{item['identifier']}: no such product" in text
    mixed = structured(partly)
    assert (mixed["done"], mixed["refused"]) == (1, 2)
