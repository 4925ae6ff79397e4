"""Arguments are checked strictly: no coercion between JSON types, and a refusal that says
the parameter, what it expects and an example."""

import pytest

from pimelo_mcp.arguments import format_argument_errors, strict_arguments
from tests.tools.conftest import ConnectFactory, call, error_text, structured


async def test_a_number_given_as_a_string_is_refused_with_an_example(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        text = error_text(await call(mcp, "search_products", {"limit": "7"}))
        assert "limit: expected an integer" in text
        assert "e.g. 7" in text
        assert 'got "7" (a string)' in text
        assert "nothing was sent" in text


async def test_a_boolean_given_as_a_word_is_refused(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        products = structured(await call(mcp, "search_products", {"limit": 1}))
        identifier = products["items"][0]["identifier"]
        for given in ("yes", "true", 1):
            text = error_text(
                await call(mcp, "get_product", {"identifier": identifier, "full": given})
            )
            assert "full: expected a boolean: true or false" in text, text
        assert structured(await call(mcp, "get_product", {"identifier": identifier, "full": True}))[
            "product"
        ]


async def test_nested_fields_are_strict_too(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        text = error_text(
            await call(
                mcp,
                "update_products",
                {"items": [{"identifier": "X-1", "expected_version": "3"}], "dry_run": False},
            )
        )
        assert "items[0].expected_version: expected an integer" in text
        assert "e.g. 3" in text


async def test_an_array_sent_as_a_json_string_is_still_read(connect: ConnectFactory) -> None:
    # Some clients send arrays and objects as JSON text; the SDK reads them, and so do we.
    async with connect() as mcp:
        page = structured(await call(mcp, "search_products", {"fields": '["name"]', "limit": 2}))
        assert len(page["items"]) == 2


def test_strict_check_without_a_server() -> None:
    from pydantic import BaseModel, ValidationError

    class Args(BaseModel):
        limit: int = 20
        full: bool = False

    def no_pre_parse(data: dict[str, object]) -> dict[str, object]:
        return data

    strict_arguments({"limit": 7, "full": True}, Args, no_pre_parse)
    with pytest.raises(ValidationError) as caught:
        strict_arguments({"limit": 7.5}, Args, no_pre_parse)
    assert "limit: expected an integer (a whole JSON number" in format_argument_errors(
        "t", caught.value
    )


async def test_an_unknown_name_inside_an_object_is_refused_naming_the_names_it_takes(
    connect: ConnectFactory,
) -> None:
    # The listed schemas do not say their objects are closed (tools/schema.py): the refusal
    # is where a model learns it, so it names what that object takes.
    async with connect() as mcp:
        text = error_text(
            await call(mcp, "update_products", {"items": [{"identifier": "X-1", "name": "Trail"}]})
        )
        assert text.startswith("Invalid arguments for update_products, nothing was sent")
        assert (
            "items[0].name: unknown name; items[0] takes "
            "identifier, values, status, categories, expected_version"
        ) in text
        text = error_text(
            await call(
                mcp,
                "search_products",
                {"filters": [{"attribute": "color", "op": "eq", "values": ["red"]}]},
            )
        )
        assert (
            "filters[0].values: unknown name; filters[0] takes attribute, op, value, locale, channel"
        ) in text
        text = error_text(
            await call(
                mcp, "upload_media", {"url": "https://example.com/a.png", "attach_to": {"sku": "X"}}
            )
        )
        assert "attach_to.sku: unknown name; attach_to takes identifier, attribute" in text


def test_an_unknown_name_without_the_model_still_says_what_was_wrong() -> None:
    from pydantic import BaseModel, ConfigDict, ValidationError

    class Item(BaseModel):
        model_config = ConfigDict(extra="forbid")
        code: str

    class Args(BaseModel):
        items: list[Item]

    with pytest.raises(ValidationError) as caught:
        strict_arguments({"items": [{"code": "a", "label": "A"}]}, Args, lambda data: data)
    assert "items[0].label: unknown name; items[0] takes code" in format_argument_errors(
        "t", caught.value, Args
    )
    assert "items[0].label: unknown name; items[0] takes only the names its schema lists" in (
        format_argument_errors("t", caught.value)
    )
