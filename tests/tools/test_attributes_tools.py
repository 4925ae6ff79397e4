"""search_attributes, create_attribute, update_attribute through a real MCP client."""

from pathlib import Path

import httpx2
from mcp import Client
from starlette.applications import Starlette

from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server
from tests.tools.conftest import (
    BASE_URL,
    FULL_TOKEN,
    ConnectFactory,
    call,
    error_text,
    read_journal,
    structured,
)


async def test_search_by_type_gives_options_and_set_codes(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        data = structured(await call(mcp, "search_attributes", {"type": "select"}))
        assert data["items"]
        assert all(item["type"] == "select" for item in data["items"])
        color = next(item for item in data["items"] if item["code"] == "color")
        assert color["options"]  # code → label
        assert "running_shoes" in data["attribute_sets"]


async def test_search_by_text_and_codes(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        by_codes = structured(await call(mcp, "search_attributes", {"codes": ["name", "weight"]}))
        assert sorted(item["code"] for item in by_codes["items"]) == ["name", "weight"]
        name = next(item for item in by_codes["items"] if item["code"] == "name")
        assert name["localizable"] is True
        assert name["validation"] == {"max_length": 255}
        by_text = structured(await call(mcp, "search_attributes", {"query": "descr"}))
        assert "description" in [item["code"] for item in by_text["items"]]


async def test_attribute_set_view_has_its_attributes_and_requirements(
    connect: ConnectFactory,
) -> None:
    async with connect() as mcp:
        result = await call(mcp, "search_attributes", {"attribute_set": "running_shoes"})
        data = structured(result)
        codes = [item["code"] for item in data["items"]]
        assert "shoe_sizes" in codes
        assert "clothing_sizes" not in codes
        assert "name" in data["requirements"]["ecommerce"]
        assert data["image_attribute"] == "main_image"
        assert "required for ecommerce" in result.content[0].text  # type: ignore[union-attr]


async def test_unknown_attribute_set_or_type_is_a_clear_error(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        text = error_text(await call(mcp, "search_attributes", {"attribute_set": "nope"}))
        assert "jackets" in text
        text = error_text(await call(mcp, "search_attributes", {"type": "colour"}))
        assert "multiselect" in text  # Pimelo lists the types


async def test_create_with_options_added_to_a_set_then_products_can_use_it(
    connect: ConnectFactory, audit_path: Path
) -> None:
    async with connect() as mcp:
        # Warm the schema cache first, so the new attribute is only seen after invalidation.
        shoe = structured(
            await call(mcp, "search_products", {"limit": 1, "attribute_set": ["running_shoes"]})
        )["items"][0]
        created = structured(
            await call(
                mcp,
                "create_attribute",
                {
                    "code": "lacing",
                    "type": "select",
                    "labels": {"en_US": "Lacing", "fr_FR": "Laçage"},
                    "group": "technical",
                    "options": [
                        "Quick laces",
                        {"code": "classic", "labels": {"en_US": "Classic", "fr_FR": "Classique"}},
                    ],
                    "attribute_sets": ["running_shoes"],
                },
            )
        )
        assert created["dry_run"] is False
        assert created["attribute"]["options"] == {
            "quick_laces": "Quick laces",
            "classic": "Classic",
        }
        assert created["sets"] == {"running_shoes": "added"}
        updated = structured(
            await call(
                mcp,
                "update_products",
                {"items": [{"identifier": shoe["identifier"], "values": {"lacing": "Classic"}}]},
            )
        )
        assert updated["items"][0]["ok"] is True, updated
        fetched = structured(
            await call(mcp, "get_product", {"identifier": shoe["identifier"], "fields": ["lacing"]})
        )
        assert fetched["product"]["values"]["lacing"] == "classic"
        journal = read_journal(audit_path)
        targets = [(r["tool"], r["target"]) for r in journal]
        assert ("create_attribute", {"kind": "attribute", "code": "lacing"}) in targets
        assert ("create_attribute", {"kind": "attribute_set", "code": "running_shoes"}) in targets


async def test_create_dry_run_writes_nothing(connect: ConnectFactory, audit_path: Path) -> None:
    async with connect() as mcp:
        data = structured(
            await call(
                mcp,
                "create_attribute",
                {
                    "code": "sole_weight",
                    "type": "metric",
                    "validation": {"allowed_units": ["GRAM"]},
                    "attribute_sets": ["running_shoes"],
                    "dry_run": True,
                },
            )
        )
        assert data["dry_run"] is True
        assert data["sets"] == {"running_shoes": "would be added"}
        after = structured(await call(mcp, "search_attributes", {"codes": ["sole_weight"]}))
        assert after["items"] == []
        assert read_journal(audit_path) == []


async def test_create_refusals(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        assert "already exists" in error_text(
            await call(mcp, "create_attribute", {"code": "name", "type": "text"})
        )
        assert "allowed_units" in error_text(
            await call(mcp, "create_attribute", {"code": "girth", "type": "metric"})
        )
        assert "Only select and multiselect" in error_text(
            await call(mcp, "create_attribute", {"code": "x1", "type": "text", "options": ["A"]})
        )
        assert "No attribute set nope" in error_text(
            await call(
                mcp, "create_attribute", {"code": "x2", "type": "text", "attribute_sets": ["nope"]}
            )
        )
        # The new code's pattern is in the schema: checked before the tool runs.
        assert "code" in error_text(
            await call(mcp, "create_attribute", {"code": "Bad Code", "type": "text"})
        )


async def test_update_merges_labels_and_options_with_before_after(
    connect: ConnectFactory, audit_path: Path
) -> None:
    async with connect() as mcp:
        before = structured(await call(mcp, "search_attributes", {"codes": ["fit"]}))["items"][0]
        data = structured(
            await call(
                mcp,
                "update_attribute",
                {
                    "code": "fit",
                    "labels": {"fr_FR": "Coupe ajustée"},
                    "options": ["Oversized"],
                    "expected_version": before["version"],
                },
            )
        )
        assert data["version"] == before["version"] + 1
        fields = {c["field"]: c for c in data["changes"]}
        assert fields["labels.fr_FR"]["after"] == "Coupe ajustée"
        assert fields["options.oversized"] == {
            "field": "options.oversized",
            "after": {"en_US": "Oversized"},
        }
        after = structured(await call(mcp, "search_attributes", {"codes": ["fit"]}))["items"][0]
        assert set(before["options"]) < set(after["options"])  # the others are kept
        assert after["label"] == before["label"]  # en_US untouched by the merge
        assert read_journal(audit_path)[-1]["tool"] == "update_attribute"


async def test_update_dry_run_and_nothing_to_change(
    connect: ConnectFactory, audit_path: Path
) -> None:
    async with connect() as mcp:
        before = structured(await call(mcp, "search_attributes", {"codes": ["name"]}))["items"][0]
        data = structured(
            await call(
                mcp,
                "update_attribute",
                {"code": "name", "validation": {"max_length": 200}, "dry_run": True},
            )
        )
        assert data["changes"] == [{"field": "validation.max_length", "before": 255, "after": 200}]
        same = structured(
            await call(mcp, "update_attribute", {"code": "name", "group": before["group"]})
        )
        assert same["changes"] == []
        after = structured(await call(mcp, "search_attributes", {"codes": ["name"]}))["items"][0]
        assert after["version"] == before["version"]
        assert after["validation"] == {"max_length": 255}
        assert read_journal(audit_path) == []


async def test_update_refuses_type_change_and_stale_version(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        current = structured(await call(mcp, "search_attributes", {"codes": ["fit"]}))["items"][0]
        text = error_text(
            await call(mcp, "update_attribute", {"code": "fit", "type": "multiselect"})
        )
        assert "cannot change" in text
        assert "create_attribute" in text
        stale = error_text(
            await call(
                mcp,
                "update_attribute",
                {"code": "fit", "group": "general", "expected_version": current["version"] + 3},
            )
        )
        assert f"at version {current['version']}" in stale
        assert "options" in error_text(
            await call(mcp, "update_attribute", {"code": "name", "options": ["A"]})
        )


async def test_removing_an_option_in_use_is_refused_by_pimelo(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        color = structured(await call(mcp, "search_attributes", {"codes": ["color"]}))["items"][0]
        used = structured(await call(mcp, "search_products", {"limit": 1, "fields": ["color"]}))
        label = used["items"][0]["values"]["color"]
        code = next(c for c, lbl in color["options"].items() if lbl == label or c == label)
        text = error_text(
            await call(mcp, "update_attribute", {"code": "color", "remove_options": [code]})
        )
        assert "still used" in text


class _SomeoneEditsTheSetFirst(httpx2.AsyncBaseTransport):
    """The sandbox, where another user edits an attribute set just before the tool's PATCH."""

    def __init__(self, app: Starlette) -> None:
        self._inner = httpx2.ASGITransport(app=app)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.method == "PATCH" and "/attribute-sets/" in request.url.path:
            edit = httpx2.Request(
                "PATCH",
                request.url,
                headers={"Authorization": request.headers["Authorization"]},
                json={"labels": {"en_US": "Running shoes (renamed)"}},
            )
            await (await self._inner.handle_async_request(edit)).aread()
        return await self._inner.handle_async_request(request)


async def test_create_says_the_attribute_exists_when_a_set_changed_meanwhile(
    sandbox: Starlette, audit_path: Path, mode: str
) -> None:
    settings = Settings(api_token=FULL_TOKEN, base_url=BASE_URL, audit_path=audit_path)
    async with httpx2.AsyncClient(
        transport=_SomeoneEditsTheSetFirst(sandbox), base_url=BASE_URL
    ) as http:
        server = build_server(settings, http_client=http)
        async with Client(server, mode=mode) as mcp:  # type: ignore[arg-type]
            result = await call(
                mcp,
                "create_attribute",
                {"code": "lacing", "type": "text", "attribute_sets": ["running_shoes"]},
            )
            data = structured(result)
            outcome = data["sets"]["running_shoes"]
            assert outcome.startswith("not added: the set changed meanwhile")
            text = result.content[0].text  # type: ignore[union-attr]
            assert "lacing WAS created but is not in running_shoes" in text
            assert "in Pimelo (Settings > Attribute sets)" in text
            assert "retry" not in outcome
            found = structured(await call(mcp, "search_attributes", {"codes": ["lacing"]}))
            assert [item["code"] for item in found["items"]] == ["lacing"]


async def test_attribute_lines_read_as_words_not_python(connect: ConnectFactory) -> None:
    async with connect() as mcp:
        result = await call(
            mcp, "search_attributes", {"codes": ["name", "price", "stock_quantity"]}
        )
    text = result.content[0].text  # type: ignore[union-attr]
    assert 'name (text, localizable) "Name"' in text
    assert "decimals_allowed: no" in text
    for python in ("{", "}", "True", "False", "'"):
        assert python not in text
