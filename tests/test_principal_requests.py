"""Each HTTP request runs as its user: the real MCP server's ASGI app, the SDK's client over
HTTP, a sandbox with one Pimelo token per user, and a token verifier that maps bearer
strings to principals as the OAuth side does.

Two users on one server see the tools their grants allow; each write goes through its
user's own token and is journalled with that user and client; a token Pimelo refuses ends
the grant and says to reconnect; the pool's bound holds; no token reaches the journal or logs.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from starlette.applications import Starlette

import pimelo_mcp.client
from pimelo_mcp.config import ConfigError, HttpSettings, Settings
from pimelo_mcp.http import transport_security
from pimelo_mcp.principal import Principal, PrincipalAccessToken
from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.settings import PRODUCTS_ONLY_SCOPES, READ_SCOPES, SCOPES, SandboxSettings
from pimelo_mcp.server import build_server
from pimelo_mcp.tools.catalog import load_catalog, select_tools

ORIGIN = "http://127.0.0.1"
RESOURCE = f"{ORIGIN}/mcp"
SANDBOX_URL = "http://sandbox/api/v1/"

# Pimelo tokens (in the sandbox) and the bearer strings the MCP client sends for each user.
ALICE_PIMELO = "pim_alice_full_access_0001"
BOB_PIMELO = "pim_bob_products_only_0002"
CAROL_PIMELO = "pim_carol_full_access_0003"
SERVER_PIMELO = "pim_server_read_only_0004"
ALICE = Principal("grant-alice", ALICE_PIMELO, frozenset(SCOPES), "alice", "Claude (claude.ai)")
BOB = Principal("grant-bob", BOB_PIMELO, frozenset(PRODUCTS_ONLY_SCOPES), "bob", "ChatGPT")
CAROL_READ = Principal("grant-carol", CAROL_PIMELO, frozenset(READ_SCOPES), "carol", "ChatGPT")
# A grant made when Bob's token could do everything; in Pimelo it now writes products only.
BOB_BEFORE = Principal("grant-bob-old", BOB_PIMELO, frozenset(SCOPES), "bob", "ChatGPT")
# A grant of "everything this token allows": its scopes are the token's own, read from Pimelo.
BOB_ALL = Principal("grant-bob-all", BOB_PIMELO, None, "bob", "Claude (claude.ai)")
BEARERS = {
    "at-bob-old-0123456789": BOB_BEFORE,
    "at-bob-all-0123456789": BOB_ALL,
    "at-alice-0123456789": ALICE,
    "at-bob-0123456789": BOB,
    "at-carol-0123456789": CAROL_READ,
}
STATIC_KEY = "static-key-0123456789"  # a client that acts as the server (no principal)
SECRETS = [ALICE_PIMELO, BOB_PIMELO, CAROL_PIMELO, SERVER_PIMELO, *BEARERS, STATIC_KEY]


@dataclass
class Verifier:
    """Maps bearer strings to principals; a revoked grant's access token stops working."""

    revoked: list[Principal] = field(default_factory=list[Principal])

    async def verify_token(self, token: str) -> AccessToken | None:
        if token == STATIC_KEY:
            return AccessToken(token=token, client_id="static", scopes=[], resource=RESOURCE)
        principal = BEARERS.get(token)
        if principal is None or principal in self.revoked:
            return None
        return PrincipalAccessToken(
            token=token,
            client_id=principal.client or "",
            scopes=sorted(principal.scopes or ()),
            resource=RESOURCE,
            principal=principal,
        )

    async def revoke(self, principal: Principal) -> None:
        self.revoked.append(principal)


class CountedClient(pimelo_mcp.client.PimeloClient):
    """The real client, recording which token each one opened and closed with."""

    opened: ClassVar[list[str]] = []
    closed: ClassVar[list[str]] = []

    def __init__(self, base_url: Any, token: str, **kwargs: Any) -> None:
        super().__init__(base_url, token, **kwargs)
        self.token = token
        CountedClient.opened.append(token)

    async def aclose(self) -> None:
        CountedClient.closed.append(self.token)
        await super().aclose()


