"""A sandbox with injected faults served over real HTTP on loopback, and the MCP server on it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
import uvicorn
from mcp import Client
from starlette.applications import Starlette

from pimelo_mcp.config import Settings
from pimelo_mcp.listening import listen_tcp
from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.faults import FaultInjector, parse_fault_spec
from pimelo_mcp.sandbox.settings import SCOPES, SandboxSettings
from pimelo_mcp.server import build_server

TOKEN = "pim_test_faults_token"
START_TIMEOUT = 30.0  # a safety net: the server says when it listens


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, ready: threading.Event) -> None:
        super().__init__(config)
        self._ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self._ready.set()


@contextmanager
def serve_in_thread(
    app: Any, *, lifespan: Literal["on", "off"] = "off", http: Any = "h11"
) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 (a free port) in a thread; yields its base URL."""
    sock = listen_tcp("127.0.0.1", 0)
    ready = threading.Event()
    config = uvicorn.Config(
        app, log_level="critical", lifespan=lifespan, access_log=False, http=http
    )
    server = _Server(config, ready)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        assert ready.wait(START_TIMEOUT), "the sandbox did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1/"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT)
        sock.close()


@dataclass
class FaultySandbox:
    app: Starlette
    base_url: str

    @property
    def injector(self) -> FaultInjector:
        return self.app.state.faults


@contextmanager
def faulty_sandbox(spec: str | None, *, products: int = 40) -> Iterator[FaultySandbox]:
    app = create_app(
        SandboxSettings(
            products=products,
            rate_limit=RateLimit(requests=100_000, seconds=60),
            tokens=(TokenSpec(TOKEN, SCOPES),),
            faults=None if spec is None else parse_fault_spec(spec),
        )
    )
    with serve_in_thread(app) as base_url:
        yield FaultySandbox(app, base_url)


ConnectFaulty = Callable[..., Client]


@pytest.fixture
def connect_faulty(tmp_path: Path) -> ConnectFaulty:
    """`connect_faulty(sandbox, deadline=...)` → an unopened MCP Client on a fresh server."""

    def make(sandbox: FaultySandbox, *, deadline: float = 5.0, audit: Path | None = None) -> Client:
        settings = Settings(
            api_token=TOKEN,
            base_url=sandbox.base_url,
            audit_path=audit or tmp_path / "audit.jsonl",
            call_deadline_seconds=deadline,
        )
        return Client(build_server(settings))  # type: ignore[arg-type]

    return make
