"""Two or three real server processes on loopback sharing one real Redis.

- a grant made through replica A works on B; revoked on A, it fails on B;
- a code redeemed on A cannot be redeemed on B, even when both try at once;
- losing Redis gives clear 503s, and the replicas recover when it returns, without restart;
- stopping one replica under load: the other keeps answering; calls on the stopped one fail
  only as connection errors (never as an HTTP error a client would not retry).
"""

from __future__ import annotations

import json
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from tests.http_process import HttpServer
from tests.oauth.harness import hidden, pkce, query
from tests.scale.redis_server import RedisServer
from tests.scale.replicas import API_KEY, ports, replica, sandbox

pytestmark = pytest.mark.slow

CALLBACK = "http://127.0.0.1:9/callback"
MCP_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-11-25",
}


class Connector:
    """A connector signing in on one replica (as ChatGPT or Claude would), by plain HTTP."""

    def __init__(self, origin: str, http: httpx2.AsyncClient) -> None:
        self.origin, self.http = origin, http
        self.resource = origin + "/mcp"

    async def register(self, on: str) -> str:
        response = await self.http.post(
            on + "/register",
            json={
                "redirect_uris": [CALLBACK],
                "client_name": "Replica Test",
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
            },
        )
        assert response.status_code == 201, response.text
        return response.json()["client_id"]

    async def code(self, on: str, client_id: str, challenge: str, pimelo_token: str) -> str:
        authorize = await self.http.get(
            on + "/authorize",
            params={
                "response_type": "code",
                "client_id": client_id,
                "redirect_uri": CALLBACK,
                "code_challenge": challenge,
                "code_challenge_method": "S256",
                "state": "s",
                "resource": self.resource,
            },
        )
        assert authorize.status_code == 302, authorize.text
        signin = authorize.headers["location"].replace(self.origin, on)
        async with httpx2.AsyncClient() as browser:  # its own cookies
            page = (await browser.get(signin)).text
            form = {"request": hidden(page, "request"), "csrf": hidden(page, "csrf")}
            step = await browser.post(on + "/signin", data={**form, "pimelo_token": pimelo_token})
            assert step.status_code == 200, step.text
            form = {"request": hidden(step.text, "request"), "csrf": hidden(step.text, "csrf")}
            done = await browser.post(
                on + "/signin", data={**form, "grant": "full", "action": "allow"}
            )
        assert done.status_code == 303, done.text
        return query(done.headers["location"])["code"]

    async def redeem(self, on: str, client_id: str, code: str, verifier: str) -> httpx2.Response:
        return await self.http.post(
            on + "/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "client_id": client_id,
                "code_verifier": verifier,
                "resource": self.resource,
            },
        )


async def tool_names(mcp_url: str, bearer: str) -> list[str]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {bearer}"}) as http,
        Client(streamable_http_client(mcp_url, http_client=http)) as client,
    ):
        return [tool.name for tool in (await client.list_tools()).tools]


async def list_tools_raw(mcp_url: str, bearer: str) -> httpx2.Response:
    async with httpx2.AsyncClient() as http:
        return await http.post(
            mcp_url,
            headers={**MCP_HEADERS, "Authorization": f"Bearer {bearer}"},
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
        )


def origin(server: HttpServer) -> str:
    return server.origin


