"""An authorization server on an ASGI transport, with the sandbox as Pimelo, for in-process tests."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx2
from starlette.applications import Starlette

from pimelo_mcp.config import OAuthSettings
from pimelo_mcp.oauth.assembly import AuthorizationServer, build_authorization_server
from pimelo_mcp.oauth.crypto import Keys
from pimelo_mcp.oauth.store import OAuthStore

ISSUER = "http://127.0.0.1:8000"
CALLBACK = "http://127.0.0.1:9999/callback"
SECRET = "test-secret-" + "x" * 40
PIMELO_BASE = "http://sandbox.invalid/api/v1/"


class FakeClock:
    """Starts at the real time (the SDK's handlers also compare expiries with `time.time()`),
    then moves only when a test advances it."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden field {name} in the page"
    return found[1]


@dataclass
class Harness:
    server: AuthorizationServer
    http: httpx2.AsyncClient
    clock: FakeClock
    tokens: dict[str, str]  # demo token name → value
    responses: list[httpx2.Response] = field(default_factory=list[httpx2.Response])

    async def register(self, redirect_uris: list[str] | None = None, **extra: Any) -> str:
        response = await self.http.post(
            "/register",
            json={
                "redirect_uris": redirect_uris or [CALLBACK],
                "client_name": "Test Client",
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
                **extra,
            },
        )
        assert response.status_code == 201, response.text
        return response.json()["client_id"]

    async def authorize(
        self, client_id: str | None, challenge: str, **params: str | None
    ) -> httpx2.Response:
        values: dict[str, str | None] = {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": CALLBACK,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": "state-123",
            "resource": ISSUER + "/mcp",
            **params,
        }
        return await self.http.get(
            "/authorize", params={k: v for k, v in values.items() if v is not None}
        )

    async def open_signin(self, client_id: str, challenge: str, **params: str | None) -> str:
        response = await self.authorize(client_id, challenge, **params)
        assert response.status_code == 302, response.text
        location = response.headers["location"]
        assert location.startswith(ISSUER + "/signin?request=")
        page = await self.http.get(location.removeprefix(ISSUER))
        assert page.status_code == 200
        return page.text

    async def post_signin(self, page: str, **fields: str) -> httpx2.Response:
        form = {"request": hidden(page, "request"), "csrf": hidden(page, "csrf"), **fields}
        return await self.http.post("/signin", data=form)

    async def code_for(
        self, client_id: str, challenge: str, token: str, grant: str = "full"
    ) -> dict[str, str]:
        page = await self.open_signin(client_id, challenge)
        step1 = await self.post_signin(page, pimelo_token=token, action="continue")
        assert step1.status_code == 200, step1.text
        done = await self.post_signin(step1.text, grant=grant, action="allow")
        assert done.status_code == 303, done.text
        return query(done.headers["location"])

    async def exchange(
        self, client_id: str, code: str, verifier: str, **extra: str
    ) -> httpx2.Response:
        return await self.http.post(
            "/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "client_id": client_id,
                "code_verifier": verifier,
                "resource": ISSUER + "/mcp",
                **extra,
            },
        )

    async def refresh(self, client_id: str, refresh_token: str) -> httpx2.Response:
        return await self.http.post(
            "/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh_token,
                "client_id": client_id,
                "resource": ISSUER + "/mcp",
            },
        )

    async def tokens_for(
        self, token_name: str = "full-access", grant: str = "full"
    ) -> tuple[str, dict[str, Any]]:
        client_id = await self.register()
        verifier, challenge = pkce()
        params = await self.code_for(client_id, challenge, self.tokens[token_name], grant)
        response = await self.exchange(client_id, params["code"], verifier)
        assert response.status_code == 200, response.text
        return client_id, response.json()


def build_server(
    tmp_path: Path,
    sandbox_http: httpx2.AsyncClient,
    clock: FakeClock,
    *,
    issuer: str = ISSUER,
    allowed_redirects: tuple[str, ...] = (),
    api_keys: tuple[str, ...] = (),
    store: OAuthStore | None = None,
) -> AuthorizationServer:
    settings = OAuthSettings(
        enabled=True,
        public_url=issuer,
        store_path=tmp_path / "oauth.sqlite3",
        allowed_redirects=allowed_redirects,
    )
    server = build_authorization_server(
        settings,
        pimelo_base_url=PIMELO_BASE,
        http_client=sandbox_http,
        api_keys=api_keys,
        store=store,
        keys=Keys(SECRET),
    )
    server.provider.clock = clock
    return server


def asgi_client(
    server: AuthorizationServer,
    responses: list[httpx2.Response],
    address: str = "127.0.0.1",
) -> httpx2.AsyncClient:
    """A client of the authorization server, calling from `address`."""

    async def record(response: httpx2.Response) -> None:
        await response.aread()
        responses.append(response)

    return httpx2.AsyncClient(
        transport=httpx2.ASGITransport(
            app=Starlette(routes=server.routes), client=(address, 40000)
        ),
        base_url=ISSUER,
        event_hooks={"response": [record]},
    )
