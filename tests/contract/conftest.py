"""Fixtures shared by the contract tests: the OpenAPI document and the human contract page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pimelo_mcp.sandbox.openapi_builder import DOCUMENT_PATH

CONTRACT_PAGE = Path(__file__).resolve().parents[2] / "docs" / "pimelo-api.md"


@pytest.fixture(scope="session")
def document() -> dict[str, Any]:
    """The checked-in OpenAPI document, as shipped in the package."""
    return json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def contract_page() -> str:
    """`docs/pimelo-api.md`, the human contract and the source of truth."""
    return CONTRACT_PAGE.read_text(encoding="utf-8")
