"""OAuth tests: an authorization server over the sandbox, and the watch for a leaked Pimelo token.

After every test, no Pimelo token a test pasted may appear in any response (status line,
headers, body), in any log record at DEBUG, in any file under the test's directory (the
store, its WAL, the journal) in clear.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx2
import pytest

from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.auth import DEMO_TOKENS
from pimelo_mcp.sandbox.settings import SandboxSettings
from tests.oauth.harness import PIMELO_BASE, FakeClock, Harness, asgi_client, build_server


@dataclass
class LeakWatch:
    secrets: set[str] = field(default_factory=set[str])
    texts: list[str] = field(default_factory=list[str])
    """Anything else a test saw: process output, pages."""
    responses: list[httpx2.Response] = field(default_factory=list[httpx2.Response])


@pytest.fixture(autouse=True)
def leak_watch(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> Iterator[LeakWatch]:
    caplog.set_level(logging.DEBUG)
    watch = LeakWatch()
    yield watch
    for secret in watch.secrets:
        for response in watch.responses:
            shown = "\n".join(
                [str(response.url), *(f"{k}: {v}" for k, v in response.headers.items())]
            )
            assert secret not in shown, f"a Pimelo token in the response to {response.url}"
            assert secret.encode() not in response.content, f"a Pimelo token in {response.url}"
        assert secret not in caplog.text, "a Pimelo token in the logs"
        for text in watch.texts:
            assert secret not in text, "a Pimelo token in the output"
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), f"a Pimelo token in {path.name}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def harness(
    tmp_path: Path, clock: FakeClock, leak_watch: LeakWatch
) -> AsyncIterator[Harness]:
    app = create_app(SandboxSettings(products=20))
    store = app.state.sandbox.store
    tokens = {name: store.mint_token(name, scopes) for name, scopes in DEMO_TOKENS}
    tokens["no-tools"] = store.mint_token("no-tools", ("import-export:read",))
    leak_watch.secrets.update(tokens.values())
    async with httpx2.AsyncClient(
        transport=httpx2.ASGITransport(app=app), base_url=PIMELO_BASE
    ) as sandbox_http:
        server = build_server(tmp_path, sandbox_http, clock)
        async with asgi_client(server, leak_watch.responses) as http:
            yield Harness(server, http, clock, tokens, leak_watch.responses)
        await server.store.aclose()
