"""The frame of every answer: auth, scopes, Problem Details, rate-limit headers, /me, openapi.json."""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable

import httpx2
import pytest
from starlette.applications import Starlette

from pimelo_mcp.sandbox.cli_args import RateLimit
from pimelo_mcp.sandbox.routes import settings as settings_routes
from pimelo_mcp.sandbox.settings import READ_SCOPES
from tests.sandbox.conftest import (
    FULL,
    NO_SCOPES,
    PRODUCTS_ONLY,
    READ,
    FakeClock,
    client_for,
    sandbox_app,
)
from tests.sandbox.problem_checks import assert_refused

Clients = Callable[[str | None], httpx2.AsyncClient]
PROBLEM = "application/problem+json"


def slug(response: httpx2.Response) -> str:
    assert response.headers["content-type"] == PROBLEM
    return response.json()["type"].rsplit("/", 1)[-1]


@pytest.mark.parametrize(
    "authorization",
    [None, "Basic abc", "Bearer", "Bearer not_a_pim_token", "Bearer pim_unknown_token_value"],
)
async def test_requests_without_a_valid_token_are_unauthenticated(
    app: Starlette, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    async with client_for(app, None) as http:
        response = await http.get("channels", headers=headers)
    assert response.status_code == 401
    assert slug(response) == "unauthenticated"
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["x-ratelimit-remaining"] == response.headers["x-ratelimit-limit"]


ENDPOINTS: list[tuple[str, str, str, dict[str, object] | None]] = [
    ("GET", "channels", "settings:read", None),
    ("GET", "channels/ecommerce", "settings:read", None),
    ("GET", "locales", "settings:read", None),
    ("GET", "categories", "products:read", None),
    ("GET", "attributes", "attributes:read", None),
    ("GET", "attributes/name", "attributes:read", None),
    ("POST", "attributes", "attributes:write", {"code": "x", "type": "boolean"}),
    ("PATCH", "attributes/name", "attributes:write", {"labels": {}}),
    ("GET", "attribute-sets", "attributes:read", None),
    ("GET", "attribute-sets/shoes", "attributes:read", None),
    ("POST", "attribute-sets", "attributes:write", {"code": "x"}),
    ("PATCH", "attribute-sets/shoes", "attributes:write", {"labels": {}}),
    ("POST", "products/search", "products:read", {}),
    ("GET", "products/SHOE-1", "products:read", None),
    ("POST", "products", "products:write", {"identifier": "X", "attribute_set": "basic"}),
    ("PATCH", "products/SHOE-1", "products:write", {"status": "active"}),
    ("POST", "products/bulk", "products:write", {"operations": []}),
    ("GET", "entity-types", "entities:read", None),
    ("GET", "entity-types/brand", "entities:read", None),
    ("POST", "entities/brand/search", "entities:read", {}),
    ("GET", "entities/brand/acme", "entities:read", None),
    ("POST", "entities/brand", "entities:write", {"code": "x"}),
    ("PATCH", "entities/brand/acme", "entities:write", {"labels": {}}),
    ("POST", "entities/brand/bulk", "entities:write", {"operations": []}),
    ("GET", "media", "media:read", None),
    ("GET", "media/logo", "media:read", None),
    ("GET", "media/logo/download", "media:read", None),
]


@pytest.mark.parametrize(("method", "path", "scope", "body"), ENDPOINTS)
async def test_every_endpoint_refuses_a_token_without_its_scope(
    clients: Clients, method: str, path: str, scope: str, body: dict[str, object] | None
) -> None:
    response = await clients(NO_SCOPES).request(method, path, json=body)
    assert response.status_code == 403
    assert slug(response) == "insufficient-scope"
    assert response.json()["required_scope"] == scope


async def test_upload_refuses_a_read_only_token(clients: Clients) -> None:
    response = await clients(READ).post("media", files={"file": ("a.png", b"x", "image/png")})
    assert response.status_code == 403
    assert response.json()["required_scope"] == "media:write"


async def test_products_only_token_reads_products_but_not_entities(clients: Clients) -> None:
    http = clients(PRODUCTS_ONLY)
    assert (await http.get("products/SHOE-1")).status_code == 200
    refused = await http.get("entity-types")
    assert refused.status_code == 403
    assert refused.json()["required_scope"] == "entities:read"


async def test_me_describes_the_token_for_any_valid_token(clients: Clients) -> None:
    response = await clients(NO_SCOPES).get("me")
    assert response.status_code == 200
    me = response.json()
    assert me["token"]["scopes"] == []
    assert me["token"]["prefix"] == NO_SCOPES[:12]
    assert set(me) == {"token", "user", "organization", "rate_limit"}
    assert me["rate_limit"] == {"limit": 100_000, "window_seconds": 60}
    read = (await clients(READ).get("me")).json()
    assert read["token"]["scopes"] == list(READ_SCOPES)


async def test_unknown_route_is_a_not_found_problem(client: httpx2.AsyncClient) -> None:
    response = await client.get("nothing/here")
    assert response.status_code == 404
    assert slug(response) == "not-found"
    assert response.json()["instance"] == "/api/v1/nothing/here"


async def test_unknown_record_is_a_not_found_problem(client: httpx2.AsyncClient) -> None:
    for path in (
        "products/NOPE",
        "attributes/nope",
        "entities/brand/nope",
        "entity-types/nope",
        "media/nope",
    ):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert slug(response) == "not-found"


async def test_wrong_method_is_405_with_allow(client: httpx2.AsyncClient) -> None:
    response = await client.delete("products/SHOE-1")
    assert response.status_code == 405
    assert slug(response) == "method-not-allowed"
    assert set(response.headers["allow"].split(", ")) >= {"GET", "PATCH"}


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[1, 2]", b"\xff\xfe{}", b'"text"'],
    ids=["broken", "array", "not-utf8", "string"],
)
async def test_bodies_that_are_not_a_json_object_are_bad_requests(
    client: httpx2.AsyncClient, content: bytes
) -> None:
    response = await client.post(
        "products/search", content=content, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert slug(response) == "bad-request"


async def test_a_body_that_is_not_json_is_unsupported_media_type(
    client: httpx2.AsyncClient,
) -> None:
    response = await client.post(
        "products/search", content=b"a=b", headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415
    assert slug(response) == "unsupported-media-type"
    assert response.json()["allowed"] == ["application/json"]


async def test_an_oversized_body_is_payload_too_large(client: httpx2.AsyncClient) -> None:
    body = b'{"query": "' + b"a" * (9 * 1024 * 1024) + b'"}'
    response = await client.post(
        "products/search", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert slug(response) == "payload-too-large"
    assert response.json()["max_bytes"] == 8 * 1024 * 1024


async def test_unexpected_errors_are_internal_problems_without_traceback(
    client: httpx2.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(settings_routes, "json_response", explode)
    response = await client.get("me")
    assert response.status_code == 500
    assert slug(response) == "internal"
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert "x-ratelimit-limit" in response.headers


async def test_closed_bodies_name_unknown_fields(client: httpx2.AsyncClient) -> None:
    response = await client.post(
        "products/search", json={"limit": 5, "colour": "red", "sorting": "x"}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"colour", "sorting"}


async def test_every_answer_carries_rate_limit_headers(client: httpx2.AsyncClient) -> None:
    for response in (
        await client.get("channels"),
        await client.get("products/NOPE"),
        await client.post("products/search", json={"limit": 0}),
    ):
        for header in (
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "retry-after",
        ):
            assert header in response.headers
        assert response.headers["retry-after"] == "0"


async def test_rate_limit_refuses_past_the_limit_then_resets_with_the_window() -> None:
    clock = FakeClock()
    with sandbox_app(rate_limit=RateLimit(requests=3, seconds=10), clock=clock) as app:
        async with client_for(app, FULL) as http:
            remaining = [(await http.get("me")).headers["x-ratelimit-remaining"] for _ in range(3)]
            assert remaining == ["2", "1", "0"]
            clock.now += 4
            limited = await http.get("me")
            assert limited.status_code == 429
            assert slug(limited) == "rate-limited"
            assert limited.headers["retry-after"] == "6"
            assert limited.headers["x-ratelimit-reset"] == "6"
            assert limited.headers["x-ratelimit-remaining"] == "0"
            clock.now += 6
            again = await http.get("me")
            assert again.status_code == 200
            assert again.headers["x-ratelimit-remaining"] == "2"
            assert again.headers["x-ratelimit-reset"] == "10"


async def test_rate_limit_is_per_token_and_ignores_invalid_tokens() -> None:
    clock = FakeClock()
    with sandbox_app(rate_limit=RateLimit(requests=1, seconds=60), clock=clock) as app:
        async with (
            client_for(app, FULL) as full,
            client_for(app, READ) as read,
            client_for(app, "pim_bogus_token_x") as bogus,
        ):
            assert (await full.get("me")).status_code == 200
            assert (await full.get("me")).status_code == 429
            for _ in range(3):
                assert (await bogus.get("me")).status_code == 401
            assert (await read.get("me")).status_code == 200


async def test_a_bulk_request_costs_one_unit(client: httpx2.AsyncClient) -> None:
    before = int((await client.get("me")).headers["x-ratelimit-remaining"])
    operations = [{"op": "update", "identifier": "SHOE-1", "status": "active"}] * 5
    response = await client.post("products/bulk", json={"operations": operations})
    assert response.status_code == 200
    assert int(response.headers["x-ratelimit-remaining"]) == before - 1


async def test_openapi_document_is_served_without_a_token(app: Starlette) -> None:
    installed = importlib.resources.files("pimelo_mcp.sandbox").joinpath("openapi.json").is_file()
    async with client_for(app, None) as http:
        response = await http.get("openapi.json")
    if installed:
        assert response.status_code == 200
        assert response.json()["openapi"].startswith("3.1")
    else:
        assert response.status_code == 404
        assert slug(response) == "not-found"


# --- bodies and headers that are not what they claim; trailing slashes ---------------------


@pytest.mark.parametrize(
    "raw",
    [
        b'{"limit": NaN}',
        b'{"limit": Infinity}',
        b"[" * 100_000,
        b'{"query": "\\ud800"}',  # a lone surrogate: no Unicode text, cannot be stored or echoed
        b'{"\\udfff": 1}',
    ],
)
async def test_bodies_that_are_not_json_are_400(client: httpx2.AsyncClient, raw: bytes) -> None:
    response = await client.post(
        "products/search", content=raw, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert slug(response) == "bad-request"


async def test_an_if_match_of_non_ascii_digits_is_refused(client: httpx2.AsyncClient) -> None:
    response = await client.patch(
        "products/SHOE-1",
        json={"status": "active"},
        headers={b"If-Match": b'"\xb2"'},  # "²" in latin-1, as HTTP headers are
    )
    assert_refused(response, "If-Match")


async def test_a_limit_of_non_ascii_digits_is_refused(client: httpx2.AsyncClient) -> None:
    assert_refused(await client.get("attributes", params={"limit": "\u00b2"}), "limit")


@pytest.mark.parametrize("path", ["products/", "channels/ecommerce/", "/api/v1", "/api/v1/"])
async def test_a_trailing_slash_is_an_unknown_route_not_a_redirect(
    client: httpx2.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404, (response.status_code, response.headers)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert slug(response) == "not-found"
    for name in ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"):
        assert name in response.headers
