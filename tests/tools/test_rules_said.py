"""Every rule a model needs to call a tool right is said where it reads it: in `tools/list`.

The tool list is kept short (tests/tools/test_budgets.py), so wording gets cut; this table is
what no cut may lose. Each rule is a phrase, and where it must be said: the tool's description
("") or one parameter's (a path such as `items[].values`). A rule said in one tool that
another relies on is said in both, or in a tool listed with it (both need the same scopes).
"""

from typing import Any

import pytest

from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server

RULES: dict[str, list[tuple[str, str]]] = {
    "list_channels": [("", "Call first: other tools take these codes")],
    "search_products": [
        ("", "every word must match name, description or identifier"),
        ("", "ignoring case, accents, plurals"),
        ("", "text contains/starts_with"),
        ("", "number/price/metric/date lt/lte/gt/gte/between"),
        ("", "date since_days"),
        ("", "select/entity eq/in"),
        ("", "multiselect/entities in"),
        ("", "any empty"),
        ("", "ne/not_* negate"),
        ("filters", "All must hold"),
        ("category", "In any (or below)"),
        ("incomplete_for_channel", "Missing required values there"),
        ("incomplete_for_locale", "One locale of that channel"),
        ("updated_since", "2026-11-01 or 7d"),
        ("fields", "default: name"),
        ("sort", "best match if query"),
    ],
    "get_product": [("", "default: first channel, its first locale; full: all")],
    "create_products": [
        ("", "1 to 100 products in one call"),
        ("", "each succeeds or fails alone"),
        ("items[].identifier", "Product SKU"),
        ("items[].values", "As in update_products"),
    ],
    "update_products": [
        ("", "1 to 100 products in one call"),
        ("", "only what is named changes"),
        ("items[].values", "By attribute code, as a person writes them"),
        ("items[].values", "'Trail Runner' (the call's locale and channel)"),
        ("items[].values", "{fr_FR: …}"),
        ("items[].values", "{ecommerce: {de_DE: …}}"),
        ("items[].values", "'129.90 EUR', '310 g', option labels, brand names"),
        ("items[].values", "null clears"),
        ("items[].categories", "Replaces the categories"),
        ("items[].expected_version", "Refuse if changed since"),
    ],
    "search_entities": [
        ("", "one entity type (brand, supplier…)"),
        ("", "filters on its attributes, code, created, updated"),
        ("entity_type", "Omit to list types"),
        ("filters", "All must hold"),
    ],
    "get_entity": [("full", "Raw API value form")],
    "create_entities": [
        ("", "values as in update_entities"),
        ("", "each succeeds or fails alone"),
    ],
    "update_entities": [
        ("", "Merge-update"),
        ("items[].labels", "By locale; null removes one"),
        ("items[].values", "'Italy' (the call's locale)"),
        ("items[].values", "null clears"),
        ("items[].expected_version", "Refuse if changed since"),
    ],
    "search_attributes": [
        ("", "use before writing values or filters"),
        ("attribute_set", "With its requirements"),
    ],
    "create_attribute": [
        ("", "options for select/multiselect"),
        ("options", "'Navy blue' or {code, labels}"),
        ("labels", "By locale"),
        ("scopable", "Differs per channel"),
        ("validation", "max_length, allowed_units"),
        ("entity_type", "For entity types"),
    ],
    "update_attribute": [
        ("", "maps merge, null removes"),
        ("", "type is fixed"),
        ("options", "Added or relabeled"),
        ("remove_options", "Option codes"),
        ("expected_version", "Refuse if changed since"),
    ],
    "search_media": [
        ("", "with code + include_image, see the image"),
        ("product", "SKU"),
    ],
    "upload_media": [
        ("", "from one of url, path, content_base64"),
        ("url", "https only"),
        ("path", "Allowed folders only"),
        ("filename", "For content_base64"),
        ("attach_to", "default: its image attribute"),
    ],
}


def described_at(schema: dict[str, Any], path: str) -> str:
    """The description of the parameter at `path` (`a.b`, `a[].b` for an array's items)."""
    node = schema
    for part in path.split("."):
        node = node["properties"][part.removesuffix("[]")]
        if part.endswith("[]"):
            node = node["items"]
    return node.get("description", "")


@pytest.fixture(scope="module")
def listed() -> dict[str, dict[str, Any]]:
    import anyio

    async def list_them() -> dict[str, dict[str, Any]]:
        server = build_server(Settings(api_token="pim_rules_test", audit_path=None))
        return {
            tool.name: tool.model_dump(by_alias=True, mode="json", exclude_none=True)
            for tool in await server.list_tools()
        }

    return anyio.run(list_them)


def test_every_listed_tool_has_its_rules_in_the_table(listed: dict[str, dict[str, Any]]) -> None:
    assert set(RULES) == set(listed)


@pytest.mark.parametrize("name", RULES)
def test_each_rule_is_said_where_the_model_reads_it(
    name: str, listed: dict[str, dict[str, Any]]
) -> None:
    tool = listed[name]
    for where, phrase in RULES[name]:
        text = tool["description"] if where == "" else described_at(tool["inputSchema"], where)
        assert phrase in text, f"{name} {where or 'description'} no longer says {phrase!r}"


def test_a_new_key_shows_the_pattern_it_must_follow(listed: dict[str, dict[str, Any]]) -> None:
    products = listed["create_products"]["inputSchema"]["properties"]["items"]["items"]
    assert products["properties"]["identifier"]["pattern"]
    assert products["properties"]["status"]["default"] == "draft"
    for tool in ("create_entities", "create_attribute"):
        schema = listed[tool]["inputSchema"]["properties"]
        code = (
            schema["items"]["items"]["properties"]["code"] if "items" in schema else schema["code"]
        )
        assert code["pattern"] == "^[a-z0-9_]{1,100}$", tool
