"""The official MCP Inspector CLI (a client we did not write) lists and calls our tools.

Over stdio it starts the installed `pimelo-mcp` console script, as Claude Desktop would;
over streamable HTTP it talks to `pimelo-mcp serve --transport http` with an API key.
Both protocol eras: the 2025-11-25 handshake (`legacy`) and 2026-07-28 (`modern`).
"""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pimelo_mcp.tools.all_tools import ALL_TOOLS
from tests.interop.tooling import (
    AUTH_HEADER,
    http_server,
    node_env,
    node_tool,
    pimelo_mcp_command,
    require_http_transport,
    server_env,
)

pytestmark = pytest.mark.slow

Sandbox = tuple[str, dict[str, tuple[str, str]]]
READ_TOOLS = [spec.name for spec in ALL_TOOLS if spec.read_only]


def inspector(
    target: list[str], method_args: list[str], env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """`mcp-inspector --cli` with `--format json -q`: one JSON object on stdout."""
    return subprocess.run(
        [node_tool("mcp-inspector"), "--cli", "--format", "json", "-q", *method_args, *target],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def stdio_target(base_url: str, token: str, tmp_path: Path) -> list[str]:
    """The server as the Inspector starts it: env passed with -e, then `--` and the command."""
    env = server_env(base_url, token, tmp_path)
    passed = [
        item
        for key in ("PIMELO_API_TOKEN", "PIMELO_BASE_URL", "PIMELO_AUDIT_LOG")
        for item in ("-e", f"{key}={env[key]}")
    ]
    return [*passed, "--", *pimelo_mcp_command()]


def payload(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    """The method's result from `--format json` output: {"result": ...}."""
    printed = json.loads(done.stdout)
    return printed["result"]


def check_listing(listed: subprocess.CompletedProcess[str], expected: list[str]) -> None:
    assert listed.returncode == 0, listed.stderr
    tools = payload(listed)["tools"]
    assert [tool["name"] for tool in tools] == expected
    for tool in tools:
        assert tool["inputSchema"]["type"] == "object"
        assert set(tool["annotations"]) >= {"readOnlyHint", "destructiveHint", "openWorldHint"}


def check_search(called: subprocess.CompletedProcess[str]) -> None:
    assert called.returncode == 0, called.stderr
    result = payload(called)
    assert not result.get("isError")
    assert len(result["structuredContent"]["items"]) == 2
    assert result["content"][0]["type"] == "text"


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_inspector_over_stdio_lists_the_read_tools_and_calls_one(
    live_sandbox: Sandbox, tmp_path: Path, era: str
) -> None:
    base_url, tokens = live_sandbox
    target = stdio_target(base_url, tokens["read-only"][0], tmp_path)
    env = node_env(tmp_path)
    # --strict: schema portability problems of error severity fail the listing (exit 6)
    listed = inspector(target, ["--protocol-era", era, "--strict", "--method", "tools/list"], env)
    check_listing(listed, READ_TOOLS)
    called = inspector(
        target,
        [
            "--protocol-era",
            era,
            "--method",
            "tools/call",
            "--tool-name",
            "search_products",
            "--tool-args-json",
            '{"limit": 2}',
        ],
        env,
    )
    check_search(called)


def test_inspector_over_stdio_sees_a_tool_error_as_one(
    live_sandbox: Sandbox, tmp_path: Path
) -> None:
    base_url, tokens = live_sandbox
    target = stdio_target(base_url, tokens["full-access"][0], tmp_path)
    args = ["--method", "tools/call", "--tool-name", "get_product"]
    called = inspector(
        target, [*args, "--tool-args-json", '{"identifier": "NO-SUCH-SKU"}'], node_env(tmp_path)
    )
    assert called.returncode == 5, called.stderr  # the Inspector's exit code for isError
    assert "NO-SUCH-SKU" in called.stdout + called.stderr


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_inspector_over_http_lists_and_calls_with_an_api_key(
    live_sandbox: Sandbox, tmp_path: Path, era: str
) -> None:
    require_http_transport()
    base_url, tokens = live_sandbox
    env = node_env(tmp_path)
    with http_server(base_url, tokens["full-access"][0], tmp_path) as url:
        auth = ["--header", AUTH_HEADER, "--protocol-era", era]
        listed = inspector([url], [*auth, "--strict", "--method", "tools/list"], env)
        check_listing(listed, [spec.name for spec in ALL_TOOLS])
        called = inspector(
            [url],
            [
                *auth,
                "--method",
                "tools/call",
                "--tool-name",
                "search_products",
                "--tool-args-json",
                '{"limit": 2}',
            ],
            env,
        )
        check_search(called)
        refused = inspector([url], ["--protocol-era", era, "--method", "tools/list"], env)
        assert refused.returncode != 0, "without the API key the server must refuse"