async def test_grants_and_codes_are_shared_by_replicas_and_survive_a_redis_outage(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    port_a, port_b = ports(2)
    public = f"http://127.0.0.1:{port_a}"
    with (
        sandbox() as pimelo,
        replica(redis_server.url, pimelo, tmp_path, "a", public_url=public, port=port_a) as a,
        replica(redis_server.url, pimelo, tmp_path, "b", public_url=public, port=port_b) as b,
    ):
        assert any("shared store: redis://127.0.0.1" in line for line in a.stderr)
        async with httpx2.AsyncClient() as http:
            connector = Connector(public, http)
            # A grant made through A: registered and signed in on A, the code redeemed on B.
            client_id = await connector.register(on=a.origin)
            verifier, challenge = pkce()
            code = await connector.code(
                a.origin, client_id, challenge, pimelo.tokens["full-access"]
            )
            tokens = await connector.redeem(b.origin, client_id, code, verifier)
            assert tokens.status_code == 200, tokens.text
            access = tokens.json()["access_token"]
            assert "get_product" in await tool_names(b.url, access)
            assert "get_product" in await tool_names(a.url, access)
            # The same code again, on A: already used, on any replica.
            again = await connector.redeem(a.origin, client_id, code, verifier)
            assert again.status_code == 400
            assert again.json()["error"] == "invalid_grant"

            # A code redeemed on A and B at the very same time: exactly one gets tokens.
            for _ in range(5):
                verifier, challenge = pkce()
                code = await connector.code(
                    b.origin, client_id, challenge, pimelo.tokens["full-access"]
                )
                answers: list[httpx2.Response] = []

                async def redeem(
                    on: str,
                    code: str = code,
                    verifier: str = verifier,
                    answers: list[httpx2.Response] = answers,
                ) -> None:
                    answers.append(await connector.redeem(on, client_id, code, verifier))

                async with anyio.create_task_group() as group:
                    group.start_soon(redeem, a.origin)
                    group.start_soon(redeem, b.origin)
                assert sorted(answer.status_code for answer in answers) == [200, 400]

            # Revoked on A, the grant fails on B.
            revoked = await http.post(
                a.origin + "/revoke", data={"token": access, "client_id": client_id}
            )
            assert revoked.status_code == 200
            refused = await list_tools_raw(b.url, access)
            assert refused.status_code == 401

            # Redis lost mid-run: a clear 503 (not a 500, not a traceback), then readiness.
            redis_server.stop()
            down = await list_tools_raw(b.url, access)
            assert down.status_code == 503
            assert down.headers["Retry-After"] == "2"
            body = down.json()
            assert body["error"] == "temporarily_unavailable"
            assert "shared store redis://127.0.0.1" in body["error_description"]
            register_down = await http.post(a.origin + "/register", json={})
            assert register_down.status_code == 503
            # API keys need no store, and the rate budget falls back to the headers.
            answer = await call_list_channels(b.url, http, 1)
            assert not answer["result"].get("isError"), answer
            await wait_for_readiness(http, b.origin, ready=False)

            # Redis back (empty: it keeps nothing on disk): no restart, a new grant works.
            redis_server.start()
            await wait_for_readiness(http, b.origin, ready=True)
            client_id = await connector.register(on=b.origin)
            verifier, challenge = pkce()
            code = await connector.code(b.origin, client_id, challenge, pimelo.tokens["read-only"])
            tokens = await connector.redeem(a.origin, client_id, code, verifier)
            assert tokens.status_code == 200, tokens.text
            names = await tool_names(a.url, tokens.json()["access_token"])
            assert "get_product" in names
            assert "update_products" not in names
    for server in (a, b):
        assert not any("Traceback" in line for line in server.stderr), server.stderr


async def wait_for_readiness(http: httpx2.AsyncClient, on: str, *, ready: bool) -> None:
    """/readyz caches its answer a few seconds: wait until it says `ready` (or not)."""
    with anyio.fail_after(60):
        while True:
            response = await http.get(on + "/readyz")
            if (response.status_code == 200) == ready:
                if not ready:
                    assert "shared store" in response.json()["reason"]
                return
            await anyio.sleep(0.2)


async def call_list_channels(mcp_url: str, http: httpx2.AsyncClient, n: int) -> dict[str, Any]:
    response = await http.post(
        mcp_url,
        headers={**MCP_HEADERS, "Authorization": f"Bearer {API_KEY}"},
        json={
            "jsonrpc": "2.0",
            "id": n,
            "method": "tools/call",
            "params": {"name": "list_channels", "arguments": {}},
        },
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_three_replicas_on_one_token_surface_no_429(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    calls = 90
    with (
        sandbox(rate_limit="20/2") as pimelo,
        replica(redis_server.url, pimelo, tmp_path, "a") as a,
        replica(redis_server.url, pimelo, tmp_path, "b") as b,
        replica(redis_server.url, pimelo, tmp_path, "c") as c,
    ):
        results: list[dict[str, Any]] = []
        async with httpx2.AsyncClient(timeout=120) as http:

            async def one(n: int, server: HttpServer) -> None:
                results.append(await call_list_channels(server.url, http, n))

            async with anyio.create_task_group() as group:
                for n in range(calls):
                    group.start_soon(one, n, (a, b, c)[n % 3])
        failures = [r for r in results if r.get("error") or r["result"].get("isError")]
        assert len(results) == calls
        assert failures == [], json.dumps(failures[:3])


async def test_stopping_one_replica_under_load_fails_only_its_calls_as_connection_errors(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with sandbox() as pimelo, replica(redis_server.url, pimelo, tmp_path, "b") as b:
        outcomes: dict[str, list[str]] = {"a": [], "b": []}
        changed = anyio.Event()
        done = anyio.Event()
        a_stopped = anyio.Event()
        stack = ExitStack()
        a = stack.enter_context(replica(redis_server.url, pimelo, tmp_path, "a"))
        try:
            async with httpx2.AsyncClient(timeout=30) as http:

                async def keep_calling(name: str, url: str) -> None:
                    n = 0
                    while not done.is_set():
                        n += 1
                        try:
                            await call_list_channels(url, http, n)
                            outcome = "ok"
                        except httpx2.TransportError as error:
                            outcome = type(error).__name__
                        outcomes[name].append(outcome)
                        changed.set()
                        if outcome != "ok" and a_stopped.is_set():
                            return  # a client would now retry on the other replica

                async def count_reached(name: str, count: int) -> None:
                    nonlocal changed
                    with anyio.fail_after(120):
                        while outcomes[name].count("ok") < count:
                            await changed.wait()
                            changed = anyio.Event()

                async with anyio.create_task_group() as group:
                    for _ in range(4):
                        group.start_soon(keep_calling, "b", b.url)
                        group.start_soon(keep_calling, "a", a.url)
                    await count_reached("a", 20)  # A is busy when it stops
                    await anyio.to_thread.run_sync(stack.close)  # SIGTERM, and A exits
                    a_stopped.set()
                    served_by_b = outcomes["b"].count("ok")
                    await count_reached("b", served_by_b + 40)  # B goes on
                    done.set()
        finally:
            stack.close()
        assert set(outcomes["b"]) == {"ok"}, outcomes["b"]
        after_stop = [outcome for outcome in outcomes["a"] if outcome != "ok"]
        assert after_stop, "calls on the stopped replica fail"
        assert set(after_stop) <= {"ConnectError", "ReadError", "RemoteProtocolError"}
