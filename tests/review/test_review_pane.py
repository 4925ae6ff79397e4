"""The review pane end to end: a real MCP client (with and without MCP Apps), the real server,
the sandbox's real HTTP API and SQLite."""

import base64
import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp.server.apps import APP_MIME_TYPE
from mcp.types import CallToolResult
from starlette.applications import Starlette

from pimelo_mcp.review import thumbnails
from pimelo_mcp.review.pane import APPLY_TOOL, RESOURCE_URI, REVIEWED_TOOLS
from pimelo_mcp.sandbox.settings import SCOPES
from pimelo_mcp.tools.batch import REVIEW_LINE
from tests.review.conftest import ClientFactory, ServerFactory
from tests.tools.conftest import FULL_TOKEN, error_text, read_journal, structured
from tests.tools.test_budgets import LIST_BUDGET, tokens

AUTH = {"Authorization": f"Bearer {FULL_TOKEN}"}


async def products(http: httpx2.AsyncClient, count: int) -> list[dict[str, Any]]:
    answer = await http.post("products/search", json={"limit": count}, headers=AUTH)
    answer.raise_for_status()
    return answer.json()["items"]


async def product(http: httpx2.AsyncClient, identifier: str) -> dict[str, Any]:
    answer = await http.get(f"products/{identifier}", headers=AUTH)
    answer.raise_for_status()
    return answer.json()


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def review_of(result: CallToolResult) -> dict[str, Any]:
    assert result.meta is not None, "no _meta on the dry run"
    return result.meta["pimelo/review"]


def three_changes(identifiers: list[str]) -> dict[str, Any]:
    """A dry run of three product updates: a colour (select), a French e-commerce
    description (locale and channel), and a status."""
    first, second, third = identifiers
    return {
        "items": [
            {"identifier": first, "values": {"color": "Blue"}},
            {
                "identifier": second,
                "values": {"description": {"ecommerce": {"fr_FR": "Bonnet chaud et léger"}}},
            },
            {"identifier": third, "status": "archived"},
        ],
        "dry_run": True,
    }


async def test_tools_list_shows_the_apply_tool_only_to_clients_with_apps(
    make_server: ServerFactory, connect_with: ClientFactory
) -> None:
    server = make_server()
    async with connect_with(server, apps=False) as plain:
        without = [
            tool.model_dump(by_alias=True, mode="json", exclude_none=True)
            for tool in (await plain.list_tools()).tools
        ]
    async with connect_with(server) as apps:
        with_apps = [
            tool.model_dump(by_alias=True, mode="json", exclude_none=True)
            for tool in (await apps.list_tools()).tools
        ]
    assert len(without) == 14
    assert APPLY_TOOL not in [tool["name"] for tool in without]
    assert len(with_apps) == 15
    assert with_apps[:14] == without
    assert with_apps[14]["name"] == APPLY_TOOL
    assert with_apps[14]["_meta"] == {"ui": {"resourceUri": RESOURCE_URI, "visibility": ["app"]}}
    for tool in without:
        if tool["name"] in REVIEWED_TOOLS:
            assert tool["_meta"] == {"ui": {"resourceUri": RESOURCE_URI}}, tool["name"]
        else:
            assert "_meta" not in tool, tool["name"]
    assert tokens({"tools": without}) <= LIST_BUDGET


async def test_the_pane_is_served_as_an_mcp_app_and_the_server_advertises_the_extension(
    make_server: ServerFactory, connect_with: ClientFactory, mode: str
) -> None:
    async with connect_with(make_server()) as client:
        if mode == "auto":  # the SDK sends capability extensions from protocol 2026-07-28 on
            assert "io.modelcontextprotocol/ui" in (client.server_capabilities.extensions or {})
        [content] = (await client.read_resource(RESOURCE_URI)).contents
    assert content.mime_type == APP_MIME_TYPE
    text = getattr(content, "text", "")
    assert text.lstrip().lower().startswith("<!doctype html>")


