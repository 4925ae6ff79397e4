"""Filters a model writes become the API's filter object, with operators checked per type."""

from typing import Any

import pytest

from pimelo_mcp.translate import (
    CatalogSchema,
    FilterCondition,
    FilterShortcuts,
    TranslationError,
    translate_filters,
)
from pimelo_mcp.translate.filters import OPERATORS, TYPE_OPERATORS
from tests.translate.conftest import FakeResolver


async def refused(
    schema: CatalogSchema, *conditions: FilterCondition, **kwargs: Any
) -> dict[str, str]:
    with pytest.raises(TranslationError) as caught:
        await translate_filters(conditions, schema, **kwargs)
    return {problem.field: problem.message for problem in caught.value.problems}


async def test_select_labels_become_option_codes(schema: CatalogSchema) -> None:
    filters = await translate_filters([FilterCondition("color", "in", ["Red", "blue"])], schema)
    assert filters == {"color": [{"operator": "IN", "value": ["red", "blue"]}]}


async def test_api_spelled_operators_are_accepted(schema: CatalogSchema) -> None:
    filters = await translate_filters([FilterCondition("stock", ">=", 3)], schema)
    assert filters == {"stock": [{"operator": ">=", "value": 3}]}


async def test_operator_that_does_not_fit_the_type_is_refused_listing_the_valid_ones(
    schema: CatalogSchema,
) -> None:
    problems = await refused(schema, FilterCondition("waterproof", "gt", True))
    assert "takes the operators eq, ne, empty, not_empty" in problems["filters[0]"]


def test_every_type_has_operators_the_api_knows() -> None:
    assert all(set(words) <= set(OPERATORS) for words in TYPE_OPERATORS.values())


async def test_price_comparison_reads_a_price(schema: CatalogSchema) -> None:
    filters = await translate_filters([FilterCondition("price", "lt", "50 EUR")], schema)
    assert filters == {
        "price": [{"operator": "<", "value": {"amount": "50.00", "currency": "EUR"}}]
    }


async def test_price_between_carries_its_currency(schema: CatalogSchema) -> None:
    filters = await translate_filters(
        [FilterCondition("price", "between", ["10 EUR", "€50"])], schema
    )
    assert filters == {
        "price": [{"operator": "BETWEEN", "value": ["10.00", "50.00"], "currency": "EUR"}]
    }


async def test_metric_between_reads_both_bounds(schema: CatalogSchema) -> None:
    filters = await translate_filters(
        [FilterCondition("weight", "between", ["200 g", "1 kg"])], schema
    )
    assert filters["weight"][0]["value"] == [
        {"amount": 200, "unit": "GRAM"},
        {"amount": 1, "unit": "KILOGRAM"},
    ]


async def test_empty_takes_no_value(schema: CatalogSchema) -> None:
    filters = await translate_filters([FilterCondition("main_image", "empty")], schema)
    assert filters == {"main_image": [{"operator": "EMPTY"}]}


async def test_missing_value_is_refused(schema: CatalogSchema) -> None:
    assert "needs a value" in (await refused(schema, FilterCondition("stock", "gt")))["filters[0]"]


async def test_locale_on_a_localizable_attribute_is_kept(schema: CatalogSchema) -> None:
    filters = await translate_filters(
        [FilterCondition("name", "contains", "trail", locale="fr_FR")], schema
    )
    assert filters == {"name": [{"operator": "CONTAINS", "value": "trail", "locale": "fr_FR"}]}


async def test_locale_on_a_global_attribute_is_refused(schema: CatalogSchema) -> None:
    assert (
        "not localizable"
        in (await refused(schema, FilterCondition("stock", "gt", 1, locale="fr_FR")))["filters[0]"]
    )


async def test_unknown_field_is_refused_with_a_suggestion(schema: CatalogSchema) -> None:
    assert (
        "did you mean color"
        in (await refused(schema, FilterCondition("colour", "eq", "red")))["filters[0]"]
    )


async def test_shortcuts_become_conditions(schema: CatalogSchema) -> None:
    shortcuts = FilterShortcuts(
        status="active",
        attribute_set=["jackets", "backpacks"],
        category="running",
        incomplete_for_channel="ecommerce",
        incomplete_for_locale="fr_FR",
        updated_since=7,
    )
    filters = await translate_filters([], schema, shortcuts=shortcuts)
    assert filters == {
        "status": [{"operator": "IN", "value": ["active"]}],
        "attribute_set": [{"operator": "IN", "value": ["jackets", "backpacks"]}],
        "categories": [{"operator": "IN", "value": ["running"]}],
        "completeness": [
            {"operator": "<", "value": 100, "channel": "ecommerce", "locale": "fr_FR"}
        ],
        "updated": [{"operator": "SINCE LAST N DAYS", "value": 7}],
    }


async def test_updated_since_a_date_is_a_comparison(schema: CatalogSchema) -> None:
    filters = await translate_filters(
        [], schema, shortcuts=FilterShortcuts(updated_since="2026-11-01")
    )
    assert filters == {"updated": [{"operator": ">=", "value": "2026-11-01"}]}


async def test_bad_status_shortcut_is_refused_by_name(schema: CatalogSchema) -> None:
    problems = await refused(schema, shortcuts=FilterShortcuts(status="published"))
    assert "draft, active, archived" in problems["status"]


async def test_incomplete_for_a_locale_the_channel_lacks_is_refused(schema: CatalogSchema) -> None:
    shortcuts = FilterShortcuts(incomplete_for_channel="marketplace", incomplete_for_locale="fr_FR")
    assert (
        "not sold in fr_FR"
        in (await refused(schema, shortcuts=shortcuts))["incomplete_for_channel"]
    )


async def test_entity_names_in_filters_are_resolved(
    schema: CatalogSchema, resolver: FakeResolver
) -> None:
    filters = await translate_filters(
        [
            FilterCondition("brand", "in", ["Acme Outdoor"]),
            FilterCondition("materials", "in", "mesh"),
        ],
        schema,
        resolve_entities=resolver,
    )
    assert filters == {
        "brand": [{"operator": "IN", "value": ["acme"]}],
        "materials": [{"operator": "IN", "value": ["mesh"]}],
    }


async def test_unknown_entity_in_a_filter_is_refused(
    schema: CatalogSchema, resolver: FakeResolver
) -> None:
    problems = await refused(
        schema, FilterCondition("brand", "eq", "Nobody"), resolve_entities=resolver
    )
    assert "no brand named or coded 'Nobody'" in problems["filters[0]"]


async def test_entity_search_uses_code_not_identifier(schema: CatalogSchema) -> None:
    filters = await translate_filters(
        [FilterCondition("code", "starts_with", "north")], schema, target="entity"
    )
    assert filters == {"code": [{"operator": "STARTS WITH", "value": "north"}]}
    assert (
        "identifier"
        in (await refused(schema, FilterCondition("identifier", "eq", "X"), target="entity"))[
            "filters[0]"
        ]
    )


async def test_eq_with_a_list_is_refused_pointing_to_in(schema: CatalogSchema) -> None:
    assert (
        "use in"
        in (await refused(schema, FilterCondition("status", "eq", ["active", "draft"])))[
            "filters[0]"
        ]
    )


async def test_incomplete_for_a_locale_needs_the_channel(schema: CatalogSchema) -> None:
    problems = await refused(schema, shortcuts=FilterShortcuts(incomplete_for_locale="fr_FR"))
    assert "incomplete_for_channel" in problems["incomplete_for_locale"]
