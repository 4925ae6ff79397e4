"""`pimelo-mcp serve --transport http`: a real process, real sockets, the SDK's HTTP client.

Auth (401 without or with a wrong key), Host/Origin refusals (421/403), /healthz and
/readyz, both protocol revisions listing and calling tools, and the refusals to start open.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from pimelo_mcp.config import HttpSettings, Settings
from pimelo_mcp.http import ApiKeyAuth, Readiness, pimelo_probe, transport_security
from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.settings import SandboxSettings
from tests.http_process import HttpServer, http_server

KEY = "test-key-0123456789abcdef"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "test", "version": "0"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    return {**env, "PIMELO_AUDIT_LOG": str(tmp / "audit.jsonl")}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpServer]:
    tmp = tmp_path_factory.mktemp("http")
    with http_server(["--sandbox", "--api-key", KEY], env=_env(tmp)) as running:
        yield running


@asynccontextmanager
async def connected(server: HttpServer, mode: str, key: str = KEY) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=30) as http,
        Client(streamable_http_client(server.url, http_client=http), mode=mode) as client,  # type: ignore[arg-type]
    ):
        yield client


pytestmark = pytest.mark.slow


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_both_protocol_revisions_list_and_call_tools(server: HttpServer, mode: str) -> None:
    async with connected(server, mode) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("search_products", {"limit": 2})
    assert len(names) == 14  # --sandbox mints a full-access token
    assert not result.is_error, result.content
    assert result.structured_content is not None
    assert len(result.structured_content["items"]) == 2


def test_the_ready_line_says_it_is_a_sandbox_and_how_clients_authenticate(
    server: HttpServer,
) -> None:
    text = "\n".join(server.stderr)
    assert "SANDBOX" in text
    assert "SANDBOX: its writes are journaled apart, in " in text
    assert "sandbox-audit.jsonl" in text
    assert "auth: Bearer API key (1 configured)" in text
    assert KEY not in text  # a configured key is never printed
    assert "made for this run" not in text


def test_no_key_or_a_wrong_key_gets_401_with_a_bearer_challenge(server: HttpServer) -> None:
    with httpx2.Client(timeout=10) as http:
        missing = http.post(server.url, json=INITIALIZE, headers=MCP_HEADERS)
        wrong = http.post(
            server.url,
            json=INITIALIZE,
            headers={**MCP_HEADERS, "Authorization": f"Bearer {KEY}x"},
        )
        basic = http.post(
            server.url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Basic {KEY}"}
        )
        right = http.post(
            server.url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {KEY}"}
        )
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer ")
    assert wrong.status_code == 401
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert basic.status_code == 401
    assert right.status_code == 200
    assert right.headers["content-type"].startswith("application/json")  # JSON, not SSE
    assert right.json()["result"]["serverInfo"]["name"] == "pimelo"


def test_foreign_host_gets_421_and_foreign_origin_403(server: HttpServer) -> None:
    auth = {**MCP_HEADERS, "Authorization": f"Bearer {KEY}"}
    with httpx2.Client(timeout=10) as http:
        host = http.post(server.url, json=INITIALIZE, headers={**auth, "Host": "evil.example"})
        origin = http.post(
            server.url, json=INITIALIZE, headers={**auth, "Origin": "http://evil.example"}
        )
        local_origin = http.post(
            server.url, json=INITIALIZE, headers={**auth, "Origin": server.origin}
        )
    assert host.status_code == 421
    assert origin.status_code == 403
    assert local_origin.status_code == 200


def test_health_and_readiness_need_no_key(server: HttpServer) -> None:
    with httpx2.Client(base_url=server.origin, timeout=10) as http:
        health = http.get("/healthz", headers={"Host": "10.1.2.3:8000"})  # a probe's Host
        ready = http.get("/readyz")
        other = http.get("/metrics")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ready"})
    assert other.status_code == 401  # everything else is behind the key


@pytest.mark.parametrize(
    "accept", ["*/*", "text/html,application/xhtml+xml", "text/event-stream", None]
)
def test_a_get_of_the_mcp_url_answers_405_with_what_it_is_for(
    server: HttpServer, accept: str | None
) -> None:
    # curl and browsers accept */*: the SDK, stateless, answered with an event stream on
    # which nothing could ever come, and the request hung. The timeout is a safety net.
    headers = {"Authorization": f"Bearer {KEY}", **({"Accept": accept} if accept else {})}
    with httpx2.Client(timeout=30) as http:
        answer = http.get(server.url, headers=headers)
        head = http.head(server.url, headers=headers)
        without_key = http.get(server.url)
    assert answer.status_code == 405
    assert answer.headers["allow"] == "POST"
    assert "MCP endpoint of pimelo-mcp" in answer.text
    assert "POST" in answer.text
    assert head.status_code == 405
    assert without_key.status_code == 401  # the key is still asked first


def test_the_sandbox_alone_generates_and_prints_a_key(tmp_path: Path) -> None:
    with (
        http_server(["--sandbox"], env=_env(tmp_path)) as running,
        httpx2.Client(timeout=10) as http,
    ):
        printed = [line for line in running.stderr if "made for this run:" in line]
        assert printed, running.stderr
        key = printed[0].rsplit(" ", 1)[1]
        answer = http.post(
            running.url, json=INITIALIZE, headers={**MCP_HEADERS, "Authorization": f"Bearer {key}"}
        )
        assert answer.status_code == 200


def _serve(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pimelo_mcp", "serve", "--transport", "http", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "requires client authentication"),
        (["--no-auth", "--host", "0.0.0.0"], "only allowed on a loopback address"),
        (["--api-key", "short"], "at least 16 characters"),
    ],
)
def test_it_refuses_to_start_open_or_weak(args: list[str], says: str, tmp_path: Path) -> None:
    env = {**_env(tmp_path), "PIMELO_API_TOKEN": "pim_never_used_token"}
    refused = _serve(["--port", "0", *args], env)
    assert refused.returncode == 2
    assert says in refused.stderr
    assert "pim_never_used_token" not in refused.stderr


# -- in-process units ------------------------------------------------------------------


async def _ok(scope: Scope, receive: Receive, send: Send) -> None:
    await PlainTextResponse("through")(scope, receive, send)


async def test_api_key_auth_accepts_any_configured_key_and_keeps_public_paths_open() -> None:
    app = ApiKeyAuth(_ok, ["first-key-0123456789", "second-key-0123456789"])
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://test") as http:
        first = await http.get("/mcp", headers={"Authorization": "Bearer first-key-0123456789"})
        second = await http.get("/mcp", headers={"Authorization": "bearer second-key-0123456789"})
        prefix = await http.get("/mcp", headers={"Authorization": "Bearer first-key"})
        health = await http.get("/healthz")
    assert (first.status_code, second.status_code, prefix.status_code) == (200, 200, 401)
    assert health.text == "through"


def test_dns_rebinding_protection_stays_on_for_every_interface() -> None:
    wide = transport_security(
        HttpSettings(
            host="0.0.0.0",
            api_keys=(KEY,),
            allowed_hosts=("mcp.example.com",),
            allowed_origins=("https://chatgpt.com",),
        )
    )
    assert wide.enable_dns_rebinding_protection
    assert {"mcp.example.com", "mcp.example.com:*", "127.0.0.1:*"} <= set(wide.allowed_hosts)
    assert {"https://chatgpt.com", "https://chatgpt.com:*"} <= set(wide.allowed_origins)
    assert "0.0.0.0:*" not in wide.allowed_hosts
    specific = transport_security(HttpSettings(host="10.0.0.7", api_keys=(KEY,)))
    assert "10.0.0.7:*" in specific.allowed_hosts


def test_http_settings_come_from_variables_and_a_key_file(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("# ops\nfile-key-0123456789abc\n\n")
    http = HttpSettings.from_env(
        {
            "PIMELO_MCP_API_KEYS": "env-key-0123456789abc, other-key-0123456789",
            "PIMELO_MCP_API_KEYS_FILE": str(keys),
            "PIMELO_MCP_ALLOWED_HOSTS": "mcp.example.com,mcp.internal:8000",
            "PIMELO_MCP_ALLOWED_ORIGINS": "https://chatgpt.com",
            "PIMELO_MCP_HOST": "0.0.0.0",
            "PIMELO_MCP_PORT": "9000",
        }
    )
    http.validate()
    assert http.api_keys == (
        "env-key-0123456789abc",
        "other-key-0123456789",
        "file-key-0123456789abc",
    )
    assert http.allowed_hosts == ("mcp.example.com", "mcp.internal:8000")
    assert (http.host, http.port) == ("0.0.0.0", 9000)
    assert "env-key" not in repr(http)


async def test_readiness_caches_its_answer_and_shares_one_probe() -> None:
    now = [0.0]
    calls: list[int] = []

    async def probe() -> str | None:
        calls.append(1)
        return None if len(calls) == 1 else "down"

    readiness = Readiness(probe, ok_ttl=10, fail_ttl=2, clock=lambda: now[0])
    assert await readiness.check() is None
    now[0] = 9.9
    assert await readiness.check() is None
    assert len(calls) == 1
    now[0] = 10.0
    assert await readiness.check() == "down"
    now[0] = 11.9
    assert await readiness.check() == "down"
    assert len(calls) == 2


async def test_readiness_says_why_pimelo_refuses_the_token() -> None:
    sandbox = create_app(SandboxSettings(products=5))
    base = "http://sandbox/api/v1/"
    transport: Any = httpx2.ASGITransport(app=sandbox)
    async with httpx2.AsyncClient(transport=transport, base_url=base) as http:
        probe = pimelo_probe(Settings(api_token="pim_not_a_known_token", base_url=base), http)
        reason = await probe()
    assert reason is not None
    assert "refuses the server's API token" in reason
    assert "pim_not_a_known_token" not in reason


def test_http_flags_on_a_stdio_server_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    from pimelo_mcp.cli import main

    assert main(["serve", "--port", "9000", "--api-key", KEY]) == 2
    assert "--port, --api-key: only for --transport http" in capsys.readouterr().err
