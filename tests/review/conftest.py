"""A real MCP client that negotiates MCP Apps (as Claude or ChatGPT do), and one that does not;
one Chromium, with the host page's bundle built once, for the pane's browser tests."""

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from pimelo_mcp.config import Settings
from pimelo_mcp.server import PimeloMCPServer, build_server
from tests.review.browser import Browser, launched
from tests.tools.conftest import (  # noqa: F401  # fixtures
    BASE_URL,
    FULL_TOKEN,
    audit_path,
    mode,
    sandbox,
    sandbox_http,
)

APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})

ServerFactory = Callable[..., PimeloMCPServer]
ClientFactory = Callable[..., Client]


@pytest.fixture
def make_server(sandbox_http: httpx2.AsyncClient, audit_path: Path) -> ServerFactory:  # noqa: F811
    def make(token: str = FULL_TOKEN, *, read_only: bool = False, **kwargs: Any) -> PimeloMCPServer:
        settings = Settings(
            api_token=token, base_url=BASE_URL, audit_path=audit_path, read_only=read_only
        )
        return build_server(settings, http_client=sandbox_http, **kwargs)

    return make


@pytest.fixture
def connect_with(mode: str) -> ClientFactory:  # noqa: F811
    """`connect_with(server, apps=True)`: an unopened client that declares MCP Apps or not."""

    def make(server: PimeloMCPServer, *, apps: bool = True) -> Client:
        return Client(server, mode=mode, extensions=[APPS] if apps else None)  # type: ignore[arg-type]

    return make


@pytest.fixture(scope="package")  # closed before the other packages' tests run
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with launched(tmp_path_factory.mktemp("review-host")) as running:
        yield running
