"""Real processes for the replica tests: a sandbox, and replicas of the HTTP server on Redis."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.http_process import HttpServer, http_server
from tests.interop.tooling import free_port
from tests.sandbox.test_process import sandbox_process

SECRET = "replica-test-secret-0123456789abcdefghijkl"
API_KEY = "pmk_replica_test_key_0123456789abcdef"


@dataclass
class Sandbox:
    base_url: str
    tokens: dict[str, str]  # demo token name → token


@contextmanager
def sandbox(rate_limit: str = "600/60") -> Iterator[Sandbox]:
    command = [sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0", "--products", "20"]
    with sandbox_process([*command, "--rate-limit", rate_limit]) as (base_url, tokens):
        yield Sandbox(base_url, {name: token for name, (token, _) in tokens.items()})


def replica_env(store: str, sandbox: Sandbox, tmp_path: Path, name: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PIMELO_")}
    return {
        **env,
        "PIMELO_BASE_URL": sandbox.base_url,
        "PIMELO_API_TOKEN": sandbox.tokens["full-access"],
        "PIMELO_MCP_API_KEYS": API_KEY,
        "PIMELO_MCP_STORE": store,
        "PIMELO_MCP_SECRET_KEY": SECRET,
        "PIMELO_AUDIT_LOG": str(tmp_path / f"audit-{name}.jsonl"),
    }


@contextmanager
def replica(
    store: str,
    sandbox: Sandbox,
    tmp_path: Path,
    name: str,
    *,
    public_url: str | None = None,
    port: int = 0,
    extra: tuple[str, ...] = (),
) -> Iterator[HttpServer]:
    """One `pimelo-mcp serve --transport http` on the shared store; with `public_url`, OAuth."""
    args = ["--port", str(port), *extra]
    if public_url is not None:
        args += ["--oauth", "--public-url", public_url]
    with http_server(args, env=replica_env(store, sandbox, tmp_path, name)) as server:
        yield server


def ports(count: int) -> list[int]:
    return [free_port() for _ in range(count)]
