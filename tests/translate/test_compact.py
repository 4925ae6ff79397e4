"""API values read back compactly: the forms a model writes, picked for a locale and channel."""

from typing import Any

from pimelo_mcp.client import Value
from pimelo_mcp.translate.compact import compact_records, compact_values, render_data

VALUES: dict[str, list[dict[str, Any]]] = {
    "name": [
        {"locale": "en_US", "channel": None, "data": "Trail Runner"},
        {"locale": "fr_FR", "channel": None, "data": "Coureur"},
    ],
    "description": [
        {"locale": "en_US", "channel": "ecommerce", "data": "x" * 500},
        {"locale": "en_US", "channel": "marketplace", "data": "Short"},
        {"locale": "fr_FR", "channel": "ecommerce", "data": "Court"},
    ],
    "price": [{"locale": None, "channel": None, "data": [{"amount": "129.90", "currency": "EUR"}]}],
    "weight": [{"locale": None, "channel": None, "data": {"amount": 310, "unit": "GRAM"}}],
    "sizes": [{"locale": None, "channel": None, "data": ["s", "m"]}],
    "gone": [{"locale": None, "channel": None, "data": None}],
}


def test_prices_and_metrics_read_as_people_write_them() -> None:
    assert (
        render_data([{"amount": "1.00", "currency": "EUR"}, {"amount": "2.00", "currency": "USD"}])
        == "1.00 EUR, 2.00 USD"
    )
    assert render_data({"amount": 0.31, "unit": "KILOGRAM"}) == "0.31 kg"
    assert render_data(["s", "m"]) == ["s", "m"]


def test_a_locale_and_channel_flatten_every_value() -> None:
    compact, cut = compact_values(VALUES, locale="fr_FR", channel="ecommerce")
    assert compact == {
        "name": "Coureur",
        "description": "Court",
        "price": "129.90 EUR",
        "weight": "310 g",
        "sizes": ["s", "m"],
    }
    assert cut == []


def test_without_locale_values_that_differ_are_keyed_by_locale_and_channel() -> None:
    compact, cut = compact_values(VALUES)
    assert compact["name"] == {"en_US": "Trail Runner", "fr_FR": "Coureur"}
    assert compact["description"]["marketplace"] == {"en_US": "Short"}
    assert compact["description"]["ecommerce"]["en_US"].endswith("[cut: 500 characters in all]")
    assert cut == ["description"]


def test_long_text_is_kept_whole_without_a_limit() -> None:
    compact, cut = compact_values(VALUES, locale="en_US", channel="ecommerce", text_limit=None)
    assert compact["description"] == "x" * 500
    assert cut == []


def test_only_named_attributes_are_kept() -> None:
    compact, _ = compact_values(VALUES, locale="en_US", only=["price", "name"])
    assert compact == {"name": "Trail Runner", "price": "129.90 EUR"}


def test_records_compact_exactly_as_their_plain_form() -> None:
    # get_product compacts the client's records directly, without a plain copy of each value.
    records = {
        code: [Value.model_validate({**entry, "source": "import"}) for entry in entries]
        for code, entries in VALUES.items()
    }
    for locale, channel in (
        (None, None),
        ("fr_FR", None),
        (None, "marketplace"),
        ("en_US", "ecommerce"),
    ):
        for only in (None, ["description", "price"]):
            for limit in (None, 100):
                assert compact_records(
                    records, locale=locale, channel=channel, text_limit=limit, only=only
                ) == compact_values(
                    VALUES, locale=locale, channel=channel, text_limit=limit, only=only
                )


def test_only_mappings_of_exactly_the_price_or_metric_keys_are_rendered_as_text() -> None:
    assert render_data([{"amount": "1.00", "currency": "EUR", "note": "x"}]) == [
        {"amount": "1.00", "currency": "EUR", "note": "x"}
    ]
    assert render_data({"amount": 1, "unit": "GRAM", "x": 1}) == {
        "amount": 1,
        "unit": "GRAM",
        "x": 1,
    }
    assert render_data([]) == []
    assert render_data(7) == 7