@pytest.fixture
def counted_clients(monkeypatch: pytest.MonkeyPatch) -> type[CountedClient]:
    CountedClient.opened, CountedClient.closed = [], []
    monkeypatch.setattr(pimelo_mcp.client, "PimeloClient", CountedClient)
    return CountedClient


@pytest.fixture
def sandbox() -> Starlette:
    return create_app(
        SandboxSettings(
            products=20,
            rate_limit=RateLimit(requests=100_000, seconds=60),
            tokens=(
                TokenSpec(ALICE_PIMELO, SCOPES),
                TokenSpec(BOB_PIMELO, PRODUCTS_ONLY_SCOPES),
                TokenSpec(CAROL_PIMELO, SCOPES),
                TokenSpec(SERVER_PIMELO, READ_SCOPES),
            ),
        )
    )


@pytest.fixture
async def sandbox_http(sandbox: Starlette) -> AsyncIterator[httpx2.AsyncClient]:
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=sandbox), base_url=SANDBOX_URL
    ) as http:
        yield http


@pytest.fixture
def audit_path(tmp_path: Path) -> Path:
    return tmp_path / "audit.jsonl"


@dataclass
class Served:
    """The MCP server's HTTP app, started; clients reach it over HTTP (in process)."""

    app: Starlette

    def _http(self, **headers: str) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(
            transport=httpx2.ASGITransport(app=self.app),
            base_url=ORIGIN,
            headers=headers,
            timeout=30,
        )

    @asynccontextmanager
    async def connect(self, bearer: str, mode: str = "auto") -> AsyncIterator[Client]:
        """The SDK's MCP client, sending `Authorization: Bearer <bearer>`."""
        async with (
            self._http(Authorization=f"Bearer {bearer}") as http,
            Client(streamable_http_client(RESOURCE, http_client=http), mode=mode) as client,  # type: ignore[arg-type]
        ):
            yield client

    async def status_of(self, bearer: str) -> int:
        """The HTTP status of a bare `tools/list` POST with this bearer."""
        async with self._http() as http:
            response = await http.post(
                "/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                headers={
                    "Authorization": f"Bearer {bearer}",
                    "Accept": "application/json, text/event-stream",
                },
            )
        return response.status_code

    async def list_tools_2026(self, bearer: str) -> dict[str, Any]:
        """The raw `tools/list` result of a 2026-07-28 request (cache fields included)."""
        meta = {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        }
        async with self._http() as http:
            response = await http.post(
                "/mcp",
                json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": meta}},
                headers={
                    "Authorization": f"Bearer {bearer}",
                    "Accept": "application/json, text/event-stream",
                    "MCP-Protocol-Version": "2026-07-28",
                    "Mcp-Method": "tools/list",
                },
            )
        assert response.status_code == 200, response.text
        return response.json()["result"]


@asynccontextmanager
async def mcp_app(
    settings: Settings,
    sandbox_http: httpx2.AsyncClient,
    verifier: Verifier,
    *,
    scopes: tuple[str, ...] | None = None,
) -> AsyncIterator[Served]:
    """The real MCP server for `settings`, its HTTP app started, with the verifier's OAuth auth."""
    server = build_server(
        settings,
        scopes=scopes,
        http_client=sandbox_http,
        token_verifier=verifier,
        auth=AuthSettings(
            issuer_url=ORIGIN,  # type: ignore[arg-type]  # pydantic parses the string
            resource_server_url=RESOURCE,  # type: ignore[arg-type]
            validate_token_resource=True,
        ),
        revoke_principal=verifier.revoke,
    )
    app = server.streamable_http_app(
        streamable_http_path="/mcp",
        stateless_http=True,
        json_response=True,
        transport_security=transport_security(HttpSettings()),
    )
    async with app.router.lifespan_context(app):
        yield Served(app)


def settings_for(audit_path: Path, **changes: Any) -> Settings:
    return Settings(base_url=SANDBOX_URL, audit_path=audit_path, **changes)


