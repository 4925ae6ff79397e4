"""Agent frameworks' own MCP clients load our tools and call a read tool, with no LLM involved.

The frameworks (OpenAI Agents SDK, PydanticAI) run in their own venv, `.ci/agents-venv`, with
the `mcp` version they pin; `scripts/interop/agent_frameworks.py` drives them there and our
server runs from this venv: the protocol is the contract between the two.
"""

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pimelo_mcp.tools.all_tools import ALL_TOOLS
from tests.interop.tooling import (
    AUTH_HEADER,
    ROOT,
    agents_python,
    http_server,
    pimelo_mcp_command,
    require_http_transport,
    server_env,
)

pytestmark = pytest.mark.slow

Sandbox = tuple[str, dict[str, tuple[str, str]]]
SCRIPT = str(ROOT / "scripts" / "interop" / "agent_frameworks.py")
FRAMEWORKS = {"openai-agents", "pydantic-ai"}


def drive(args: list[str], env: dict[str, str]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [agents_python(), SCRIPT, *args], env=env, capture_output=True, text=True, timeout=180
    )
    reports = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert done.returncode == 0, f"{reports}\n{done.stderr[-3000:]}"
    return reports


def check(reports: list[dict[str, Any]], expected_tools: list[str]) -> None:
    assert {report["framework"] for report in reports} == FRAMEWORKS
    for report in reports:
        assert report["tools"] == expected_tools, report["framework"]
        assert not report["is_error"], report
        assert len(report["result"]["items"]) == 2, report["framework"]


def test_agent_frameworks_load_the_tools_and_call_one_over_stdio(
    live_sandbox: Sandbox, tmp_path: Path
) -> None:
    base_url, tokens = live_sandbox
    env = server_env(base_url, tokens["read-only"][0], tmp_path)
    reports = drive(["stdio", "--", *pimelo_mcp_command()], env)
    check(reports, [spec.name for spec in ALL_TOOLS if spec.read_only])


def test_agent_frameworks_load_the_tools_and_call_one_over_http(
    live_sandbox: Sandbox, tmp_path: Path
) -> None:
    require_http_transport()
    base_url, tokens = live_sandbox
    with http_server(base_url, tokens["full-access"][0], tmp_path) as url:
        reports = drive(["http", url, "--header", AUTH_HEADER], server_env(base_url, "", tmp_path))
    check(reports, [spec.name for spec in ALL_TOOLS])
