"""Each tool's definition is snapshotted in tests/__toolsnaps__/: a missing or changed snapshot fails.

A change to a tool's name, description or schemas changes what every model reads; the
snapshot diff makes it a reviewed decision. Refresh after an intended change with:
    UPDATE_TOOLSNAPS=1 python -m pytest tests/tools/test_toolsnaps.py
"""

import json
import os
from pathlib import Path
from typing import Any

import pytest

from pimelo_mcp.config import Settings
from pimelo_mcp.server import build_server
from pimelo_mcp.tools import ALL_TOOLS

SNAPSHOTS = Path(__file__).parent.parent / "__toolsnaps__"
UPDATE = os.environ.get("UPDATE_TOOLSNAPS") == "1"


async def definitions() -> dict[str, dict[str, Any]]:
    server = build_server(Settings(api_token="pim_snapshot_test", audit_path=None))
    return {
        t.name: t.model_dump(by_alias=True, mode="json", exclude_none=True)
        for t in await server.list_tools()
    }


def render(definition: dict[str, Any]) -> str:
    return json.dumps(definition, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def write_snapshot(path: Path, text: str) -> None:
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")


def read_snapshot(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.exists() else None


@pytest.mark.parametrize("name", [spec.name for spec in ALL_TOOLS])
async def test_tool_definition_matches_its_snapshot(name: str) -> None:
    text = render((await definitions())[name])
    path = SNAPSHOTS / f"{name}.json"
    if UPDATE:
        write_snapshot(path, text)
    stored = read_snapshot(path)
    assert stored is not None, (
        f"no snapshot for {name}: run UPDATE_TOOLSNAPS=1 python -m pytest {__file__}"
    )
    assert stored == text, f"{name} changed: review the diff, then refresh with UPDATE_TOOLSNAPS=1"


def test_no_snapshot_is_left_for_a_tool_that_is_gone() -> None:
    names = {spec.name for spec in ALL_TOOLS}
    assert {path.stem for path in SNAPSHOTS.glob("*.json")} <= names
