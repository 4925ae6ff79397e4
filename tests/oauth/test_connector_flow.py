"""The whole connector flow against the real HTTP server process, with the SDK's own OAuth client.

`pimelo-mcp serve --transport http --sandbox --oauth` runs as a user would start it; the
SDK's `OAuthClientProvider` discovers the protected resource and the authorization server,
registers (client metadata document, or dynamic registration), and hands the authorization
URL to a "person" who posts the sign-in form with a demo token the server printed. Then
`tools/list` shows what the grant allows, a write lands in the sandbox with the user in the
journal, the refresh token rotates, revocation ends the grant, and the old token gets 401.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientMetadata

from pimelo_mcp.tools.catalog import load_catalog
from tests.oauth.conftest import LeakWatch
from tests.oauth.harness import hidden, query
from tests.oauth.process import (
    CALLBACK,
    CIMD_CLIENT_ID,
    MemoryStorage,
    Served,
    metadata_document_server,
    oauth_server,
)

pytestmark = pytest.mark.slow


class Person:
    """Opens the authorization URL and signs in, as someone in a browser would."""

    def __init__(self, origin: str, token: str, grant: str, watch: LeakWatch) -> None:
        self.origin, self.token, self.grant, self.watch = origin, token, grant, watch
        self.result: AuthorizationCodeResult | None = None

    async def open(self, authorization_url: str) -> None:
        async def record(response: httpx2.Response) -> None:
            await response.aread()
            self.watch.responses.append(response)

        async with httpx2.AsyncClient(event_hooks={"response": [record]}) as browser:
            to_signin = await browser.get(authorization_url)
            assert to_signin.status_code == 302, to_signin.text
            page = (await browser.get(to_signin.headers["location"])).text
            form = {"request": hidden(page, "request"), "csrf": hidden(page, "csrf")}
            step1 = await browser.post(
                self.origin + "/signin", data={**form, "pimelo_token": self.token}
            )
            assert step1.status_code == 200, step1.text
            done = await browser.post(
                self.origin + "/signin", data={**form, "grant": self.grant, "action": "allow"}
            )
            assert done.status_code == 303, done.text
        params = query(done.headers["location"])
        assert done.headers["location"].startswith(CALLBACK)
        self.result = AuthorizationCodeResult(
            code=params["code"], state=params.get("state"), iss=params.get("iss")
        )

    async def callback(self) -> AuthorizationCodeResult:
        assert self.result is not None
        return self.result


def oauth_client(
    served: Served, person: Person, storage: MemoryStorage, client_metadata_url: str | None
) -> OAuthClientProvider:
    return OAuthClientProvider(
        server_url=served.server.url,
        client_metadata=OAuthClientMetadata(
            redirect_uris=[CALLBACK],  # pyright: ignore[reportArgumentType]
            client_name="Flow Test (DCR)",
            token_endpoint_auth_method="none",
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
        ),
        storage=storage,
        redirect_handler=person.open,
        callback_handler=person.callback,
        client_metadata_url=client_metadata_url,
    )


def tool_names(read_only: bool) -> list[str]:
    return [e.name for e in load_catalog() if e.read_only or not read_only]


def structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    assert isinstance(result.structured_content, dict)
    return result.structured_content  # pyright: ignore[reportUnknownVariableType]


async def test_dcr_client_signs_in_writes_as_its_user_refreshes_and_is_revoked(
    tmp_path: Path, leak_watch: LeakWatch
) -> None:
    with (
        metadata_document_server() as cimd_origin,
        oauth_server(tmp_path, cimd_origin, leak_watch) as served,
    ):
        origin = served.server.origin
        async with httpx2.AsyncClient() as raw:
            challenge = await raw.post(served.server.url, json={})
            assert challenge.status_code == 401
            www = challenge.headers["www-authenticate"]
            assert f'resource_metadata="{origin}/.well-known/oauth-protected-resource/mcp"' in www
            assert 'scope="pimelo"' in www
            resource = (await raw.get(origin + "/.well-known/oauth-protected-resource/mcp")).json()
            assert resource["resource"] == served.server.url
            assert resource["authorization_servers"] == [origin]

        person = Person(origin, served.tokens["full-access"], "full", leak_watch)
        storage = MemoryStorage()
        provider = oauth_client(served, person, storage, None)
        async with httpx2.AsyncClient(auth=provider, timeout=30) as http:
            for mode in ("auto", "legacy"):
                transport = streamable_http_client(served.server.url, http_client=http)
                async with Client(transport, mode=mode) as client:  # type: ignore[arg-type]
                    names = [tool.name for tool in (await client.list_tools()).tools]
                    assert names == tool_names(read_only=False)
                    if mode == "auto":
                        found = structured(await client.call_tool("search_products", {"limit": 1}))
                        product = found["items"][0]
                        renamed = await client.call_tool(
                            "update_products",
                            {
                                "items": [
                                    {
                                        "identifier": product["identifier"],
                                        "values": {"name": "Renamed through OAuth"},
                                        "expected_version": product["version"],
                                    }
                                ],
                                "locale": "en_US",
                            },
                        )
                        structured(renamed)
        assert storage.client is not None
        assert storage.tokens is not None
        assert not storage.client.client_id.startswith("https://")  # registered (DCR)
        lines = [json.loads(line) for line in served.journal.read_text().splitlines()]
        assert lines[-1]["tool"] == "update_products"
        assert lines[-1]["user"]
        assert lines[-1]["client"] == f"Flow Test (DCR) ({storage.client.client_id})"

        async with httpx2.AsyncClient() as raw:
            token_url, client_id = origin + "/token", storage.client.client_id
            refreshed = await raw.post(
                token_url,
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": storage.tokens.refresh_token,
                    "client_id": client_id,
                    "resource": served.server.url,
                },
            )
            assert refreshed.status_code == 200, refreshed.text
            rotated = refreshed.json()
            assert rotated["refresh_token"] != storage.tokens.refresh_token
            bearer = {"Authorization": f"Bearer {rotated['access_token']}"}
            ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
            headers = {**bearer, "Accept": "application/json, text/event-stream"}
            assert (
                await raw.post(served.server.url, json=ping, headers=headers)
            ).status_code == 200
            revoked = await raw.post(
                origin + "/revoke", data={"token": rotated["refresh_token"], "client_id": client_id}
            )
            assert revoked.status_code == 200
            after = await raw.post(served.server.url, json=ping, headers=headers)
            assert after.status_code == 401


async def test_cimd_client_signs_in_read_only_and_lists_only_read_tools(
    tmp_path: Path, leak_watch: LeakWatch
) -> None:
    with (
        metadata_document_server() as cimd_origin,
        oauth_server(tmp_path, cimd_origin, leak_watch) as served,
    ):
        person = Person(served.server.origin, served.tokens["full-access"], "read", leak_watch)
        storage = MemoryStorage()
        provider = oauth_client(served, person, storage, CIMD_CLIENT_ID)
        async with httpx2.AsyncClient(auth=provider, timeout=30) as http:
            transport = streamable_http_client(served.server.url, http_client=http)
            async with Client(transport) as client:  # type: ignore[arg-type]
                names = [tool.name for tool in (await client.list_tools()).tools]
        assert names == tool_names(read_only=True)
        assert storage.client is not None
        assert storage.client.client_id == CIMD_CLIENT_ID  # no registration: the document


async def test_static_api_keys_keep_working_beside_oauth(
    tmp_path: Path, leak_watch: LeakWatch
) -> None:
    key = "static-key-for-agents-0123456789"
    with (
        metadata_document_server() as cimd_origin,
        oauth_server(tmp_path, cimd_origin, leak_watch, ("--api-key", key)) as served,
    ):
        assert any("and 1 static API key(s)" in line for line in served.server.stderr)
        headers = {"Authorization": f"Bearer {key}"}
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
            transport = streamable_http_client(served.server.url, http_client=http)
            async with Client(transport) as client:  # type: ignore[arg-type]
                names = [tool.name for tool in (await client.list_tools()).tools]
        async with httpx2.AsyncClient() as raw:
            wrong = await raw.post(
                served.server.url, json={}, headers={"Authorization": "Bearer " + "x" * 32}
            )
    assert names == tool_names(read_only=False)  # the server's own (sandbox) token: everything
    assert wrong.status_code == 401