def journal_text(path: Path) -> str:
    """The audit journal (a small file: read synchronously)."""
    return path.read_text(encoding="utf-8")


def error_text(result: CallToolResult) -> str:
    assert result.is_error, result.content
    return "\n".join(block.text for block in result.content if block.type == "text")


def structured(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


def names_for(scopes: tuple[str, ...], *, read_only: bool = False) -> list[str]:
    return [e.name for e in select_tools(load_catalog(), scopes=scopes, read_only=read_only)]


async def rename(client: Client, identifier: str, name: str, version: int) -> CallToolResult:
    return await client.call_tool(
        "update_products",
        {
            "items": [
                {"identifier": identifier, "values": {"name": name}, "expected_version": version}
            ],
            "locale": "en_US",
        },
    )


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_two_users_on_one_server_see_what_their_grants_allow(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, mode: str
) -> None:
    settings = settings_for(audit_path, api_token=SERVER_PIMELO)
    async with mcp_app(settings, sandbox_http, Verifier(), scopes=READ_SCOPES) as served:
        async with served.connect("at-alice-0123456789", mode) as alice:
            alice_tools = [tool.name for tool in (await alice.list_tools()).tools]
        async with served.connect("at-bob-0123456789", mode) as bob:
            bob_tools = [tool.name for tool in (await bob.list_tools()).tools]
        async with served.connect("at-carol-0123456789", mode) as carol:
            carol_tools = [tool.name for tool in (await carol.list_tools()).tools]
            refused = await carol.call_tool("create_attribute", {"code": "x", "type": "text"})
        async with served.connect(STATIC_KEY, mode) as static:
            static_tools = [tool.name for tool in (await static.list_tools()).tools]
    assert len(alice_tools) == 14
    assert bob_tools == names_for(PRODUCTS_ONLY_SCOPES)
    assert "update_products" in bob_tools
    assert "update_entities" not in bob_tools
    # Carol's token could write everything; she granted read only.
    assert carol_tools == names_for(READ_SCOPES)
    text = error_text(refused)
    assert "create_attribute is not available on this server" in text
    assert "the access granted to this connection lacks the scope attributes:write" in text
    assert "reconnect the connector" in text
    # A static key acts as the server: its own token's scopes, as before.
    assert static_tools == names_for(READ_SCOPES)


async def test_read_only_mode_applies_to_every_user(
    sandbox_http: httpx2.AsyncClient, audit_path: Path
) -> None:
    settings = settings_for(audit_path, read_only=True)
    async with (
        mcp_app(settings, sandbox_http, Verifier()) as served,
        served.connect("at-alice-0123456789") as alice,
    ):
        tools = [tool.name for tool in (await alice.list_tools()).tools]
        refused = await alice.call_tool("update_products", {"items": []})
    assert tools == names_for(SCOPES, read_only=True)
    assert "read-only mode is on" in error_text(refused)


async def test_each_write_lands_as_its_user_and_a_refused_token_ends_the_grant(
    sandbox: Starlette,
    sandbox_http: httpx2.AsyncClient,
    audit_path: Path,
    counted_clients: type[CountedClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    verifier = Verifier()
    async with mcp_app(settings_for(audit_path), sandbox_http, verifier) as served:
        async with (
            served.connect("at-alice-0123456789") as alice,
            served.connect("at-bob-0123456789") as bob,
        ):
            found = structured(await alice.call_tool("search_products", {"limit": 1}))
            product = found["items"][0]
            identifier, version = product["identifier"], product["version"]
            first = structured(await rename(alice, identifier, "Named by Alice", version))
            second = structured(await rename(bob, identifier, "Named by Bob", version + 1))
            assert first["items"][0]["version"] == version + 1
            assert second["items"][0]["version"] == version + 2

            # Alice's token is revoked in Pimelo: her next call ends her grant.
            assert sandbox.state.sandbox.store.revoke_token(ALICE_PIMELO)
            refused = await rename(alice, identifier, "Too late", version + 2)
            text = error_text(refused)
            assert "reconnect the connector" in text
            assert verifier.revoked == [ALICE]
            assert counted_clients.closed == [ALICE_PIMELO]  # dropped from the pool at once

            # Bob's own token still works: the two never shared a client or a token.
            after = structured(await rename(bob, identifier, "Still Bob", version + 2))
            assert after["items"][0]["version"] == version + 3

        # The revoked grant's access token no longer gets in at all; Bob's still does.
        assert await served.status_of("at-alice-0123456789") == 401
        assert await served.status_of("at-bob-0123456789") == 200

    assert counted_clients.opened == [ALICE_PIMELO, BOB_PIMELO]
    assert sorted(counted_clients.closed) == sorted([ALICE_PIMELO, BOB_PIMELO])  # at shutdown
    journal = [json.loads(line) for line in journal_text(audit_path).splitlines()]
    assert [(line["user"], line["client"]) for line in journal] == [
        ("alice", "Claude (claude.ai)"),
        ("bob", "ChatGPT"),
        ("bob", "ChatGPT"),
    ]
    assert [line["version_after"] for line in journal] == [version + 1, version + 2, version + 3]
    logged = caplog.text + journal_text(audit_path)
    assert caplog.records  # DEBUG logging was on and did record the requests
    for secret in SECRETS:
        assert secret not in logged


async def test_the_pool_bound_holds_across_users(
    sandbox_http: httpx2.AsyncClient, audit_path: Path, counted_clients: type[CountedClient]
) -> None:
    settings = settings_for(audit_path, client_pool_size=1)
    async with (
        mcp_app(settings, sandbox_http, Verifier()) as served,
        served.connect("at-alice-0123456789") as alice,
        served.connect("at-bob-0123456789") as bob,
    ):
        for client in (alice, bob, alice):
            structured(await client.call_tool("search_products", {"limit": 1}))
            assert len(counted_clients.opened) - len(counted_clients.closed) == 1
    assert counted_clients.opened == [ALICE_PIMELO, BOB_PIMELO, ALICE_PIMELO]
    assert counted_clients.closed == [ALICE_PIMELO, BOB_PIMELO, ALICE_PIMELO]


async def test_a_server_without_a_token_serves_signed_in_users_and_refuses_nobody(
    sandbox_http: httpx2.AsyncClient, audit_path: Path
) -> None:
    settings = settings_for(audit_path)  # no PIMELO_API_TOKEN
    with pytest.raises(ConfigError, match="No Pimelo API token"):
        build_server(settings)  # without a token verifier the server still needs one
    async with mcp_app(settings, sandbox_http, Verifier()) as served:
        async with served.connect("at-alice-0123456789") as alice:
            assert len((await alice.list_tools()).tools) == 14
            structured(await alice.call_tool("list_channels", {}))
        async with served.connect(STATIC_KEY) as static:
            with pytest.raises(MCPError, match="no Pimelo token of its own"):
                await static.list_tools()
            refused = await static.call_tool("list_channels", {})
    text = error_text(refused)
    assert "acts as nobody" in text
    assert "PIMELO_API_TOKEN" in text


async def test_static_keys_write_as_the_server_without_a_user_in_the_journal(
    sandbox_http: httpx2.AsyncClient, audit_path: Path
) -> None:
    settings = settings_for(audit_path, api_token=CAROL_PIMELO)
    async with (
        mcp_app(settings, sandbox_http, Verifier(), scopes=SCOPES) as served,
        served.connect(STATIC_KEY) as static,
    ):
        product = structured(await static.call_tool("search_products", {"limit": 1}))["items"][0]
        structured(await rename(static, product["identifier"], "By the server", product["version"]))
    (line,) = [json.loads(text) for text in journal_text(audit_path).splitlines()]
    assert "user" not in line
    assert "client" not in line


async def test_concurrent_calls_of_two_users_each_act_as_their_own(
    sandbox_http: httpx2.AsyncClient, audit_path: Path
) -> None:
    async with (
        mcp_app(settings_for(audit_path), sandbox_http, Verifier()) as served,
        served.connect("at-alice-0123456789") as alice,
        served.connect("at-bob-0123456789") as bob,
    ):
        products = structured(await alice.call_tool("search_products", {"limit": 6}))["items"]
        writers = [(alice, "alice"), (bob, "bob")] * 3

        async def write(client: Client, who: str, product: dict[str, Any]) -> None:
            structured(await rename(client, product["identifier"], f"By {who}", product["version"]))

        async with anyio.create_task_group() as writes:
            for (client, who), product in zip(writers, products, strict=True):
                writes.start_soon(write, client, who, product)
    by_product = {
        line["target"]["identifier"]: line["user"]
        for line in (json.loads(text) for text in journal_text(audit_path).splitlines())
    }
    assert by_product == {
        product["identifier"]: who for (_, who), product in zip(writers, products, strict=True)
    }


async def test_a_scope_the_token_lost_since_sign_in_says_to_sign_in_again(
    sandbox_http: httpx2.AsyncClient, audit_path: Path
) -> None:
    async with (
        mcp_app(settings_for(audit_path), sandbox_http, Verifier()) as served,
        served.connect("at-bob-old-0123456789") as bob,
    ):
        listed = [tool.name for tool in (await bob.list_tools()).tools]
        refused = await bob.call_tool("search_entities", {})
    assert "search_entities" in listed  # the grant allows it; Pimelo decides
    text = error_text(refused)
    assert "search_entities needs the entities:read scope" in text
    assert "reconnect the connector" in text
    assert "PIMELO_API_TOKEN" not in text  # not the server's configuration


async def test_no_cache_may_share_one_users_tool_list_with_another(
    sandbox_http: httpx2.AsyncClient, audit_path: Path
) -> None:
    async with mcp_app(settings_for(audit_path), sandbox_http, Verifier()) as served:
        alice = await served.list_tools_2026("at-alice-0123456789")
        bob = await served.list_tools_2026("at-bob-0123456789")
    assert [tool["name"] for tool in bob["tools"]] == names_for(PRODUCTS_ONLY_SCOPES)
    assert len(alice["tools"]) == 14
    for result in (alice, bob):
        assert result["cacheScope"] == "private"
        assert result.get("ttlMs", 0) == 0


async def test_a_grant_of_whatever_the_token_allows_lists_the_tokens_own_scopes(
    sandbox: Starlette, sandbox_http: httpx2.AsyncClient, audit_path: Path
) -> None:
    verifier = Verifier()
    async with mcp_app(settings_for(audit_path), sandbox_http, verifier) as served:
        async with served.connect("at-bob-all-0123456789") as bob:
            listed = [tool.name for tool in (await bob.list_tools()).tools]
            refused = await bob.call_tool("search_entities", {})
        assert sandbox.state.sandbox.store.revoke_token(BOB_PIMELO)
        async with served.connect("at-bob-all-0123456789") as bob:
            # The token's scopes were read once for this pooled client; the next call to
            # Pimelo meets the refusal and ends the grant.
            ended = await bob.call_tool("search_products", {"limit": 1})
    assert listed == names_for(PRODUCTS_ONLY_SCOPES)
    assert "lacks the scope entities:read" in error_text(refused)
    assert "reconnect the connector" in error_text(ended)
    assert verifier.revoked == [BOB_ALL]


async def test_a_refused_token_met_while_listing_ends_the_grant(
    sandbox: Starlette, sandbox_http: httpx2.AsyncClient, audit_path: Path
) -> None:
    verifier = Verifier()
    assert sandbox.state.sandbox.store.revoke_token(BOB_PIMELO)
    async with mcp_app(settings_for(audit_path), sandbox_http, verifier) as served:
        async with served.connect("at-bob-all-0123456789") as bob:
            with pytest.raises(MCPError, match="reconnect the connector"):
                await bob.list_tools()
        assert await served.status_of("at-bob-all-0123456789") == 401
    assert verifier.revoked == [BOB_ALL]