async def test_a_dry_run_without_apps_answers_as_before_and_with_apps_adds_only_the_review(
    make_server: ServerFactory, connect_with: ClientFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    server = make_server()
    async with connect_with(server, apps=False) as plain:
        before = await plain.call_tool("update_products", three_changes(identifiers))
    async with connect_with(server) as apps:
        reviewed = await apps.call_tool("update_products", three_changes(identifiers))
    assert "pimelo/review" not in (before.meta or {})
    assert "review pane" not in text_of(before)
    assert text_of(reviewed) == text_of(before) + "\n" + REVIEW_LINE
    assert reviewed.structured_content == before.structured_content
    assert "pimelo/review" not in json.dumps(before.structured_content)


async def test_the_review_shows_values_as_a_person_reads_them(
    make_server: ServerFactory, connect_with: ClientFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    listed = await products(sandbox_http, 3)
    identifiers = [item["identifier"] for item in listed]
    async with connect_with(make_server()) as client:
        review = review_of(await client.call_tool("update_products", three_changes(identifiers)))
    assert review["tool"] == "update_products"
    assert review["kind"] == "product"
    assert review["entity_type"] is None
    assert review["locale"] == "en_US"
    assert review["handle"].startswith("r1.")
    assert review["expires_at"].endswith("Z")
    assert review["summary"] == {"items": 3, "changes": 3, "refused": 0, "unchanged": 0}
    first, second, third = review["items"]
    assert [item["key"] for item in review["items"]] == identifiers
    assert first["label"] == listed[0]["values"]["name"][0]["data"] or first["label"]
    names = {entry["locale"]: entry["data"] for entry in listed[0]["values"]["name"]}
    assert first["label"] == names["en_US"]
    assert first["status"] == "change"
    assert first["version"] == listed[0]["version"]
    [colour] = first["changes"]
    old_colour = listed[0]["values"]["color"][0]["data"]
    assert colour == {
        "field": "values.color",
        "attribute": "color",
        "label": "Colour",
        "type": "select",
        "locale": None,
        "channel": None,
        "before": old_colour.capitalize(),  # the option's label, not its code
        "after": "Blue",
    }
    [description] = second["changes"]
    assert description["label"] == "Description"
    assert description["type"] == "textarea"
    assert (description["locale"], description["channel"]) == ("fr_FR", "ecommerce")
    assert description["after"] == "Bonnet chaud et léger"
    [status] = third["changes"]
    assert status["attribute"] == "status"
    assert status["label"] == "Status"
    assert (status["type"], status["after"]) == ("field", "archived")
    for item in review["items"]:  # the demo products have a main image: shown inline
        thumbnail = item["thumbnail"]
        assert thumbnail.startswith("data:image/png;base64,")
        assert base64.b64decode(thumbnail.split(",", 1)[1]).startswith(b"\x89PNG")


async def test_prices_and_units_show_as_written_and_refusals_are_marked(
    make_server: ServerFactory, connect_with: ClientFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    first, second, third = [item["identifier"] for item in await products(sandbox_http, 3)]
    arguments = {
        "items": [
            {"identifier": first, "values": {"price": "19.90 EUR", "weight": "1.2 kg"}},
            {"identifier": second, "values": {"color": "Chartreuse-ish"}},
            {"identifier": third, "expected_version": 99, "status": "active"},
            {"identifier": "NO-SUCH-SKU", "status": "active"},
        ],
        "dry_run": True,
    }
    async with connect_with(make_server()) as client:
        review = review_of(await client.call_tool("update_products", arguments))
    items = {item["key"]: item for item in review["items"]}
    changes = {change["attribute"]: change for change in items[first]["changes"]}
    assert changes["price"]["type"] == "price"
    assert "19.90 EUR" in changes["price"]["after"]
    assert changes["weight"]["type"] == "metric"
    assert changes["weight"]["after"] == "1.2 kg"
    assert items[second]["status"] == "refused"
    assert "color" in items[second]["error"]
    assert items[second]["changes"] == []
    assert items[third]["status"] == "stale"
    assert "version" in items[third]["error"]
    assert items["NO-SUCH-SKU"]["status"] == "refused"
    assert review["summary"] == {"items": 4, "changes": 2, "refused": 3, "unchanged": 0}


async def test_a_review_costs_no_request_beyond_its_thumbnails(
    make_server: ServerFactory, connect_with: ClientFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    paths: list[str] = []

    async def count(request: httpx2.Request) -> None:
        paths.append(request.url.path)

    server = make_server()
    async with connect_with(server, apps=False) as plain, connect_with(server) as apps:
        await plain.call_tool("update_products", three_changes(identifiers))  # caches warm
        await apps.call_tool("update_products", three_changes(identifiers))
        sandbox_http.event_hooks["request"].append(count)
        await plain.call_tool("update_products", three_changes(identifiers))
        without = list(paths)
        paths.clear()
        review = review_of(await apps.call_tool("update_products", three_changes(identifiers)))
    downloads = [path for path in paths if path.endswith("/download")]
    assert sorted(set(paths) - set(downloads)) == sorted(set(without))
    assert len(paths) - len(downloads) == len(without)
    # One download per distinct image (two products may share one), each shown.
    assert all(item["thumbnail"] for item in review["items"])
    assert len(downloads) == len({item["thumbnail"] for item in review["items"]})


async def test_apply_writes_exactly_the_approved_changes_once_and_journals_them(
    make_server: ServerFactory,
    connect_with: ClientFactory,
    sandbox_http: httpx2.AsyncClient,
    audit_path: Path,
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    first, second, third = identifiers
    before = {key: await product(sandbox_http, key) for key in identifiers}
    async with connect_with(make_server()) as client:
        review = review_of(await client.call_tool("update_products", three_changes(identifiers)))
        applied = await client.call_tool(APPLY_TOOL, {"handle": review["handle"], "skip": [second]})
        again = await client.call_tool(APPLY_TOOL, {"handle": review["handle"]})
    result = structured(applied)
    assert result["applied"] == 2
    assert result["skipped"] == 1
    assert result["refused"] == 0
    assert result["already_applied"] is False
    outcomes = {item["key"]: item for item in result["items"]}
    assert [item["key"] for item in result["items"]] == identifiers
    assert outcomes[second]["outcome"] == "skipped"
    after = {key: await product(sandbox_http, key) for key in identifiers}
    assert after[first]["values"]["color"][0]["data"] == "blue"
    assert outcomes[first] == {
        "key": first,
        "outcome": "applied",
        "version": after[first]["version"],
    } | {k: v for k, v in outcomes[first].items() if k == "error"}
    assert after[second] == before[second]  # unticked: untouched
    assert after[third]["status"] == "archived"
    assert after[first]["version"] == before[first]["version"] + 1
    # Everything else of the approved records is as it was.
    for key in (first, third):
        changed = {"color"} if key == first else set()
        assert {k: v for k, v in after[key]["values"].items() if k not in changed} == {
            k: v for k, v in before[key]["values"].items() if k not in changed
        }
    # The second apply writes nothing and says so.
    second_result = structured(again)
    assert second_result["already_applied"] is True
    assert second_result["applied"] == 0
    assert {item["key"]: item["outcome"] for item in second_result["items"]} == {
        first: "applied",
        second: "skipped",
        third: "applied",
    }
    assert "already applied" in text_of(again)
    assert {key: await product(sandbox_http, key) for key in identifiers} == after
    journal = read_journal(audit_path)
    assert [line["target"]["identifier"] for line in journal] == [first, third]
    for line in journal:
        assert line["approved"] == "review pane"
        assert line["tool"] == "update_products"
        assert line["review"]
        assert line["outcome"] == "applied"
        assert {"time", "api", "before", "after", "version_before", "version_after"} <= set(line)
    assert journal[0]["after"] == {"values.color": "blue"}


async def test_a_record_changed_since_the_dry_run_is_refused_stale_and_the_rest_applied(
    make_server: ServerFactory, connect_with: ClientFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    first, second, third = identifiers
    async with connect_with(make_server()) as client:
        review = review_of(await client.call_tool("update_products", three_changes(identifiers)))
        # Someone changes the first product in Pimelo while the person reviews.
        current = (await product(sandbox_http, first))["status"]
        edit = await sandbox_http.patch(
            f"products/{first}",
            json={"status": "draft" if current != "draft" else "active"},
            headers=AUTH,
        )
        edit.raise_for_status()
        meanwhile = await product(sandbox_http, first)
        result = structured(await client.call_tool(APPLY_TOOL, {"handle": review["handle"]}))
    outcomes = {item["key"]: item for item in result["items"]}
    assert outcomes[first]["outcome"] == "refused"
    assert "changed since the dry run" in outcomes[first]["error"]
    assert await product(sandbox_http, first) == meanwhile  # not overwritten
    assert outcomes[second]["outcome"] == outcomes[third]["outcome"] == "applied"
    assert (result["applied"], result["refused"]) == (2, 1)


async def test_a_handle_refused_as_a_whole_writes_nothing_and_says_what_to_do(
    make_server: ServerFactory, connect_with: ClientFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    before = {key: await product(sandbox_http, key) for key in identifiers}
    async with connect_with(make_server()) as client:
        review = review_of(await client.call_tool("update_products", three_changes(identifiers)))
        handle = review["handle"]
        cut = len(handle) // 2
        altered = handle[:cut] + ("A" if handle[cut] != "A" else "B") + handle[cut + 1 :]
        refusals = [
            await client.call_tool(APPLY_TOOL, {"handle": altered}),
            await client.call_tool(APPLY_TOOL, {"handle": handle, "skip": ["NOT-IN-IT"]}),
            await client.call_tool(APPLY_TOOL, {"handle": handle, "skip": identifiers}),
        ]
        texts = [error_text(result) for result in refusals]
        assert "altered" in texts[0]
        assert "run the dry run again" in texts[0]
        assert "NOT-IN-IT" in texts[1]
        assert identifiers[0] in texts[1]
        assert "nothing to apply" in texts[2]
        assert all("Nothing was written" in text for text in texts)
        assert {key: await product(sandbox_http, key) for key in identifiers} == before
        # None of those used the handle up: it still applies.
        assert structured(await client.call_tool(APPLY_TOOL, {"handle": handle}))["applied"] == 3


async def test_a_server_with_another_key_refuses_the_handle_and_one_sharing_the_key_applies_it(
    make_server: ServerFactory, connect_with: ClientFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    async with connect_with(make_server(review_key=b"a" * 32)) as client:
        handle = review_of(await client.call_tool("update_products", three_changes(identifiers)))[
            "handle"
        ]
    async with connect_with(make_server()) as restarted:  # a random key: like a restart
        assert "altered or signed by another server" in error_text(
            await restarted.call_tool(APPLY_TOOL, {"handle": handle})
        )
    async with connect_with(make_server(review_key=b"a" * 32)) as replica:
        assert structured(await replica.call_tool(APPLY_TOOL, {"handle": handle}))["applied"] == 3


async def test_clients_without_apps_and_read_only_servers_cannot_apply(
    make_server: ServerFactory, connect_with: ClientFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    async with connect_with(make_server(review_key=b"a" * 32)) as client:
        handle = review_of(await client.call_tool("update_products", three_changes(identifiers)))[
            "handle"
        ]
    async with connect_with(make_server(review_key=b"a" * 32), apps=False) as plain:
        text = error_text(await plain.call_tool(APPLY_TOOL, {"handle": handle}))
        assert "review pane" in text
        assert "without dry_run" in text
    read_only = make_server(review_key=b"a" * 32, read_only=True)
    async with connect_with(read_only) as client:
        assert APPLY_TOOL not in [tool.name for tool in (await client.list_tools()).tools]
        assert "read-only mode" in error_text(
            await client.call_tool(APPLY_TOOL, {"handle": handle})
        )
    versions = [(await product(sandbox_http, key))["version"] for key in identifiers]
    assert versions == [1, 1, 1]  # nothing written


async def test_entity_writes_are_reviewed_and_applied_the_same_way(
    make_server: ServerFactory,
    connect_with: ClientFactory,
    sandbox_http: httpx2.AsyncClient,
    audit_path: Path,
) -> None:
    arguments = {
        "entity_type": "brand",
        "items": [
            {"code": "alpenwerk", "values": {"founded": 1950}},
            {"code": "new_brand_x", "values": {"founded": 2001}},
        ],
        "dry_run": True,
    }
    async with connect_with(make_server()) as client:
        review = review_of(await client.call_tool("update_entities", arguments))
        assert review["kind"] == "entity"
        assert review["entity_type"] == "brand"
        assert review["locale"] == "en_US"  # the first channel's first locale, as reads show
        alpenwerk, missing = review["items"]
        assert alpenwerk["label"] == "Alpenwerk"
        assert alpenwerk["status"] == "change"
        [founded] = alpenwerk["changes"]
        assert (founded["before"], founded["after"]) == ("1948", "1950")
        assert (founded["label"], founded["type"]) == ("Founded", "number")
        assert missing["status"] == "refused"
        assert missing["label"] is None
        result = structured(await client.call_tool(APPLY_TOOL, {"handle": review["handle"]}))
    assert [item["outcome"] for item in result["items"]] == ["applied"]
    record = (await sandbox_http.get("entities/brand/alpenwerk", headers=AUTH)).json()
    assert record["values"]["founded"][0]["data"] == 1950
    [line] = read_journal(audit_path)
    assert line["target"] == {"kind": "entity", "entity_type": "brand", "code": "alpenwerk"}
    assert line["approved"] == "review pane"
    assert line["tool"] == "update_entities"


async def test_without_media_read_the_review_has_no_thumbnails_and_tries_once(
    make_server: ServerFactory,
    connect_with: ClientFactory,
    sandbox: Starlette,
    sandbox_http: httpx2.AsyncClient,
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    no_media = [scope for scope in SCOPES if not scope.startswith("media:")]
    token = sandbox.state.sandbox.store.mint_token("no media", no_media)
    paths: list[str] = []

    async def count(request: httpx2.Request) -> None:
        paths.append(request.url.path)

    sandbox_http.event_hooks["request"].append(count)
    async with connect_with(make_server(token)) as client:
        review = review_of(await client.call_tool("update_products", three_changes(identifiers)))
    assert [item["thumbnail"] for item in review["items"]] == [None, None, None]
    assert all(item["label"] for item in review["items"])
    assert review["summary"]["changes"] == 3
    assert len([path for path in paths if path.endswith("/download")]) == 1


async def test_thumbnails_are_bounded_in_count_and_bytes(
    make_server: ServerFactory,
    connect_with: ClientFactory,
    sandbox_http: httpx2.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    server = make_server()
    monkeypatch.setattr(thumbnails, "MAX_THUMBNAILS", 1)
    async with connect_with(server) as client:
        review = review_of(await client.call_tool("update_products", three_changes(identifiers)))
    shown = [item["thumbnail"] for item in review["items"] if item["thumbnail"]]
    assert len(set(shown)) == 1
    monkeypatch.setattr(thumbnails, "MAX_THUMBNAILS", 40)
    monkeypatch.setattr(thumbnails, "MAX_THUMBNAIL_BYTES", 500)  # every demo image is larger
    async with connect_with(server) as client:
        review = review_of(await client.call_tool("update_products", three_changes(identifiers)))
    assert [item["thumbnail"] for item in review["items"]] == [None, None, None]


async def test_an_apply_refused_as_a_whole_by_pimelo_leaves_the_review_open(
    make_server: ServerFactory,
    connect_with: ClientFactory,
    sandbox: Starlette,
    sandbox_http: httpx2.AsyncClient,
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    store = sandbox.state.sandbox.store
    token = store.mint_token("reviewer", SCOPES)
    async with connect_with(make_server(token)) as client:
        review = review_of(await client.call_tool("update_products", three_changes(identifiers)))
        # The token loses products:write in Pimelo before the person approves.
        store.add_token(token, [s for s in SCOPES if s != "products:write"], "reviewer")
        refused = await client.call_tool(APPLY_TOOL, {"handle": review["handle"]})
        assert "products:write" in error_text(refused)
        assert [(await product(sandbox_http, key))["version"] for key in identifiers] == [1, 1, 1]
        store.add_token(token, SCOPES, "reviewer")  # given back: the same review applies
        result = structured(await client.call_tool(APPLY_TOOL, {"handle": review["handle"]}))
    assert result["applied"] == 3
    assert result["already_applied"] is False


async def test_apply_needs_the_scopes_of_the_write_it_applies(
    make_server: ServerFactory, connect_with: ClientFactory, sandbox_http: httpx2.AsyncClient
) -> None:
    identifiers = [item["identifier"] for item in await products(sandbox_http, 3)]
    async with connect_with(make_server(review_key=b"a" * 32)) as client:
        handle = review_of(await client.call_tool("update_products", three_changes(identifiers)))[
            "handle"
        ]
    entities_only = ("entities:read", "entities:write", "settings:read")
    server = make_server(review_key=b"a" * 32, scopes=entities_only)
    async with connect_with(server) as client:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        assert APPLY_TOOL in listed  # it applies entity writes for this token
        text = error_text(await client.call_tool(APPLY_TOOL, {"handle": handle}))
    assert "update_products" in text
    assert "products:write" in text
    versions = [(await product(sandbox_http, key))["version"] for key in identifiers]
    assert versions == [1, 1, 1]
    read_only_scopes = ("products:read", "attributes:read", "settings:read")
    async with connect_with(make_server(review_key=b"a" * 32, scopes=read_only_scopes)) as client:
        assert APPLY_TOOL not in [tool.name for tool in (await client.list_tools()).tools]
        assert "allows none of them" in error_text(
            await client.call_tool(APPLY_TOOL, {"handle": handle})
        )
