"""The stdio start-up stays lean, and `--sandbox` gives a working stdio server with no account.

Facts, never times: a real `pimelo-mcp` stdio process answers `initialize` + `tools/list`
and stops; at exit it writes down every module it loaded in its whole life, and none of
the sandbox, the HTTP machinery or uvicorn is among them.
(`benchmarks/startup.py` measures the times.)
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
from mcp import Client, StdioServerParameters

from tests.sandbox.test_process import sandbox_process

pytestmark = pytest.mark.slow

# The tools are listed from their generated catalog; a tool module is imported at its first call.
NOT_FOR_STDIO = (
    "pimelo_mcp.sandbox",
    "pimelo_mcp.http",
    "pimelo_mcp.check",
    "uvicorn",
    "pimelo_mcp.tools.all_tools",
    "pimelo_mcp.tools.channels",
    "pimelo_mcp.tools.products",
    "pimelo_mcp.tools.entities",
    "pimelo_mcp.tools.attributes",
    "pimelo_mcp.tools.media",
    "pimelo_mcp.translate",
)


@pytest.fixture(scope="module")
def live_sandbox_tokens() -> Iterator[tuple[str, dict[str, tuple[str, str]]]]:
    command = [sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0", "--products", "5"]
    with sandbox_process(command) as (base_url, tokens):
        yield base_url, tokens


@pytest.fixture(scope="module")
def live_sandbox(live_sandbox_tokens: tuple[str, dict[str, tuple[str, str]]]) -> tuple[str, str]:
    base_url, tokens = live_sandbox_tokens
    return base_url, tokens["full-access"][0]


def stdio_env(base_url: str, token: str, tmp_path: Path) -> dict[str, str]:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")},
        "PIMELO_API_TOKEN": token,
        "PIMELO_BASE_URL": base_url,
        "PIMELO_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
    }


def _send(stdin: IO[str], message: dict[str, Any]) -> None:
    stdin.write(json.dumps(message) + "\n")
    stdin.flush()


def _answer(stdout: IO[str], request_id: int) -> dict[str, Any]:
    for line in stdout:
        message = json.loads(line)  # stdout carries JSON-RPC only: anything else fails here
        if message.get("id") == request_id:
            return message
    raise AssertionError(f"stdout closed before the answer to request {request_id}")


# `pimelo-mcp` itself, with an exit hook that writes the names of the loaded modules.
RUN_AND_LIST_MODULES = """
import atexit, sys
from pimelo_mcp.cli import main

def record():
    with open(sys.argv[1], "w") as out:
        out.write("\\n".join(sorted(sys.modules)))

atexit.register(record)
sys.exit(main([]))
"""


def test_the_stdio_server_imports_no_sandbox_no_http_no_uvicorn(
    live_sandbox: tuple[str, str], tmp_path: Path
) -> None:
    base_url, token = live_sandbox
    env = stdio_env(base_url, token, tmp_path)
    listing = tmp_path / "modules.txt"
    process = subprocess.Popen(
        [sys.executable, "-c", RUN_AND_LIST_MODULES, str(listing)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    try:
        _send(
            process.stdin,
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "initialize",
                "params": {
                    "protocolVersion": "2025-11-25",
                    "capabilities": {},
                    "clientInfo": {"name": "test", "version": "0"},
                },
            },
        )
        assert _answer(process.stdout, 1)["result"]["serverInfo"]["name"] == "pimelo"
        _send(process.stdin, {"jsonrpc": "2.0", "method": "notifications/initialized"})
        _send(process.stdin, {"jsonrpc": "2.0", "id": 2, "method": "tools/list"})
        assert len(_answer(process.stdout, 2)["result"]["tools"]) == 14
        process.stdin.close()
        assert process.wait(timeout=30) == 0  # stdin closed: the server stops cleanly
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
    modules = set(listing.read_text().split())
    assert "pimelo_mcp.server" in modules  # the list is complete enough to mean something
    assert "mcp.server.stdio" in modules
    unwanted = sorted(m for m in modules if m.startswith(NOT_FOR_STDIO))
    assert unwanted == []


def test_the_import_guard_leaves_uvicorn_importable_afterwards() -> None:
    code = (
        "import sys\n"
        "from pimelo_mcp.commands import load_server_without_uvicorn as load\n"
        "load()\n"
        "assert 'mcp.server.mcpserver' in sys.modules\n"
        "assert 'uvicorn' not in sys.modules\n"
        "import uvicorn\n"
        "print(uvicorn.__name__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "uvicorn"


async def test_stdio_with_sandbox_needs_no_token_and_serves_every_tool(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")},
        "PIMELO_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
    }
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "pimelo_mcp", "serve", "--sandbox"], env=env
    )
    async with Client(params) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("update_products", {"items": [], "dry_run": True})
        channels = await client.call_tool("list_channels", {})
    assert len(names) == 14
    assert result.is_error  # an empty batch is refused by the tool, not by the transport
    assert not channels.is_error


async def test_the_scopes_read_while_the_sdk_loads_choose_the_tools_listed(
    live_sandbox_tokens: tuple[str, dict[str, tuple[str, str]]], tmp_path: Path
) -> None:
    base_url, tokens = live_sandbox_tokens
    token, scopes = tokens["read-only"]
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "pimelo_mcp"], env=stdio_env(base_url, token, tmp_path)
    )
    async with Client(params) as client:
        tools = (await client.list_tools()).tools
        channels = await client.call_tool("list_channels", {})
    assert "products:write" not in scopes.split(",")
    assert tools
    assert all(tool.annotations and tool.annotations.read_only_hint for tool in tools)
    assert not channels.is_error


def test_a_refused_token_stops_the_stdio_server_with_what_to_do(
    live_sandbox: tuple[str, str], tmp_path: Path
) -> None:
    base_url, _ = live_sandbox
    done = subprocess.run(
        [sys.executable, "-m", "pimelo_mcp"],
        input="",
        env=stdio_env(base_url, "pim_revoked_or_never_made", tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""  # stdout is the protocol's: nothing else goes there
    assert "refused the API token" in done.stderr
    assert "Settings > API Tokens" in done.stderr


def test_ctrl_c_stops_a_start_up_whose_pimelo_never_answers(tmp_path: Path) -> None:
    # A service that accepts the connection and never answers GET /me: the start-up waits
    # for it, and Ctrl-C must end that wait at once, not after the request's timeout.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        process = subprocess.Popen(
            [sys.executable, "-m", "pimelo_mcp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            env=stdio_env(f"http://127.0.0.1:{port}/api/v1/", "pim_waiting", tmp_path),
            text=True,
        )
        try:
            silent.settimeout(60)  # a safety net: a child that died before connecting fails here
            connection, _ = silent.accept()  # the start-up's GET /me has been sent
            with connection:
                process.send_signal(signal.SIGINT)
                assert process.wait(timeout=60) == 130  # a safety net: it stops at once
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            assert process.stdin is not None
            process.stdin.close()
            assert process.stderr is not None
            process.stderr.close()


@pytest.mark.parametrize(
    ("token", "base_url", "says"),
    [
        ("not-a-pimelo-token", "http://127.0.0.1:9/api/v1/", "starts with 'pim_'"),
        ("pim_well_formed", "ftp://pimelo.example/api/v1/", "must be an http(s) URL"),
    ],
)
def test_a_malformed_token_or_base_url_stops_the_start_with_a_message_not_a_traceback(
    token: str, base_url: str, says: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pimelo_mcp"],
        input="",
        env=stdio_env(base_url, token, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr
