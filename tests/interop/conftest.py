"""One sandbox process for all interop tests, started as tests/test_commands.py starts it."""

import sys
from collections.abc import Iterator

import pytest

from tests.sandbox.test_process import sandbox_process


@pytest.fixture(scope="session")
def live_sandbox() -> Iterator[tuple[str, dict[str, tuple[str, str]]]]:
    """(base URL, {token name: (token, scopes)}) of a real `pimelo-mcp sandbox` on a free port."""
    command = [sys.executable, "-m", "pimelo_mcp", "sandbox", "--port", "0", "--products", "30"]
    with sandbox_process(command) as (base_url, tokens):
        yield base_url, tokens
