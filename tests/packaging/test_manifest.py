"""The MCP Bundle (manifest.json) for Claude Desktop: in step with the code, valid, packable, runnable.

The bundle uses the `uv` server type: it ships the source and pyproject.toml (no
dependencies), and the host runs `uv run` in the unpacked folder, which installs the
dependencies for the user's platform. The test below does exactly that with the packed
bundle, then talks MCP to it.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters

from pimelo_mcp import __version__
from pimelo_mcp.client import DEFAULT_BASE_URL
from pimelo_mcp.config import ENV_BASE_URL, ENV_READ_ONLY, ENV_TOKEN
from pimelo_mcp.tools.all_tools import ALL_TOOLS
from scripts.update_manifest import MANIFEST, render, summary, with_generated_parts
from tests.interop.tooling import UV_CACHE, node_env, node_tool

Sandbox = tuple[str, dict[str, tuple[str, str]]]


def manifest() -> dict[str, Any]:
    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def test_manifest_tools_and_version_are_the_registrys() -> None:
    current = manifest()
    assert [tool["name"] for tool in current["tools"]] == [spec.name for spec in ALL_TOOLS]
    for tool, spec in zip(current["tools"], ALL_TOOLS, strict=True):
        assert tool["description"] == summary(spec)
        assert spec.description.startswith(tool["description"].rstrip("."))
    assert current["version"] == __version__
    assert MANIFEST.read_text(encoding="utf-8") == render(with_generated_parts(current)), (
        "run: python scripts/update_manifest.py"
    )


def test_user_config_asks_for_a_sensitive_token_a_base_url_and_a_read_only_switch() -> None:
    config = manifest()["user_config"]
    assert config["api_token"]["sensitive"] is True
    assert config["api_token"]["required"] is True
    assert config["api_token"]["type"] == "string"
    assert config["base_url"]["default"] == DEFAULT_BASE_URL
    assert config["read_only"] == config["read_only"] | {"type": "boolean", "default": False}
    env = manifest()["server"]["mcp_config"]["env"]
    assert env == {
        ENV_TOKEN: "${user_config.api_token}",
        ENV_BASE_URL: "${user_config.base_url}",
        ENV_READ_ONLY: "${user_config.read_only}",
    }


def test_the_bundle_runs_the_console_script_with_uv() -> None:
    server = manifest()["server"]
    assert server["type"] == "uv"
    assert (MANIFEST.parent / server["entry_point"]).is_file()
    config = server["mcp_config"]
    assert config["command"] == "uv"
    assert config["args"][-1] == "pimelo-mcp"
    assert "${__dirname}" in config["args"]


def mcpb(*args: str, cwd: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node_tool("mcpb"), *args],
        cwd=cwd,
        env=node_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_mcpb_validates_the_manifest(tmp_path: Path) -> None:
    done = mcpb("validate", str(MANIFEST), cwd=MANIFEST.parent, tmp_path=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "passes" in done.stdout


def substitute(value: str, values: dict[str, str]) -> str:
    for name, replacement in values.items():
        value = value.replace("${" + name + "}", replacement)
    return value


@pytest.mark.slow
async def test_mcpb_pack_builds_a_bundle_that_installs_and_serves(
    live_sandbox: Sandbox, tmp_path: Path
) -> None:
    bundle = tmp_path / "pimelo-mcp.mcpb"
    packed = mcpb("pack", ".", str(bundle), cwd=MANIFEST.parent, tmp_path=tmp_path)
    assert packed.returncode == 0, packed.stdout + packed.stderr
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        unpacked = tmp_path / "unpacked"
        archive.extractall(unpacked)
    assert {"manifest.json", "pyproject.toml", "README.md", "pimelo_mcp/py.typed"} <= names
    assert "pimelo_mcp/__main__.py" in names
    leaked = {n for n in names if n.split("/")[0] in {"tests", ".ci", ".venv", ".git", "docs"}}
    assert not leaked, sorted(leaked)[:5]
    assert not any("__pycache__" in n for n in names)

    # Run it as Claude Desktop would: the manifest's mcp_config, its variables filled in.
    base_url, tokens = live_sandbox
    config = json.loads((unpacked / "manifest.json").read_text())["server"]["mcp_config"]
    values = {
        "__dirname": str(unpacked),
        "user_config.api_token": tokens["full-access"][0],
        "user_config.base_url": base_url,
        "user_config.read_only": "true",
    }
    bin_dir = str(Path(sys.executable).parent)  # where the dev extra installed uv
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "UV_CACHE_DIR": str(UV_CACHE),
        "UV_PYTHON": sys.executable,
        "UV_PYTHON_DOWNLOADS": "never",
        "PIMELO_AUDIT_LOG": "off",
        **{key: substitute(value, values) for key, value in config["env"].items()},
    }
    params = StdioServerParameters(
        command=config["command"],
        args=[substitute(arg, values) for arg in config["args"]],
        env=env,
    )
    async with Client(params) as client:
        listed = [tool.name for tool in (await client.list_tools()).tools]
        result = await client.call_tool("search_products", {"limit": 1})
    assert listed == [spec.name for spec in ALL_TOOLS if spec.read_only], "read-only is on"
    assert not result.is_error
    assert result.structured_content is not None
    assert len(result.structured_content["items"]) == 1
