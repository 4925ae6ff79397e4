"""Where the interop tools live and how to start what the tests talk to.

The tools are installed inside the checkout by `.ci/interop-setup`: Node 22 and pinned npm
packages under `.ci/npm/node_modules`, the agent frameworks in `.ci/agents-venv`. Where they
are missing a test is skipped with that advice, except when PIMELO_INTEROP_REQUIRED=1 (CI):
then it fails, so that a CI run can never pass by skipping what it was meant to prove.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest

ROOT = Path(__file__).resolve().parents[2]
NODE_BIN = ROOT / ".ci" / "npm" / "node_modules" / ".bin"
AGENTS_PYTHON = ROOT / ".ci" / "agents-venv" / "bin" / "python"
UV_CACHE = ROOT / ".ci" / "cache" / "uv"  # inside the checkout: CI caches nothing outside it
SETUP_HINT = "run .ci/interop-setup first"
HTTP_KEY = "pmk_interop_0123456789abcdefghijklmnop"  # the API key the tests give the HTTP server


def require(condition: bool, reason: str) -> None:
    """Skip when a tool is missing, unless CI said it must be there."""
    if condition:
        return
    if os.environ.get("PIMELO_INTEROP_REQUIRED") == "1":
        pytest.fail(f"{reason} (PIMELO_INTEROP_REQUIRED=1)")
    pytest.skip(reason)


def node_tool(name: str) -> str:
    """The path of an npm-installed command (mcp-inspector, conformance, mcpb), on Node >= 22."""
    path = NODE_BIN / name
    require(path.exists() and (NODE_BIN / "node").exists(), f"no {name}: {SETUP_HINT}")
    return str(path)


def node_env(tmp_path: Path, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """An environment whose `node` is the pinned Node 22 and whose tools write only under tmp_path."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return {
        **os.environ,
        "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOME": str(home),  # the Inspector keeps a catalog and OAuth state under ~
        "MCP_CATALOG_PATH": str(home / "mcp.json"),
        "NO_COLOR": "1",
        **(extra or {}),
    }


def agents_python() -> str:
    require(AGENTS_PYTHON.exists(), f"no agent-framework venv: {SETUP_HINT}")
    return str(AGENTS_PYTHON)


def pimelo_mcp_command() -> list[str]:
    """The installed console script, as a client configured by a user would start it."""
    script = Path(sys.executable).with_name("pimelo-mcp")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pimelo_mcp"]


def server_env(base_url: str, token: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PIMELO_API_TOKEN": token,
        "PIMELO_BASE_URL": base_url,
        "PIMELO_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
    }


def serve_options() -> set[str]:
    """The option strings of `pimelo-mcp serve`, read from the real parser."""
    from pimelo_mcp.cli import build_parser

    parser = build_parser()
    for action in parser._actions:  # pyright: ignore[reportPrivateUsage]
        if isinstance(action, argparse._SubParsersAction):  # pyright: ignore[reportPrivateUsage]
            serve = action.choices["serve"]
            return {option for a in serve._actions for option in a.option_strings}  # pyright: ignore[reportPrivateUsage]
    return set()


def require_http_transport() -> None:
    """HTTP cases run once `pimelo-mcp serve --transport http` exists; skipped only before."""
    if "--transport" not in serve_options():
        pytest.skip("`pimelo-mcp serve` has no --transport option yet (streamable HTTP not merged)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    while True:
        if process.poll() is not None:
            raise AssertionError(f"the server exited ({process.returncode}) before it answered")
        try:
            httpx2.get(url, timeout=2)
        except httpx2.TransportError:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing answered at {url} in time") from None
            time.sleep(0.2)
        else:
            return


@contextmanager
def running(
    command: list[str], env: Mapping[str, str], probe_url: str, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A background process (stdout and stderr to `log`), up once `probe_url` answers; stopped after."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, env=dict(env), stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
        )
        try:
            wait_until_up(probe_url, process, time.monotonic() + 60)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@contextmanager
def http_server(base_url: str, token: str, tmp_path: Path) -> Iterator[str]:
    """`pimelo-mcp serve --transport http` on a free loopback port; yields its /mcp URL.

    Clients authenticate with HTTP_KEY (PIMELO_MCP_API_KEYS), sent as a bearer token.
    """
    port = free_port()
    command = [
        *pimelo_mcp_command(),
        "serve",
        "--transport",
        "http",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]
    env = {**server_env(base_url, token, tmp_path), "PIMELO_MCP_API_KEYS": HTTP_KEY}
    with running(command, env, f"http://127.0.0.1:{port}/healthz", tmp_path / "http-server.log"):
        yield f"http://127.0.0.1:{port}/mcp"


AUTH_HEADER = f"Authorization: Bearer {HTTP_KEY}"
VERSION_LINE = re.compile(r"^v(\d+)\.")
