"""Search filters: every operator of the contract's table per field type, and 422 on misuse."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from tests.sandbox.problem_checks import assert_refused

ALL = {"SHOE-1", "SHOE-2", "SHOE-3", "BASIC-1"}


def cond(operator: str, value: Any = None, **extra: Any) -> dict[str, Any]:
    condition: dict[str, Any] = {"operator": operator, **extra}
    if value is not None:
        condition["value"] = value
    return condition


CASES: list[tuple[str, dict[str, Any], set[str]]] = [
    # identifier
    ("identifier", cond("=", "SHOE-1"), {"SHOE-1"}),
    ("identifier", cond("!=", "SHOE-1"), ALL - {"SHOE-1"}),
    ("identifier", cond("IN", ["SHOE-1", "BASIC-1"]), {"SHOE-1", "BASIC-1"}),
    ("identifier", cond("NOT IN", ["SHOE-1", "BASIC-1"]), {"SHOE-2", "SHOE-3"}),
    ("identifier", cond("STARTS WITH", "shoe"), {"SHOE-1", "SHOE-2", "SHOE-3"}),
    ("identifier", cond("CONTAINS", "-2"), {"SHOE-2"}),
    ("identifier", cond("DOES NOT CONTAIN", "SHOE"), {"BASIC-1"}),
    # status / attribute_set
    ("status", cond("=", "active"), {"SHOE-1", "BASIC-1"}),
    ("status", cond("!=", "active"), {"SHOE-2", "SHOE-3"}),
    ("status", cond("IN", ["draft", "archived"]), {"SHOE-2", "SHOE-3"}),
    ("status", cond("NOT IN", ["draft", "archived"]), {"SHOE-1", "BASIC-1"}),
    ("attribute_set", cond("=", "basic"), {"BASIC-1"}),
    ("attribute_set", cond("!=", "basic"), ALL - {"BASIC-1"}),
    ("attribute_set", cond("IN", ["basic", "shoes"]), ALL),
    ("attribute_set", cond("NOT IN", ["shoes"]), {"BASIC-1"}),
    # categories (IN matches descendants)
    ("categories", cond("IN", ["shoes"]), {"SHOE-1", "SHOE-2"}),
    ("categories", cond("IN", ["master"]), {"SHOE-1", "SHOE-2", "BASIC-1"}),
    ("categories", cond("NOT IN", ["shoes"]), {"SHOE-3", "BASIC-1"}),
    ("categories", cond("EMPTY"), {"SHOE-3"}),
    ("categories", cond("NOT EMPTY"), ALL - {"SHOE-3"}),
    # created / updated
    ("created", cond("=", "2026-01-02"), {"SHOE-2"}),
    ("created", cond("!=", "2026-01-02"), ALL - {"SHOE-2"}),
    ("created", cond("<", "2026-01-02"), {"SHOE-1"}),
    ("created", cond("<=", "2026-01-02"), {"SHOE-1", "SHOE-2"}),
    ("created", cond(">", "2026-01-03"), {"BASIC-1"}),
    ("created", cond(">=", "2026-01-03T10:00:00Z"), {"SHOE-3", "BASIC-1"}),
    ("created", cond("=", "2026-01-03T10:00:00Z"), {"SHOE-3"}),
    ("created", cond("BETWEEN", ["2026-01-02", "2026-01-03"]), {"SHOE-2", "SHOE-3"}),
    ("created", cond("SINCE LAST N DAYS", 3650), ALL),
    ("updated", cond(">", "2026-01-04"), {"SHOE-1"}),
    ("updated", cond("SINCE LAST N DAYS", 0), set()),
    # completeness (percentage; channel from the condition)
    ("completeness", cond("=", 100, channel="print", locale="de_DE"), {"BASIC-1"}),
    ("completeness", cond(">=", 75, channel="ecommerce"), {"SHOE-1", "BASIC-1"}),
    ("completeness", cond(">=", 75, channel="ecommerce", locale="fr_FR"), {"SHOE-1"}),
    (
        "completeness",
        cond("<", 50, channel="ecommerce", locale="fr_FR"),
        {"SHOE-2", "SHOE-3", "BASIC-1"},
    ),
    (
        "completeness",
        cond("!=", 0, channel="ecommerce", locale="en_US"),
        {"SHOE-1", "SHOE-2", "BASIC-1"},
    ),
    ("completeness", cond(">", 99, channel="ecommerce", locale="en_US"), {"SHOE-1", "BASIC-1"}),
    ("completeness", cond("<=", 50, channel="ecommerce", locale="en_US"), {"SHOE-2", "SHOE-3"}),
    # text (localizable: locale from the condition, else any value)
    ("name", cond("=", "Trail Runner"), {"SHOE-1"}),
    ("name", cond("=", "Coureur des bois", locale="en_US"), set()),
    ("name", cond("!=", "Trail Runner"), ALL - {"SHOE-1"}),
    ("name", cond("IN", ["City Walker", "Plain tee"]), {"SHOE-2", "BASIC-1"}),
    ("name", cond("NOT IN", ["City Walker", "Plain tee"]), {"SHOE-1", "SHOE-3"}),
    ("name", cond("STARTS WITH", "coureur", locale="fr_FR"), {"SHOE-1"}),
    ("name", cond("CONTAINS", "walk"), {"SHOE-2"}),
    ("name", cond("DOES NOT CONTAIN", "r"), {"SHOE-3", "BASIC-1"}),
    ("name", cond("EMPTY", locale="en_US"), {"SHOE-3"}),
    ("name", cond("NOT EMPTY", locale="fr_FR"), {"SHOE-1"}),
    # textarea (localizable + scopable)
    ("description", cond("CONTAINS", "trail", locale="en_US", channel="ecommerce"), {"SHOE-1"}),
    ("description", cond("EMPTY"), ALL - {"SHOE-1"}),
    ("ean", cond("NOT EMPTY"), {"BASIC-1"}),
    # number
    ("size", cond("=", 42), {"SHOE-1"}),
    ("size", cond("!=", 42), ALL - {"SHOE-1"}),
    ("size", cond("<", 42), {"SHOE-2"}),
    ("size", cond("<=", 42), {"SHOE-1", "SHOE-2"}),
    ("size", cond(">", 38), {"SHOE-1"}),
    ("size", cond(">=", 38), {"SHOE-1", "SHOE-2"}),
    ("size", cond("BETWEEN", [30, 40]), {"SHOE-2"}),
    ("size", cond("EMPTY"), {"SHOE-3", "BASIC-1"}),
    ("size", cond("NOT EMPTY"), {"SHOE-1", "SHOE-2"}),
    # boolean
    ("waterproof", cond("=", True), {"SHOE-1"}),
    ("waterproof", cond("!=", True), ALL - {"SHOE-1"}),
    ("waterproof", cond("EMPTY"), {"SHOE-3", "BASIC-1"}),
    ("waterproof", cond("NOT EMPTY"), {"SHOE-1", "SHOE-2"}),
    # date
    ("release_date", cond("=", "2024-03-01"), {"SHOE-1"}),
    ("release_date", cond("!=", "2024-03-01"), ALL - {"SHOE-1"}),
    ("release_date", cond("<", "2024-03-01"), {"SHOE-2"}),
    ("release_date", cond("<=", "2024-03-01"), {"SHOE-1", "SHOE-2"}),
    ("release_date", cond(">", "2021-06-15"), {"SHOE-1"}),
    ("release_date", cond(">=", "2021-06-15"), {"SHOE-1", "SHOE-2"}),
    ("release_date", cond("BETWEEN", ["2020-01-01", "2022-01-01"]), {"SHOE-2"}),
    ("release_date", cond("SINCE LAST N DAYS", 36500), {"SHOE-1", "SHOE-2"}),
    ("release_date", cond("EMPTY"), {"SHOE-3", "BASIC-1"}),
    ("release_date", cond("NOT EMPTY"), {"SHOE-1", "SHOE-2"}),
    # select
    ("color", cond("=", "red"), {"SHOE-1"}),
    ("color", cond("!=", "red"), ALL - {"SHOE-1"}),
    ("color", cond("IN", ["red", "green"]), {"SHOE-1", "BASIC-1"}),
    ("color", cond("NOT IN", ["red", "green"]), {"SHOE-2", "SHOE-3"}),
    ("color", cond("EMPTY"), {"SHOE-3"}),
    ("color", cond("NOT EMPTY"), ALL - {"SHOE-3"}),
    # multiselect
    ("tags", cond("IN", ["new", "eco"]), {"SHOE-1", "SHOE-2"}),
    ("tags", cond("NOT IN", ["eco"]), ALL - {"SHOE-2"}),
    ("tags", cond("EMPTY"), {"SHOE-3", "BASIC-1"}),
    ("tags", cond("NOT EMPTY"), {"SHOE-1", "SHOE-2"}),
    # price
    ("price", cond("=", {"amount": "59.00", "currency": "EUR"}), {"SHOE-2"}),
    ("price", cond("!=", {"amount": "59.00", "currency": "EUR"}), ALL - {"SHOE-2"}),
    ("price", cond("<", {"amount": "100", "currency": "EUR"}), {"SHOE-2"}),
    ("price", cond("<=", {"amount": "129.90", "currency": "EUR"}), {"SHOE-1", "SHOE-2"}),
    ("price", cond(">", {"amount": "100", "currency": "USD"}), {"SHOE-1"}),
    ("price", cond(">=", {"amount": "139.01", "currency": "USD"}), set()),
    ("price", cond("BETWEEN", ["50", "60.00"], currency="EUR"), {"SHOE-2"}),
    ("price", cond("EMPTY"), {"SHOE-3", "BASIC-1"}),
    ("price", cond("NOT EMPTY"), {"SHOE-1", "SHOE-2"}),
    # metric (converted to one unit)
    ("weight", cond("=", {"amount": 310, "unit": "GRAM"}), {"SHOE-1"}),
    ("weight", cond("!=", {"amount": 310, "unit": "GRAM"}), ALL - {"SHOE-1"}),
    ("weight", cond("<", {"amount": 0.5, "unit": "KILOGRAM"}), {"SHOE-1"}),
    ("weight", cond("<=", {"amount": 0.8, "unit": "KILOGRAM"}), {"SHOE-1", "SHOE-2"}),
    ("weight", cond(">", {"amount": 500, "unit": "GRAM"}), {"SHOE-2"}),
    ("weight", cond(">=", {"amount": 800000, "unit": "MILLIGRAM"}), {"SHOE-2"}),
    (
        "weight",
        cond("BETWEEN", [{"amount": 0.3, "unit": "KILOGRAM"}, {"amount": 400, "unit": "GRAM"}]),
        {"SHOE-1"},
    ),
    ("weight", cond("EMPTY"), {"SHOE-3", "BASIC-1"}),
    ("weight", cond("NOT EMPTY"), {"SHOE-1", "SHOE-2"}),
    # media
    ("image", cond("EMPTY"), ALL - {"SHOE-1"}),
    ("image", cond("NOT EMPTY"), {"SHOE-1"}),
    # entity / entities
    ("brand", cond("=", "acme"), {"SHOE-1"}),
    ("brand", cond("!=", "acme"), ALL - {"SHOE-1"}),
    ("brand", cond("IN", ["acme", "globex"]), {"SHOE-1", "SHOE-2"}),
    ("brand", cond("NOT IN", ["acme"]), ALL - {"SHOE-1"}),
    ("brand", cond("EMPTY"), {"SHOE-3", "BASIC-1"}),
    ("brand", cond("NOT EMPTY"), {"SHOE-1", "SHOE-2"}),
    ("materials", cond("IN", ["cotton"]), {"SHOE-2"}),
    ("materials", cond("NOT IN", ["cotton"]), ALL - {"SHOE-2"}),
    ("materials", cond("EMPTY"), {"SHOE-3", "BASIC-1"}),
    ("materials", cond("NOT EMPTY"), {"SHOE-1", "SHOE-2"}),
]


async def search(client: httpx2.AsyncClient, body: dict[str, Any]) -> httpx2.Response:
    return await client.post("products/search", json=body)


@pytest.mark.parametrize(
    ("field", "condition", "expected"),
    CASES,
    ids=[f"{f}-{c['operator']}-{i}" for i, (f, c, _) in enumerate(CASES)],
)
async def test_each_operator_selects_the_matching_products(
    client: httpx2.AsyncClient, field: str, condition: dict[str, Any], expected: set[str]
) -> None:
    response = await search(client, {"filters": {field: [condition]}, "limit": 100})
    assert response.status_code == 200, response.text
    assert {p["identifier"] for p in response.json()["items"]} == expected


MISUSES: list[tuple[str, dict[str, Any], str]] = [
    ("identifier", cond("<", "A"), "filters.identifier[0].operator"),
    ("identifier", cond("IN", "SHOE-1"), "filters.identifier[0].value"),
    ("status", cond("=", "live"), "filters.status[0].value"),
    ("status", cond("CONTAINS", "act"), "filters.status[0].operator"),
    ("attribute_set", cond("=", "nope"), "filters.attribute_set[0].value"),
    ("categories", cond("=", "shoes"), "filters.categories[0].operator"),
    ("categories", cond("IN", ["nowhere"]), "filters.categories[0].value"),
    ("created", cond(">", "yesterday"), "filters.created[0].value"),
    ("created", cond("SINCE LAST N DAYS", -1), "filters.created[0].value"),
    ("updated", cond("BETWEEN", ["2026-01-01"]), "filters.updated[0].value"),
    ("completeness", cond(">", 50), "filters.completeness[0].channel"),
    ("completeness", cond(">", 150, channel="ecommerce"), "filters.completeness[0].value"),
    ("completeness", cond("IN", [50], channel="ecommerce"), "filters.completeness[0].operator"),
    ("name", cond(">", "a"), "filters.name[0].operator"),
    ("name", cond("=", 5), "filters.name[0].value"),
    ("name", cond("=", "x", locale="es_ES"), "filters.name[0].locale"),
    ("name", cond("=", "x", channel="ecommerce"), "filters.name[0].channel"),
    ("name", cond("EMPTY", "x"), "filters.name[0].value"),
    ("size", cond("CONTAINS", "4"), "filters.size[0].operator"),
    ("size", cond("=", "42"), "filters.size[0].value"),
    ("size", cond("BETWEEN", [1, 2, 3]), "filters.size[0].value"),
    ("size", cond("="), "filters.size[0].value"),
    ("waterproof", cond("=", "true"), "filters.waterproof[0].value"),
    ("waterproof", cond("<", True), "filters.waterproof[0].operator"),
    ("release_date", cond("<", "2024-13-01"), "filters.release_date[0].value"),
    ("release_date", cond("SINCE LAST N DAYS", "3"), "filters.release_date[0].value"),
    ("color", cond("=", "purple"), "filters.color[0].value"),
    ("color", cond("CONTAINS", "re"), "filters.color[0].operator"),
    ("tags", cond("=", "sale"), "filters.tags[0].operator"),
    ("tags", cond("IN", ["vintage"]), "filters.tags[0].value"),
    ("price", cond("=", {"amount": "1.00"}), "filters.price[0].value"),
    ("price", cond("=", {"amount": "1.00", "currency": "GBP"}), "filters.price[0].value"),
    ("price", cond("BETWEEN", ["1", "2"]), "filters.price[0].currency"),
    ("price", cond("IN", ["1"]), "filters.price[0].operator"),
    ("weight", cond("=", {"amount": 1, "unit": "METER"}), "filters.weight[0].value"),
    ("weight", cond("CONTAINS", "1"), "filters.weight[0].operator"),
    ("image", cond("=", "logo"), "filters.image[0].operator"),
    ("brand", cond("CONTAINS", "ac"), "filters.brand[0].operator"),
    ("materials", cond("=", "cotton"), "filters.materials[0].operator"),
    ("materials", cond("IN", "cotton"), "filters.materials[0].value"),
    ("nope", cond("=", "x"), "filters.nope"),
    ("size", cond("=", 1, colour="red"), "filters.size[0]"),
]


@pytest.mark.parametrize(
    ("field", "condition", "error_field"),
    MISUSES,
    ids=[f"{f}-{c['operator']}-{i}" for i, (f, c, _) in enumerate(MISUSES)],
)
async def test_filter_misuse_is_a_422_naming_the_condition(
    client: httpx2.AsyncClient, field: str, condition: dict[str, Any], error_field: str
) -> None:
    response = await search(client, {"filters": {field: [condition]}})
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [error_field]


async def test_conditions_on_one_field_must_all_hold(client: httpx2.AsyncClient) -> None:
    filters = {"size": [cond(">", 30), cond("<", 40)], "status": [cond("=", "draft")]}
    response = await search(client, {"filters": filters})
    assert [p["identifier"] for p in response.json()["items"]] == ["SHOE-2"]


async def test_body_locale_and_channel_are_defaults_for_conditions(
    client: httpx2.AsyncClient,
) -> None:
    body = {"locale": "fr_FR", "filters": {"name": [cond("NOT EMPTY")]}}
    assert [p["identifier"] for p in (await search(client, body)).json()["items"]] == ["SHOE-1"]
    body = {"channel": "ecommerce", "locale": "fr_FR", "filters": {"completeness": [cond("=", 75)]}}
    assert [p["identifier"] for p in (await search(client, body)).json()["items"]] == ["SHOE-1"]


async def test_body_locale_and_channel_restrict_returned_values(client: httpx2.AsyncClient) -> None:
    body = {"locale": "fr_FR", "filters": {"identifier": [cond("=", "SHOE-1")]}}
    product = (await search(client, body)).json()["items"][0]
    assert product["values"]["name"] == [
        {"locale": "fr_FR", "channel": None, "data": "Coureur des bois"}
    ]
    assert "description" not in product["values"]
    assert product["values"]["size"] == [{"locale": None, "channel": None, "data": 42}]


async def test_attributes_restrict_returned_values_and_must_exist(
    client: httpx2.AsyncClient,
) -> None:
    response = await search(
        client, {"attributes": ["size", "color"], "filters": {"identifier": [cond("=", "SHOE-1")]}}
    )
    assert set(response.json()["items"][0]["values"]) == {"size", "color"}
    refused = await search(client, {"attributes": ["size", "nope"]})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "attributes[1]"


async def test_query_matches_identifier_and_text_values_case_insensitively(
    client: httpx2.AsyncClient,
) -> None:
    assert {
        p["identifier"] for p in (await search(client, {"query": "basic"})).json()["items"]
    } == {"BASIC-1"}
    assert {
        p["identifier"] for p in (await search(client, {"query": "COUREUR"})).json()["items"]
    } == {"SHOE-1"}
    assert {
        p["identifier"] for p in (await search(client, {"query": "light trail"})).json()["items"]
    } == {"SHOE-1"}
    assert (await search(client, {"query": "zzz"})).json()["items"] == []


async def test_text_operators_fold_non_ascii_case(client: httpx2.AsyncClient) -> None:
    name = [{"locale": "fr_FR", "channel": None, "data": "Élan Été"}]
    await client.patch("products/SHOE-2", json={"values": {"name": name}})
    for operator, needle in (("CONTAINS", "été"), ("STARTS WITH", "élan")):
        body = {"filters": {"name": [{"operator": operator, "value": needle, "locale": "fr_FR"}]}}
        assert [p["identifier"] for p in (await search(client, body)).json()["items"]] == ["SHOE-2"]
    assert [p["identifier"] for p in (await search(client, {"query": "ÉTÉ"})).json()["items"]] == [
        "SHOE-2"
    ]


async def test_status_and_attribute_set_shortcuts(client: httpx2.AsyncClient) -> None:
    response = await search(client, {"status": ["active", "draft"], "attribute_set": "shoes"})
    assert {p["identifier"] for p in response.json()["items"]} == {"SHOE-1", "SHOE-2"}
    refused = await search(client, {"status": "live", "attribute_set": 3})
    assert {e["field"] for e in refused.json()["errors"]} == {"status", "attribute_set"}


async def test_unknown_locale_or_channel_in_the_body_is_refused(client: httpx2.AsyncClient) -> None:
    response = await search(client, {"locale": "es_ES", "channel": "web"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"locale", "channel"}


async def test_with_completeness_in_a_search_adds_completeness(client: httpx2.AsyncClient) -> None:
    response = await search(
        client,
        {
            "with_completeness": True,
            "channel": "print",
            "filters": {"identifier": [cond("=", "SHOE-1")]},
        },
    )
    assert response.json()["items"][0]["completeness"] == [
        {
            "channel": "print",
            "locale": "de_DE",
            "ratio": 0.0,
            "required": ["name"],
            "missing": ["name"],
        }
    ]
    plain = await search(client, {})
    assert all("completeness" not in p for p in plain.json()["items"])


# --- a field of the wrong JSON type is a 422, never a 500 ----------------------------------


@pytest.mark.parametrize("field", ["locale", "channel"])
@pytest.mark.parametrize("bad", [{}, ["en_US"], 7])
async def test_a_search_locale_or_channel_of_another_type_is_refused(
    client: httpx2.AsyncClient, field: str, bad: Any
) -> None:
    assert_refused(await search(client, {field: bad}), field)


@pytest.mark.parametrize("field", ["locale", "channel"])
async def test_a_completeness_condition_with_a_list_as_channel_or_locale_is_refused(
    client: httpx2.AsyncClient, field: str
) -> None:
    condition = {"operator": ">=", "value": 50, "channel": "ecommerce", field: ["ecommerce"]}
    response = await search(client, {"filters": {"completeness": [condition]}})
    assert_refused(response, f"filters.completeness[0].{field}")


async def test_an_attribute_condition_with_a_list_as_locale_is_refused(
    client: httpx2.AsyncClient,
) -> None:
    condition = {"operator": "=", "value": "x", "locale": ["fr_FR"]}
    response = await search(client, {"filters": {"name": [condition]}})
    assert_refused(response, "filters.name[0].locale")


@pytest.mark.parametrize("field", ["created", "updated", "release_date"])
async def test_since_last_n_days_past_the_first_day_keeps_everything(
    client: httpx2.AsyncClient, field: str
) -> None:
    """The contract allows any integer N >= 0: an N beyond year 1 is clamped to 0001-01-01."""
    condition = {"operator": "SINCE LAST N DAYS", "value": 10_000_000}
    response = await search(client, {"filters": {field: [condition]}})
    assert response.status_code == 200, response.text
    everything = await search(client, {"filters": {field: [{"operator": "NOT EMPTY"}]}})
    if field == "release_date":
        expected = {p["identifier"] for p in everything.json()["items"]}
    else:
        expected = {"SHOE-1", "SHOE-2", "SHOE-3", "BASIC-1"}
    assert {p["identifier"] for p in response.json()["items"]} == expected


async def test_since_last_n_days_reaching_before_year_1000_keeps_everything(
    client: httpx2.AsyncClient,
) -> None:
    """Timestamps before year 1000 keep four year digits, so string order stays time order."""
    condition = {"operator": "SINCE LAST N DAYS", "value": 600_000}
    response = await search(client, {"filters": {"created": [condition]}})
    assert len(response.json()["items"]) == 4


async def test_a_timestamp_before_the_first_day_in_utc_is_refused(
    client: httpx2.AsyncClient,
) -> None:
    condition = {"operator": ">", "value": "0001-01-01T00:00:00+05:00"}
    response = await search(client, {"filters": {"created": [condition]}})
    assert_refused(response, "filters.created[0].value")


async def test_a_number_condition_too_large_for_sqlite_is_refused_or_compared(
    client: httpx2.AsyncClient,
) -> None:
    big = await search(client, {"filters": {"size": [{"operator": "<", "value": 10**30}]}})
    assert big.status_code == 200, big.text
    huge = await search(client, {"filters": {"size": [{"operator": "<", "value": 10**400}]}})
    assert_refused(huge, "filters.size[0].value")


@pytest.mark.parametrize(
    "value",
    [{"amount": 1, "unit": ["GRAM"]}, {"amount": 10**400, "unit": "GRAM"}],
)
async def test_a_metric_condition_with_a_bad_unit_or_amount_is_refused(
    client: httpx2.AsyncClient, value: Any
) -> None:
    response = await search(client, {"filters": {"weight": [{"operator": ">", "value": value}]}})
    assert_refused(response, "filters.weight[0].value")


async def test_a_price_condition_with_a_list_as_currency_is_refused(
    client: httpx2.AsyncClient,
) -> None:
    value = {"amount": "10.00", "currency": ["EUR"]}
    response = await search(client, {"filters": {"price": [{"operator": ">", "value": value}]}})
    assert_refused(response, "filters.price[0].value")
    between = {"operator": "BETWEEN", "value": ["1", "2"], "currency": {}}
    response = await search(client, {"filters": {"price": [between]}})
    assert_refused(response, "filters.price[0].currency")


@pytest.mark.parametrize(
    "cursor",
    [
        "WyJpZGVudGlmaWVyIiw1LDFd",  # ["identifier",5,1]: the key is not a string
        "WyJpZGVudGlmaWVyIiwiQSIseyJhIjoxfV0",  # ["identifier","A",{"a":1}]: the id is not an int
    ],
)
async def test_a_forged_cursor_is_refused(client: httpx2.AsyncClient, cursor: str) -> None:
    assert_refused(await search(client, {"search_after": cursor}), "search_after")
