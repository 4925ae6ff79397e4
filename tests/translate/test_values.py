"""Values written the way a person writes them become exact API values, or a precise refusal."""

from typing import Any

import pytest

from pimelo_mcp.translate import CatalogSchema, TranslationError, translate_values
from tests.translate.conftest import FakeResolver


async def one(schema: CatalogSchema, natural: dict[str, Any], **kwargs: Any) -> Any:
    values = await translate_values(natural, schema, **kwargs)
    return values


async def refused(schema: CatalogSchema, natural: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    with pytest.raises(TranslationError) as caught:
        await translate_values(natural, schema, **kwargs)
    return {problem.field: problem.message for problem in caught.value.problems}


async def test_plain_text_goes_to_the_calls_locale(schema: CatalogSchema) -> None:
    values = await one(schema, {"name": "Trail Runner"}, locale="en_US")
    assert values == {"name": [{"locale": "en_US", "channel": None, "data": "Trail Runner"}]}


async def test_locale_keyed_object_sets_each_locale(schema: CatalogSchema) -> None:
    values = await one(schema, {"name": {"fr_FR": "Coureur", "de_DE": "Läufer"}})
    assert values["name"] == [
        {"locale": "fr_FR", "channel": None, "data": "Coureur"},
        {"locale": "de_DE", "channel": None, "data": "Läufer"},
    ]


async def test_localizable_value_without_locale_is_refused_with_an_example(
    schema: CatalogSchema,
) -> None:
    problems = await refused(schema, {"name": "Trail Runner"})
    assert "is localizable" in problems["values.name"]
    assert '"de_DE": "…"' in problems["values.name"]


async def test_localizable_and_scopable_value_nests_either_way(schema: CatalogSchema) -> None:
    by_channel = await one(schema, {"description": {"ecommerce": {"fr_FR": "Texte"}}})
    by_locale = await one(schema, {"description": {"fr_FR": {"ecommerce": "Texte"}}})
    with_default = await one(schema, {"description": {"fr_FR": "Texte"}}, channel="ecommerce")
    expected = [{"locale": "fr_FR", "channel": "ecommerce", "data": "Texte"}]
    assert (
        by_channel["description"]
        == by_locale["description"]
        == with_default["description"]
        == expected
    )


async def test_locale_outside_the_channel_is_refused(schema: CatalogSchema) -> None:
    problems = await refused(schema, {"description": {"marketplace": {"fr_FR": "Texte"}}})
    assert "not sold in fr_FR" in problems["values.description[locale=fr_FR,channel=marketplace]"]


async def test_disabled_locale_is_refused(schema: CatalogSchema) -> None:
    problems = await refused(schema, {"name": {"it_IT": "Corridore"}})
    assert "not enabled" in problems["values.name[locale=it_IT]"]


async def test_api_list_form_passes_through_validated(schema: CatalogSchema) -> None:
    explicit = [{"locale": "en_US", "channel": "ecommerce", "data": "Long text"}]
    values = await one(schema, {"description": explicit})
    assert values["description"] == explicit


async def test_every_problem_is_listed_not_only_the_first(schema: CatalogSchema) -> None:
    problems = await refused(
        schema, {"stock": -1, "ean": "123", "colour": "red", "waterproof": "maybe"}, locale="en_US"
    )
    assert set(problems) == {"values.stock", "values.ean", "values.colour", "values.waterproof"}
    assert "did you mean color" in problems["values.colour"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("129.90 EUR", [{"amount": "129.90", "currency": "EUR"}]),
        ("EUR 129.9", [{"amount": "129.90", "currency": "EUR"}]),
        ("€129,90", [{"amount": "129.90", "currency": "EUR"}]),
        ({"amount": 12, "currency": "usd"}, [{"amount": "12.00", "currency": "USD"}]),
        (
            {"EUR": "10", "USD": 11.5},
            [{"amount": "10.00", "currency": "EUR"}, {"amount": "11.50", "currency": "USD"}],
        ),
        (
            ["1 EUR", "2 USD"],
            [{"amount": "1.00", "currency": "EUR"}, {"amount": "2.00", "currency": "USD"}],
        ),
    ],
)
async def test_prices_are_read_in_the_forms_people_write(
    schema: CatalogSchema, raw: Any, expected: list[dict[str, str]]
) -> None:
    assert (await one(schema, {"price": raw}))["price"][0]["data"] == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("129.90", "currency"),
        ("129.90 GBP", "no channel sells in"),
        ("1.234 EUR", "at most 2 decimals"),
        ("-5 EUR", "at least 0"),
        (["1 EUR", "2 EUR"], "two amounts in EUR"),
    ],
)
async def test_bad_prices_are_refused(schema: CatalogSchema, raw: Any, reason: str) -> None:
    assert reason in (await refused(schema, {"price": raw}))["values.price"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("310 g", {"amount": 310, "unit": "GRAM"}),
        ("0.31kg", {"amount": 0.31, "unit": "KILOGRAM"}),
        ("1,5 kilos", {"amount": 1.5, "unit": "KILOGRAM"}),
        ("500 mg", {"amount": 0.5, "unit": "GRAM"}),
        ({"amount": 2, "unit": "KILOGRAM"}, {"amount": 2, "unit": "KILOGRAM"}),
    ],
)
async def test_metrics_are_read_and_converted_to_an_allowed_unit(
    schema: CatalogSchema, raw: Any, expected: dict[str, Any]
) -> None:
    assert (await one(schema, {"weight": raw}))["weight"][0]["data"] == expected


