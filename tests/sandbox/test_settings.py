"""Channels, locales and categories, and tokens that expire."""

from __future__ import annotations

import httpx2
from starlette.applications import Starlette

from pimelo_mcp.sandbox.settings import SCOPES
from tests.sandbox.conftest import client_for


async def test_channels_list_and_get(client: httpx2.AsyncClient) -> None:
    listed = (await client.get("channels")).json()
    assert [c["code"] for c in listed["items"]] == ["ecommerce", "print"]
    assert listed["search_after"] is None
    channel = (await client.get("channels/ecommerce")).json()
    assert channel == {
        "code": "ecommerce",
        "labels": {"en_US": "E-commerce"},
        "locales": ["en_US", "fr_FR"],
        "currencies": ["EUR", "USD"],
        "category_tree": "master",
    }
    assert (await client.get("channels/web")).status_code == 404


async def test_locales_filter_on_enabled(client: httpx2.AsyncClient) -> None:
    disabled = (await client.get("locales", params={"enabled": "false"})).json()["items"]
    assert disabled == [{"code": "es_ES", "label": "Spanish", "enabled": False}]
    assert len((await client.get("locales")).json()["items"]) == 4
    refused = await client.get("locales", params={"enabled": "yes"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "enabled"


async def test_categories_filter_on_parent(client: httpx2.AsyncClient) -> None:
    children = (await client.get("categories", params={"parent": "master"})).json()["items"]
    assert [c["code"] for c in children] == ["clothing", "shoes"]
    refused = await client.get("categories", params={"parent": "nowhere"})
    assert refused.status_code == 422


async def test_head_is_answered_like_get(client: httpx2.AsyncClient) -> None:
    response = await client.head("channels")
    assert response.status_code == 200
    assert response.content == b""


async def test_a_post_only_route_answers_405_with_allow(client: httpx2.AsyncClient) -> None:
    wrong = await client.put("products/search", json={})
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST"


async def test_expired_tokens_are_unauthenticated(app: Starlette) -> None:
    store = app.state.sandbox.store
    store.add_token("pim_expired_token_1", SCOPES, "old", expires_at="2020-01-01T00:00:00Z")
    store.add_token("pim_future_token_1", SCOPES, "new", expires_at="2999-01-01T00:00:00Z")
    async with (
        client_for(app, "pim_expired_token_1") as expired,
        client_for(app, "pim_future_token_1") as future,
    ):
        refused = await expired.get("me")
        assert refused.status_code == 401
        assert refused.json()["type"].endswith("/unauthenticated")
        me = (await future.get("me")).json()
        assert me["token"]["expires_at"] == "2999-01-01T00:00:00Z"
