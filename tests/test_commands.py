"""`pimelo-mcp` (stdio), `pimelo-mcp tools` and `pimelo-mcp call`, as real processes against a real sandbox."""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from tests.sandbox.test_process import sandbox_process

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live_sandbox() -> Iterator[tuple[str, dict[str, tuple[str, str]]]]:
    command = [sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0", "--products", "30"]
    with sandbox_process(command) as (base_url, tokens):
        yield base_url, tokens


def environment(base_url: str, token: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PIMELO_API_TOKEN": token,
        "PIMELO_BASE_URL": base_url,
        "PIMELO_AUDIT_LOG": str(tmp_path / "audit.jsonl"),
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pimelo_mcp", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_stdio_server_lists_what_a_read_only_token_can_use_and_answers(
    live_sandbox: tuple[str, dict[str, tuple[str, str]]], tmp_path: Path
) -> None:
    base_url, tokens = live_sandbox
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "pimelo_mcp"],
        env=environment(base_url, tokens["read-only"][0], tmp_path),
    )
    async with Client(params) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        result = await client.call_tool("search_products", {"limit": 2})
    assert "search_products" in names
    assert "update_products" not in names
    assert not result.is_error
    assert result.structured_content is not None
    assert len(result.structured_content["items"]) == 2


def test_tools_command_lists_the_tools_of_a_products_only_token(
    live_sandbox: tuple[str, dict[str, tuple[str, str]]], tmp_path: Path
) -> None:
    base_url, tokens = live_sandbox
    listed = run(["tools"], environment(base_url, tokens["products-only"][0], tmp_path))
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    names = [line.split()[0] for line in lines if line.strip() and not line.startswith(" ")]
    assert "update_products" in names
    assert "create_entities" not in names  # entities:write is not among its scopes
    # What each needs, and what the scope it lacks would add, from the same catalog as check.
    at = next(i for i, line in enumerate(lines) if line.startswith("update_products "))
    assert lines[at].endswith("needs products:write, products:read, attributes:read, settings:read")
    assert lines[at + 1].strip().startswith("+ entities:read: entity values (brand, supplier…)")


def test_tools_command_adds_chatgpt_search_and_fetch_when_asked(
    live_sandbox: tuple[str, dict[str, tuple[str, str]]], tmp_path: Path
) -> None:
    base_url, tokens = live_sandbox
    env = environment(base_url, tokens["read-only"][0], tmp_path)
    plain = run(["tools"], env)
    asked = run(["tools", "--chatgpt-search"], env)
    by_variable = run(["tools"], {**env, "PIMELO_MCP_CHATGPT_SEARCH": "1"})
    assert plain.returncode == asked.returncode == by_variable.returncode == 0, asked.stderr

    def names(done: subprocess.CompletedProcess[str]) -> list[str]:
        return [line.split()[0] for line in done.stdout.splitlines() if line[:1].isalpha()]

    assert not {"search", "fetch"} & set(names(plain))
    assert names(asked)[-2:] == names(by_variable)[-2:] == ["search", "fetch"]


def test_call_command_prints_structured_json(
    live_sandbox: tuple[str, dict[str, tuple[str, str]]], tmp_path: Path
) -> None:
    base_url, tokens = live_sandbox
    called = run(
        ["call", "search_products", '{"limit": 3}', "--json"],
        environment(base_url, tokens["full-access"][0], tmp_path),
    )
    assert called.returncode == 0, called.stderr
    assert len(json.loads(called.stdout)["items"]) == 3


def test_call_command_exits_1_on_a_tool_error(
    live_sandbox: tuple[str, dict[str, tuple[str, str]]], tmp_path: Path
) -> None:
    base_url, tokens = live_sandbox
    called = run(
        ["call", "get_product", '{"identifier": "NO-SUCH-SKU"}'],
        environment(base_url, tokens["full-access"][0], tmp_path),
    )
    assert called.returncode == 1
    assert "NO-SUCH-SKU" in called.stdout


def test_a_refused_token_stops_the_start_with_advice(
    live_sandbox: tuple[str, dict[str, tuple[str, str]]], tmp_path: Path
) -> None:
    base_url, _ = live_sandbox
    refused = run(["tools"], environment(base_url, "pim_not_a_real_token", tmp_path))
    assert refused.returncode == 2
    assert "Settings > API Tokens" in refused.stderr
    assert "pim_not_a_real_token" not in refused.stderr + refused.stdout


def test_missing_token_says_how_to_get_one(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PIMELO_API_TOKEN"}
    refused = run(["tools"], env)
    assert refused.returncode == 2
    assert "PIMELO_API_TOKEN" in refused.stderr
    assert "pimelo-mcp sandbox" in refused.stderr
