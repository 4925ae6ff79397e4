"""`pimelo-mcp check`: the report for full, read-only, refused and unreachable configurations."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from pimelo_mcp.check import CheckReport, run_check
from pimelo_mcp.config import Settings
from pimelo_mcp.sandbox.app import create_app
from pimelo_mcp.sandbox.cli_args import RateLimit, TokenSpec
from pimelo_mcp.sandbox.settings import READ_SCOPES, SCOPES, SandboxSettings

BASE = "http://sandbox/api/v1/"
FULL = "pim_check_full_access"
READ = "pim_check_read_only"
NONE = "pim_check_attributes_only"
PRODUCTS_READ = "pim_check_products_read_only"


@pytest.fixture
async def sandbox_http() -> AsyncIterator[httpx2.AsyncClient]:
    app = create_app(
        SandboxSettings(
            products=5,
            rate_limit=RateLimit(requests=500, seconds=60),
            tokens=(
                TokenSpec(FULL, SCOPES),
                TokenSpec(READ, READ_SCOPES),
                TokenSpec(NONE, ("import-export:read",)),
                TokenSpec(PRODUCTS_READ, ("products:read",)),
            ),
        )
    )
    transport: Any = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as http:
        yield http


async def check(http: httpx2.AsyncClient, token: str, **settings: Any) -> CheckReport:
    return await run_check(Settings(api_token=token, base_url=BASE, **settings), http_client=http)


async def test_a_full_access_token_unlocks_all_14_tools(sandbox_http: httpx2.AsyncClient) -> None:
    report = await check(sandbox_http, FULL)
    text = report.render()
    assert report.usable
    assert len(report.unlocked) == 14
    assert not report.locked
    assert "rate limit: 500 requests per 60 s, 499 left in this window" in text
    assert "Usable: 14 of 14 tools." in text
    assert FULL not in text


async def test_a_read_only_token_names_the_missing_scopes(sandbox_http: httpx2.AsyncClient) -> None:
    report = await check(sandbox_http, READ)
    text = report.render()
    assert report.usable
    assert all(spec.read_only for spec in report.unlocked)
    assert {spec.name for spec in report.locked} >= {"update_products", "upload_media"}
    assert "update_products    needs products:write" in text
    assert "add to the token: attributes:write, entities:write, media:write, products:write" in text
    assert "Usable: 7 of 14 tools." in text


async def test_a_locked_tool_names_the_scopes_it_misses_not_the_ones_it_has(
    sandbox_http: httpx2.AsyncClient,
) -> None:
    # update_products writes with products:write, against definitions it reads.
    text = (await check(sandbox_http, PRODUCTS_READ)).render()
    assert "update_products    needs products:write, attributes:read, settings:read" in text
    assert "add to the token: attributes:read, " in text


async def test_a_read_tool_is_unlocked_by_its_own_scope_and_names_what_others_add(
    sandbox_http: httpx2.AsyncClient,
) -> None:
    report = await check(sandbox_http, PRODUCTS_READ)
    text = report.render()
    assert report.usable
    assert {tool.name for tool in report.unlocked} == {"search_products", "get_product"}
    lines = text.splitlines()
    start = lines.index("  search_products    read   products:read")
    assert lines[start + 1].strip() == (
        "+ attributes:read: filters on attributes and checked attribute codes in fields"
    )
    assert lines[start + 2].strip().startswith("+ settings:read: a default locale and channel")
    assert "for them add to the token: attributes:read, entities:read, settings:read" in text


async def test_a_token_with_every_scope_hears_of_no_missing_part(
    sandbox_http: httpx2.AsyncClient,
) -> None:
    assert "+ " not in (await check(sandbox_http, FULL)).render()


async def test_read_only_mode_hides_write_tools_it_could_use(
    sandbox_http: httpx2.AsyncClient,
) -> None:
    report = await check(sandbox_http, FULL, read_only=True)
    assert len(report.unlocked) == 7
    assert len(report.hidden) == 7
    assert "Hidden by read-only mode" in report.render()


async def test_a_token_that_unlocks_no_tool_is_not_usable(
    sandbox_http: httpx2.AsyncClient,
) -> None:
    report = await check(sandbox_http, NONE)
    assert not report.usable
    assert "Not usable: the token's scopes unlock none of the tools." in report.render()


async def test_a_refused_token_says_where_to_make_one(sandbox_http: httpx2.AsyncClient) -> None:
    report = await check(sandbox_http, "pim_revoked_or_unknown")
    text = report.render()
    assert not report.usable
    assert "refused the token" in text
    assert "Settings > API Tokens" in text
    assert "pim_revoked_or_unknown" not in text


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pimelo_mcp", "check", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIMELO_")}
    return {**env, **extra}


@pytest.mark.slow
def test_check_command_exits_0_on_the_embedded_sandbox() -> None:
    done = _run(["--sandbox"], _env())
    assert done.returncode == 0, done.stderr
    assert "Usable: 14 of 14 tools." in done.stdout
    assert "SANDBOX" in done.stderr


@pytest.mark.slow
def test_check_command_exits_1_when_pimelo_cannot_be_reached(tmp_path: Path) -> None:
    done = _run(
        [],
        _env(
            PIMELO_API_TOKEN="pim_secret_never_shown", PIMELO_BASE_URL="http://127.0.0.1:9/api/v1/"
        ),
    )
    assert done.returncode == 1
    assert "cannot reach http://127.0.0.1:9/api/v1/" in done.stdout
    assert "pim_secret_never_shown" not in done.stdout + done.stderr


@pytest.mark.slow
def test_check_command_exits_2_without_a_token() -> None:
    done = _run([], _env())
    assert done.returncode == 2
    assert "PIMELO_API_TOKEN" in done.stderr
