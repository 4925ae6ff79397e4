"""The OAuth store (expiry, one-time consumption, counters) and the keys derived from the secret."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import anyio
import pytest

from pimelo_mcp.oauth.crypto import Keys, SecretError, UnsealError, load_or_create_key_file
from pimelo_mcp.oauth.store import SqliteStore

SECRET = "s" * 40


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_records_expire_and_are_purged(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "oauth.sqlite3")
    await store.put("grant", "g1", "{}", expires_at=100.0)
    assert (await store.get("grant", "g1", now=99.0)) is not None
    assert await store.get("grant", "g1", now=100.0) is None
    assert await store.purge(now=100.0) == 1
    assert await store.get("grant", "g1", now=0.0) is None
    await store.aclose()


@pytest.mark.anyio
async def test_the_store_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "state" / "oauth.sqlite3"
    store = SqliteStore(path)
    await store.put("client", "c", "{}", expires_at=10.0)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    await store.aclose()


@pytest.mark.anyio
async def test_consume_is_first_exactly_once_even_concurrently() -> None:
    store = SqliteStore(None)
    await store.put("code", "c1", "payload", expires_at=60.0)
    results: list[bool] = []

    async def take() -> None:
        consumed = await store.consume("code", "c1", now=1.0)
        assert consumed is not None
        results.append(consumed.first)

    async with anyio.create_task_group() as group:
        for _ in range(8):
            group.start_soon(take)
    assert sorted(results) == [False] * 7 + [True]
    assert await store.consume("code", "c1", now=60.0) is None  # expired: gone
    await store.aclose()


@pytest.mark.anyio
async def test_counters_count_within_their_window_and_restart_after() -> None:
    store = SqliteStore(None)
    counts = [await store.increment("limit", "ip", now=0.0, window=60.0) for _ in range(3)]
    assert counts == [1, 2, 3]
    assert await store.increment("limit", "ip", now=60.0, window=60.0) == 1
    await store.aclose()


def test_sealed_values_open_only_with_the_same_secret_and_binding() -> None:
    keys = Keys(SECRET)
    sealed = keys.seal("pim_secret", bound_to="grant-1")
    assert "pim_secret" not in sealed
    assert keys.unseal(sealed, bound_to="grant-1") == "pim_secret"
    with pytest.raises(UnsealError):
        keys.unseal(sealed, bound_to="grant-2")
    with pytest.raises(UnsealError):
        Keys("t" * 40).unseal(sealed, bound_to="grant-1")
    assert keys.digest("a") == Keys(SECRET).digest("a") != Keys("t" * 40).digest("a")


def test_a_short_secret_is_refused_with_the_way_to_make_one() -> None:
    with pytest.raises(SecretError, match=r"at least 32 characters.*token_urlsafe"):
        Keys("short")


def test_the_key_file_is_made_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    first = load_or_create_key_file(path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_key_file(path) == first


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    path.write_text("k" * 40)
    os.chmod(path, 0o644)
    with pytest.raises(SecretError, match="chmod 600"):
        load_or_create_key_file(path)