async def test_metric_in_another_family_is_refused(schema: CatalogSchema) -> None:
    assert "cannot be converted" in (await refused(schema, {"weight": "3 cm"}))["values.weight"]


async def test_select_accepts_code_or_label_in_any_locale(schema: CatalogSchema) -> None:
    assert (await one(schema, {"color": "Rouge"}))["color"][0]["data"] == "red"
    assert (await one(schema, {"color": "navy"}))["color"][0]["data"] == "navy"


async def test_ambiguous_option_label_is_refused_naming_the_candidates(
    schema: CatalogSchema,
) -> None:
    message = (await refused(schema, {"color": "bleu"}))["values.color"]
    assert "blue" in message
    assert "navy" in message


async def test_unknown_option_lists_the_options(schema: CatalogSchema) -> None:
    message = (await refused(schema, {"color": "green"}))["values.color"]
    assert "red (Red)" in message


async def test_multiselect_accepts_a_comma_separated_string(schema: CatalogSchema) -> None:
    assert (await one(schema, {"sizes": "Small, m, small"}))["sizes"][0]["data"] == ["s", "m"]


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("stock", "12", 12),
        ("waterproof", "yes", True),
        ("release_date", "2026-03-15T10:00:00", "2026-03-15"),
        ("ean", 4006381333931, "4006381333931"),
        ("main_image", "img_trail", "img_trail"),
    ],
)
async def test_scalars_are_normalised(
    schema: CatalogSchema, code: str, raw: Any, expected: Any
) -> None:
    assert (await one(schema, {code: raw}))[code][0]["data"] == expected


async def test_whole_number_attribute_refuses_decimals(schema: CatalogSchema) -> None:
    assert "whole numbers" in (await refused(schema, {"stock": 1.5}))["values.stock"]


async def test_date_before_the_minimum_is_refused(schema: CatalogSchema) -> None:
    assert (
        "on or after 2000-01-01"
        in (await refused(schema, {"release_date": "1999-12-31"}))["values.release_date"]
    )


async def test_text_with_line_breaks_is_refused(schema: CatalogSchema) -> None:
    assert (
        "single-line"
        in (await refused(schema, {"name": "a\nb"}, locale="en_US"))["values.name[locale=en_US]"]
    )


async def test_null_clears_a_value(schema: CatalogSchema) -> None:
    assert (await one(schema, {"stock": None}))["stock"] == [
        {"locale": None, "channel": None, "data": None}
    ]


async def test_attribute_outside_the_set_is_refused(schema: CatalogSchema) -> None:
    problems = await refused(schema, {"stock": 1}, allowed={"name"}, allowed_from="jackets")
    assert "attribute set jackets" in problems["values.stock"]


async def test_scopable_value_uses_the_calls_channel(schema: CatalogSchema) -> None:
    values = await one(schema, {"teaser": "Fast"}, channel="marketplace")
    assert values["teaser"] == [{"locale": None, "channel": "marketplace", "data": "Fast"}]


async def test_entity_names_are_resolved_once_per_type(
    schema: CatalogSchema, resolver: FakeResolver
) -> None:
    values = await one(
        schema,
        {"brand": "Acme Outdoor", "materials": ["leather", "Mesh"]},
        resolve_entities=resolver,
    )
    assert values["brand"][0]["data"] == "acme"
    assert values["materials"][0]["data"] == ["leather", "mesh"]
    assert sorted(resolver.calls) == [
        ("brand", ("Acme Outdoor",)),
        ("material", ("Mesh", "leather")),
    ]


async def test_unknown_and_ambiguous_entities_are_refused(
    schema: CatalogSchema, resolver: FakeResolver
) -> None:
    problems = await refused(
        schema, {"brand": "North Peak", "materials": "cotton"}, resolve_entities=resolver
    )
    assert "northpeak, northpeak_kids" in problems["values.brand"]
    assert "search_entities with entity_type=material" in problems["values.materials"]


async def test_a_bare_number_is_refused_when_the_unit_is_not_certain(schema: CatalogSchema) -> None:
    assert "needs a unit" in (await refused(schema, {"weight": 250}))["values.weight"]


async def test_text_shortened_for_display_cannot_be_written_back(schema: CatalogSchema) -> None:
    shortened = "A long story… [cut: 1,204 characters in all]"
    assert (
        "full=true"
        in (await refused(schema, {"name": shortened}, locale="en_US"))["values.name[locale=en_US]"]
    )


@pytest.mark.parametrize("raw", ["1,500 EUR", "€2,000"])
async def test_a_thousands_comma_is_refused_as_ambiguous(schema: CatalogSchema, raw: str) -> None:
    assert "ambiguous" in (await refused(schema, {"price": raw}))["values.price"]


async def test_metric_bounds_are_in_the_first_allowed_unit() -> None:
    from pimelo_mcp.translate import AttributeDef

    strap = AttributeDef(
        "strap", "metric", validation={"allowed_units": ["CENTIMETER", "MILLIMETER"], "max": 50}
    )
    schema = CatalogSchema.build([strap], [], [])
    assert (await one(schema, {"strap": "300 mm"}))["strap"][0]["data"] == {
        "amount": 300,
        "unit": "MILLIMETER",
    }
    assert "at most 50" in (await refused(schema, {"strap": "600 mm"}))["values.strap"]
